// SPDX-License-Identifier: GPL-2.0
/*
 * /init for the edu driver runs of make check: what drivers do over their
 * lifetime, with QEMU's edu devices bound to the kernel's dma-api-edu
 * driver (kernel/dma/conformance/edu_driver.c) through sysfs.
 *
 * - The first edu, as soon as it is bound, leaks a streaming map and a
 *   coherent buffer, is unbound (DMA-API debug reports the leak: announced
 *   here) and bound again, three times: each time it moves a page again,
 *   through bus addresses other than those it leaked, which stay taken.
 *   The first leak takes the top of the IOVA space, which a space made
 *   afresh at the rebind would hand out first.
 * - One dma-buf (udmabuf over a memfd) is imported by two edus at once:
 *   what the first copies into it the second reads, and after the first
 *   lets go the second's mapping still works.
 * - DMA-API debug counts exactly the errors announced.
 *
 * Kernel command line: edutest.devs=PCIDEV,PCIDEV (the edus; the second is
 * needed for the dma-buf).  Prints KTAP and powers off.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/udmabuf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "initlib.h"

#define DRIVER "/sys/bus/pci/drivers/dma-api-edu"
#define PAGE 4096
#define XFER 1024
#define REBINDS 3

static int tests, failures;

static void result(int ok, const char *what, const char *dev)
{
	tests++;
	failures += !ok;
	printf("%sok %d %s: %s\n", ok ? "" : "not ", tests, dev, what);
	fflush(stdout);
}

static int edu_write(const char *dev, const char *attr, const char *value)
{
	char path[160];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", dev, attr);
	return write_sysfs(path, value);
}

/* The two bus addresses the edu's last transfer or leak was given. */
static int bus_addresses(const char *dev, unsigned long long bus[2])
{
	char path[160];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/bus_addresses",
		 dev);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fscanf(f, "%llx %llx", &bus[0], &bus[1]);
	fclose(f);
	return n == 2;
}

static int bind(const char *dev)
{
	return edu_write(dev, "driver_override", "dma-api-edu") &&
	       write_sysfs(DRIVER "/bind", dev);
}

/*
 * Whether the edu's DMA goes through a domain of the layer's IOMMU ops:
 * its debugfs lists the edu's IOMMU group (or the edu) among them.
 */
static int translated(const char *dev)
{
	const char *group = iommu_group_of(dev);
	char line[256], who[64];
	int found = 0;
	FILE *f;

	f = fopen("/sys/kernel/debug/arm-dma/iommu", "r");
	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%63s", who) == 1 &&
			(!strcmp(who, dev) || !strcmp(who, group));
	if (f)
		fclose(f);
	if (found)
		printf("# %s", line);
	return found;
}

/*
 * Leak, unbind, bind: the edu works again, and none of the bus addresses
 * it is given is one it leaked.  Returns the errors DMA-API debug counted.
 */
static int test_leaks(const char *dev)
{
	unsigned long long leaked[REBINDS][2], now[2];
	int i, j, k, fresh = 1;

	for (i = 0; i < REBINDS; i++) {
		result(edu_write(dev, "leak", "1") &&
		       bus_addresses(dev, leaked[i]),
		       "leaks a streaming map and a coherent buffer", dev);
		printf("# %s: leaked %#llx and %#llx\n", dev, leaked[i][0],
		       leaked[i][1]);
		printf("# edutest.leak: expects a DMA-API error: "
		       "pending DMA allocations while released\n");
		fflush(stdout);
		result(write_sysfs(DRIVER "/unbind", dev),
		       "unbound with a mapping and a buffer leaked", dev);
		result(bind(dev) && edu_write(dev, "round_trip", "1") &&
		       bus_addresses(dev, now),
		       "bound again, moves a page", dev);
		printf("# %s: moved through %#llx and %#llx\n", dev, now[0],
		       now[1]);
		for (j = 0; j <= i; j++)
			for (k = 0; k < 4; k++)
				fresh &= now[k % 2] != leaked[j][k / 2];
	}
	result(fresh, "never given a bus address it leaked", dev);
	return REBINDS;
}

static int fill_check(uint8_t *mem, size_t from, int fill)
{
	size_t i;

	for (i = 0; i < XFER; i++) {
		if (fill)
			mem[from + i] = (uint8_t)(i * 7 + 3);
		else if (mem[from + i] != (uint8_t)(i * 7 + 3))
			return 0;
	}
	return 1;
}

/*
 * The CPU's side of a dma-buf access, as its users bracket it: @start, or
 * the end.  Always read-write: 6.12's udmabuf maps its buffer for the CPU
 * once, in the direction of the first access, then syncs in the direction
 * of each, which DMA-API debug reports.
 */
static int cpu_access(int buf, int start)
{
	struct dma_buf_sync sync = {
		.flags = DMA_BUF_SYNC_RW |
			 (start ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END),
	};

	return ioctl(buf, DMA_BUF_IOCTL_SYNC, &sync) == 0;
}

static int copy(const char *dev, int from, int to)
{
	char spec[64];

	snprintf(spec, sizeof(spec), "%d %d %d", from, to, XFER);
	return edu_write(dev, "copy", spec);
}

/*
 * One dma-buf of four pages, imported by @a and @b at once: @a copies page
 * 0 to page 1, @b page 1 to page 2; @a lets go, @b copies page 2 to 3.
 */
static void test_shared(const char *a, const char *b)
{
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC,
					 .size = 4 * PAGE };
	int memfd, dev, buf = -1, ok;
	char fd[16];
	uint8_t *mem;

	memfd = memfd_create("edutest", MFD_ALLOW_SEALING);
	dev = open("/dev/udmabuf", O_RDWR);
	if (memfd >= 0 && !ftruncate(memfd, create.size) &&
	    !fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) && dev >= 0) {
		create.memfd = memfd;
		buf = ioctl(dev, UDMABUF_CREATE, &create);
	}
	mem = mmap(NULL, create.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   memfd, 0);
	result(buf >= 0 && mem != MAP_FAILED, "a dma-buf from a memfd", "udmabuf");
	if (buf < 0 || mem == MAP_FAILED)
		return;
	memset(mem, 0, create.size);
	cpu_access(buf, 1);
	fill_check(mem, 0, 1);
	cpu_access(buf, 0);

	snprintf(fd, sizeof(fd), "%d", buf);
	result(edu_write(a, "import", fd), "imports the dma-buf", a);
	result(edu_write(b, "import", fd), "imports it too, while the first holds it", b);
	ok = copy(a, 0, PAGE) && copy(b, PAGE, 2 * PAGE);
	cpu_access(buf, 1);
	result(ok && fill_check(mem, PAGE, 0) && fill_check(mem, 2 * PAGE, 0),
	       "reads what the other edu wrote to the shared buffer", b);
	cpu_access(buf, 0);
	result(edu_write(a, "import", "-1"), "lets the dma-buf go", a);
	ok = copy(b, 2 * PAGE, 3 * PAGE);
	cpu_access(buf, 1);
	result(ok && fill_check(mem, 3 * PAGE, 0),
	       "still reaches the dma-buf after the other let go", b);
	cpu_access(buf, 0);
	/* Unbinding with the import held: the driver lets it go itself. */
	result(write_sysfs(DRIVER "/unbind", b) && bind(b) &&
	       edu_write(b, "round_trip", "1"),
	       "unbound holding the dma-buf, bound again, moves a page", b);
	munmap(mem, create.size);
	close(buf);
	close(memfd);
	close(dev);
}

int main(void)
{
	char *devs, *b;
	long errors;
	int announced = 0;

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);

	printf("KTAP version 1\n");
	devs = cmdline_value("edutest.devs");
	devs = strdup(devs ? devs : "0000:00:01.0");
	b = strchr(devs, ',');
	if (b)
		*b++ = '\0';
	/* Every report, so that one nobody announced fails the run. */
	write_sysfs("/sys/kernel/debug/dma-api/all_errors", "1");
	printf("# DMA-API debug error_count at /init: %ld\n",
	       read_number("/sys/kernel/debug/dma-api/error_count"));
	result(bind(devs), "bound", devs);
	announced += test_leaks(devs);
	result(translated(devs), "maps through the layer's IOMMU domain", devs);
	if (b) {
		result(bind(b) && edu_write(b, "round_trip", "1"),
		       "bound, moves a page", b);
		result(translated(b), "maps through the layer's IOMMU domain", b);
		test_shared(devs, b);
	}

	errors = read_number("/sys/kernel/debug/dma-api/error_count");
	printf("# DMA-API debug error_count: %ld, announced %d\n", errors,
	       announced);
	result(errors == announced, "DMA-API debug counted the leaks, nothing else",
	       "all");
	printf("1..%d\n# edutest: %d passed, %d failed\n", tests,
	       tests - failures, failures);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
