// SPDX-License-Identifier: GPL-2.0
/*
 * /init for `make run`: show what the ARM DMA layer set up, then power off.
 *
 * Built static with the cross compiler, so the initramfs needs nothing else.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <unistd.h>

static void cat(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("  %s", line);
	fclose(f);
}

static void show_dir(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		printf("(no %s)\n", dir);
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		printf("%s:\n", path);
		cat(path);
	}
	closedir(d);
}

/* The first line of a sysfs attribute, without its newline. */
static void read_attr(const char *dir, const char *dev, const char *attr,
		      char *buf, size_t len)
{
	char path[512];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s/%s", dir, dev, attr);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static void show_pci(void)
{
	const char *dir = "/sys/bus/pci/devices";
	char vendor[16], device[16], domain[32];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	printf("PCI devices:\n");
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		read_attr(dir, de->d_name, "vendor", vendor, sizeof(vendor));
		read_attr(dir, de->d_name, "device", device, sizeof(device));
		read_attr(dir, de->d_name, "iommu_group/type", domain,
			  sizeof(domain));
		printf("  %s %s:%s  IOMMU group default domain: %s\n", de->d_name, vendor,
		       device, domain[0] ? domain : "none");
	}
	closedir(d);
}

/* Read the virtio disk, so the layer maps real I/O before it is shown. */
static void read_disk(const char *path)
{
	static char buf[64 * 1024];
	long total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		printf("(no %s)\n", path);
		return;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
	printf("read %ld bytes from %s\n", total, path);
}

int main(void)
{
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);

	printf("\n==== make run: what the ARM DMA layer set up ====\n");
	read_disk("/dev/vda");
	show_dir("/sys/kernel/debug/arm-dma");
	show_pci();
	printf("==== make run: done ====\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
