// SPDX-License-Identifier: GPL-2.0
/*
 * /init for the driver runs of make check: real drivers as clients of the
 * DMA layer.  Writes a known pattern to every block device it is told of,
 * drops the page cache, reads it back (buffered, then with O_DIRECT so the
 * device DMAs straight into user pages) and compares; pings through a NIC
 * if told to; checks which DMA path each device took; then asks DMA-API
 * debug whether it saw any misuse.  Prints KTAP and powers off.
 *
 * Kernel command line: disktest.devs=vda,vdb (default vda)
 *                      disktest.mib=N        (default 4)
 *                      disktest.iommu=PATH   (how each disk's DMA must go:
 *                                             translated, identity or none)
 *                      disktest.ping=ADDR    (also ping ADDR through eth0,
 *                                             configured with ip=)
 *                      disktest.nets=IF/ADDR/GW,... (give each IF the /24
 *                                             address ADDR and ping GW
 *                                             through it)
 *                      disktest.rebind=PCIDEV (then unbind PCIDEV's driver,
 *                                             ping through the other IFs,
 *                                             bind it again, ping through
 *                                             all)
 *                      disktest.dmatest=N    (N memcpy transfers on every
 *                                             channel of every DMA engine,
 *                                             with the kernel's dmatest)
 *                      disktest.tcp=ADDR:PORT (send 4 MiB over TCP to
 *                                             ADDR:PORT, which echoes it,
 *                                             and compare what comes back)
 *                      disktest.fb=FB        (fill /dev/FB through write()
 *                                             and read it back through
 *                                             mmap(), then the other way)
 *                      disktest.reset=1      (end with a reset, which QEMU's
 *                                             -no-reboot turns into an exit,
 *                                             on boards it cannot power off)
 *                      disktest.upstream=1   (the kernel is pristine
 *                                             upstream's: no layer to find)
 *                      disktest.end=host     (end by asking the harness to
 *                                             stop QEMU, on boards whose
 *                                             own way down is faulty)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <net/if.h>
#include <netinet/ip_icmp.h>
#include <linux/fb.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "initlib.h"

#define CHUNK (64 * 1024)

static int tests;
static int failures;

static void result(int ok, const char *fmt, const char *dev)
{
	tests++;
	if (!ok)
		failures++;
	printf("%sok %d ", ok ? "" : "not ", tests);
	printf(fmt, dev);
	printf("\n");
	fflush(stdout);
}

static uint32_t pattern_word(uint64_t i)
{
	uint64_t x = i * 0x9e3779b97f4a7c15ull + 0x5bd1e995;

	x ^= x >> 29;
	return (uint32_t)(x * 0xbf58476d1ce4e5b9ull >> 32);
}

static void fill(uint32_t *buf, uint64_t offset)
{
	size_t i;

	for (i = 0; i < CHUNK / 4; i++)
		buf[i] = pattern_word(offset / 4 + i);
}

/* The pattern from @shift bytes on, written with open() @flags. */
static int write_all(const char *path, size_t bytes, int flags, size_t shift,
		     uint32_t *buf)
{
	size_t done;
	int fd = open(path, O_WRONLY | flags);

	if (fd < 0)
		return 0;
	for (done = 0; done < bytes; done += CHUNK) {
		fill(buf, shift + done);
		if (write(fd, buf, CHUNK) != CHUNK) {
			close(fd);
			return 0;
		}
	}
	return fsync(fd) == 0 && close(fd) == 0;
}

static int read_and_compare(const char *path, size_t bytes, int flags,
			    size_t shift, uint32_t *buf, uint32_t *want)
{
	size_t done;
	int fd = open(path, O_RDONLY | flags);

	if (fd < 0)
		return 0;
	for (done = 0; done < bytes; done += CHUNK) {
		fill(want, shift + done);
		if (read(fd, buf, CHUNK) != CHUNK || memcmp(buf, want, CHUNK)) {
			printf("# %s: mismatch in the 64 KiB at %zu\n", path, done);
			close(fd);
			return 0;
		}
	}
	close(fd);
	return 1;
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			printf("# drop_caches failed\n");
		close(fd);
	}
}

/* The PCI (or platform) device name of a disk: the parent of its virtio device. */
static const char *disk_device(const char *dev)
{
	static char name[256];
	char path[128], real[256];
	char *slash;

	snprintf(path, sizeof(path), "/sys/block/%s/device", dev);
	if (!realpath(path, real)) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/device", dev);
		if (!realpath(path, real))
			return "";
	}
	/* virtio disks hang below virtioN below the PCI device; NVMe one more */
	while ((slash = strrchr(real, '/')) &&
	       (!strncmp(slash + 1, "virtio", 6) || !strncmp(slash + 1, "nvme", 4)))
		*slash = '\0';
	snprintf(name, sizeof(name), "%s", slash ? slash + 1 : real);
	return name;
}

/*
 * How the disk's device does DMA: "translated" when the layer's debugfs
 * lists its domain (its IOMMU group's, or its own) with maps made
 * ("translated-lazy" when its unmaps went through the flush queue),
 * "identity" when its IOMMU group's domain passes DMA through, else
 * "none".
 */
static const char *disk_dma_path(const char *dev)
{
	const char *name = disk_device(dev);
	char line[256], who[64], mode[16], path[128], type[32] = "";
	const char *group = iommu_group_of(name);
	long maps, flushes;
	FILE *f = fopen("/sys/kernel/debug/arm-dma/iommu", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %15s %ld %ld", who, mode, &maps,
			   &flushes) == 4 && maps > 0 &&
		    (!strcmp(who, name) || !strcmp(who, group))) {
			fclose(f);
			return strcmp(mode, "lazy") ? "translated" :
			       flushes > 0 ? "translated-lazy" : "lazy, never flushed";
		}
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group/type",
		 name);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(type, sizeof(type), f))
			type[0] = '\0';
		fclose(f);
	}
	return strncmp(type, "identity", 8) ? "none" : "identity";
}

static u_int16_t icmp_sum(const void *data, size_t len)
{
	const u_int16_t *w = data;
	u_int32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	if (len)
		sum += *(const u_int8_t *)w;
	sum = (sum >> 16) + (sum & 0xffff);
	return ~(sum + (sum >> 16));
}

/*
 * Echo requests of growing size to @addr; every reply must carry back the
 * payload that was sent.  Both directions go through the NIC's DMA.
 */
static void test_ping(const char *netdev, const char *addr)
{
	struct timeval tv = { .tv_sec = 2 };
	struct sockaddr_in to = { .sin_family = AF_INET };
	static unsigned char pkt[1500], reply[1600];
	int fd, seq, good = 0, tries = 32;

	inet_pton(AF_INET, addr, &to.sin_addr);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, netdev,
				 strlen(netdev) + 1) < 0) {
		result(0, "%s: echo replies carry what was sent", netdev);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (seq = 0; seq < tries; seq++) {
		struct icmphdr *icmp = (struct icmphdr *)pkt;
		size_t len = sizeof(*icmp) + 32 + seq * 40;
		size_t i;
		ssize_t n;

		memset(pkt, 0, sizeof(*icmp));
		icmp->type = ICMP_ECHO;
		icmp->un.echo.id = htons(0xd3a);
		icmp->un.echo.sequence = htons(seq);
		for (i = sizeof(*icmp); i < len; i++)
			pkt[i] = (unsigned char)(i * 7 + seq);
		icmp->checksum = icmp_sum(pkt, len);
		if (sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			continue;
		/* The reply comes with its IP header (20 bytes, no options). */
		n = recv(fd, reply, sizeof(reply), 0);
		if (n == (ssize_t)len + 20 &&
		    !memcmp(reply + 20 + sizeof(*icmp), pkt + sizeof(*icmp),
			    len - sizeof(*icmp)))
			good++;
	}
	close(fd);
	printf("# %s: %d of %d echo replies matched\n", netdev, good, tries);
	result(good == tries, "%s: echo replies carry what was sent", netdev);
}

/*
 * 4 MiB of the pattern over TCP to an echo endpoint (the harness's echo
 * server, which QEMU's guestfwd reaches), 64 KiB at a time, each read back and compared: the
 * NIC's streaming maps both ways, with segmentation and real TCP.
 */
static void test_tcp(char *spec)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 10 };
	char *port = strrchr(spec, ':');
	static uint32_t out[CHUNK / 4], in[CHUNK / 4];
	size_t done, got;
	int fd, ok = 1;

	if (!port) {
		result(0, "%s: disktest.tcp wants ADDR:PORT", spec);
		return;
	}
	*port++ = '\0';
	to.sin_port = htons(atoi(port));
	inet_pton(AF_INET, spec, &to.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to))) {
		result(0, "%s: a TCP connection", spec);
		if (fd >= 0)
			close(fd);
		return;
	}
	for (done = 0; ok && done < (4 << 20); done += CHUNK) {
		fill(out, done);
		ok = write(fd, out, CHUNK) == CHUNK;
		for (got = 0; ok && got < CHUNK; ) {
			ssize_t n = read(fd, (char *)in + got, CHUNK - got);

			ok = n > 0;
			got += ok ? n : 0;
		}
		ok = ok && !memcmp(in, out, CHUNK);
	}
	close(fd);
	printf("# %s: %zu KiB echoed\n", spec, done >> 10);
	result(ok, "%s: 4 MiB over TCP come back as sent", spec);
}

/* Give @netdev the address @addr/24 and bring it up; true when done. */
static int net_up(const char *netdev, const char *addr)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ok;

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", netdev);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	ok = fd >= 0 && !ioctl(fd, SIOCSIFADDR, &ifr);
	inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
	ok = ok && !ioctl(fd, SIOCSIFNETMASK, &ifr);
	ok = ok && !ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	ok = ok && !ioctl(fd, SIOCSIFFLAGS, &ifr);
	if (fd >= 0)
		close(fd);
	/* Let the link come up before the first echo request. */
	sleep(1);
	return ok;
}

/*
 * disktest.nets: IF/ADDR/GW,...  Configures each IF but @skip and pings
 * its gateway through it; appends each IF to @ifs when @ifs is given.
 */
static void test_nets(const char *list, const char *skip, char *ifs,
		      size_t room)
{
	char *nets = strdup(list), *net, *save;

	for (net = strtok_r(nets, ",", &save); net;
	     net = strtok_r(NULL, ",", &save)) {
		char *addr = strchr(net, '/'), *gw = addr ? strchr(addr + 1, '/') : NULL;

		if (!gw) {
			result(0, "%s: disktest.nets wants IF/ADDR/GW", net);
			continue;
		}
		*addr++ = '\0';
		*gw++ = '\0';
		if (skip && !strcmp(net, skip))
			continue;
		result(net_up(net, addr), "%s: configured", net);
		test_ping(net, gw);
		if (ifs)
			snprintf(ifs + strlen(ifs), room - strlen(ifs), ",%s", net);
	}
	free(nets);
}

/* The network interface of PCI device @pci, or NULL. */
static const char *netdev_of(const char *pci)
{
	static char name[256];
	struct dirent *e;
	char path[128];
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/net", pci);
	d = opendir(path);
	name[0] = '\0';
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(name, sizeof(name), "%s", e->d_name);
	if (d)
		closedir(d);
	return name[0] ? name : NULL;
}

/*
 * Unbind @pci's driver: the other devices of its IOMMU group keep working;
 * bind it again: all of them work.
 */
static void test_rebind(const char *pci, const char *nets)
{
	char path[320], driver[256];
	const char *netdev = netdev_of(pci);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", pci);
	if (!netdev || !realpath(path, driver)) {
		result(0, "%s: has a bound network driver", pci);
		return;
	}
	snprintf(path, sizeof(path), "%s/unbind", driver);
	result(write_sysfs(path, pci), "%s: unbound", pci);
	test_nets(nets, netdev, NULL, 0);
	snprintf(path, sizeof(path), "%s/bind", driver);
	result(write_sysfs(path, pci), "%s: bound again", pci);
	test_nets(nets, NULL, NULL, 0);
}

/* An SD card is found after its host probes, maybe after /init starts. */
static void wait_for(const char *path)
{
	int tenths;

	for (tenths = 0; tenths < 100 && access(path, F_OK); tenths++)
		usleep(100000);
}

static void test_disk(const char *dev, size_t bytes, uint32_t *buf,
		      uint32_t *want)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/%s", dev);
	wait_for(path);
	result(write_all(path, bytes, 0, 0, buf), "%s: write the pattern", dev);
	drop_caches();
	result(read_and_compare(path, bytes, 0, 0, buf, want),
	       "%s: read back after dropping caches", dev);
	result(read_and_compare(path, bytes, O_DIRECT, 0, buf, want),
	       "%s: read back with O_DIRECT", dev);
	/* Other data, from user pages straight to the device. */
	result(write_all(path, bytes, O_DIRECT, bytes, buf),
	       "%s: write another pattern with O_DIRECT", dev);
	drop_caches();
	result(read_and_compare(path, bytes, 0, bytes, buf, want),
	       "%s: read it back after dropping caches", dev);
}

/*
 * The kernel's dmatest on every channel it finds, @iterations transfers
 * each, waiting until all are done; then one result per channel, from the
 * summary line it leaves in the kernel log.
 */
static void test_dmatest(const char *iterations)
{
	char rec[1024];
	int fd, found = 0;
	ssize_t n;

	if (!write_sysfs("/sys/module/dmatest/parameters/iterations", iterations) ||
	    !write_sysfs("/sys/module/dmatest/parameters/run", "1")) {
		result(0, "%s: dmatest runs", "dmatest");
		return;
	}
	/* Reading "wait" returns once every test thread has finished. */
	read_number("/sys/module/dmatest/parameters/wait");
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	while (fd >= 0 && (n = read(fd, rec, sizeof(rec) - 1)) > 0) {
		char *text, *end, chan[64];

		rec[n] = '\0';
		text = strstr(rec, "dmatest: ");
		if (!text || !strstr(text, "summary") ||
		    sscanf(text, "dmatest: %63[^:]", chan) != 1)
			continue;
		end = strchr(text, '\n');
		if (end)
			*end = '\0';
		printf("# %s\n", text);
		found++;
		result(strstr(text, " 0 failures") != NULL,
		       "%s: dmatest with no failure", chan);
	}
	if (fd >= 0)
		close(fd);
	if (!found)
		result(0, "%s: dmatest reported a summary", "dmatest");
}

/* Whether @len bytes at @mem hold the pattern from byte @shift on. */
static int holds_pattern(const uint32_t *mem, size_t len, uint64_t shift)
{
	size_t i;

	for (i = 0; i < len / 4; i++)
		if (mem[i] != pattern_word(shift / 4 + i)) {
			printf("# mismatch at byte %zu\n", i * 4);
			return 0;
		}
	return 1;
}

/*
 * The harness answers a line asking it to look (on the console, which
 * QEMU connects to its stdin) with a newline once it has looked.  Wait
 * for that, or 20 s.
 */
static void wait_for_host(void)
{
	struct timeval tv = { .tv_sec = 20 };
	fd_set in;
	char c;

	FD_ZERO(&in);
	FD_SET(0, &in);
	if (select(1, &in, NULL, NULL, &tv) != 1 || read(0, &c, 1) != 1)
		printf("# no answer from the host\n");
}

/*
 * What the display controller scans out, for the harness to see: blocks of
 * 16x16 pixels, block i white (every bit set, whatever the pixel format)
 * when bit 0 of pattern_word(i) is, else black.  The harness takes a
 * screendump when it reads the line printed here.
 */
static void show_blocks(const char *fb, uint8_t *mem, int fd,
			const struct fb_fix_screeninfo *fix)
{
	struct fb_var_screeninfo var;
	unsigned int x, y, bpp, across;

	if (ioctl(fd, FBIOGET_VSCREENINFO, &var) || var.bits_per_pixel % 8) {
		result(0, "%s: the framebuffer's geometry is known", fb);
		return;
	}
	bpp = var.bits_per_pixel / 8;
	across = (var.xres + 15) / 16;
	for (y = 0; y < var.yres; y++)
		for (x = 0; x < var.xres; x++)
			memset(mem + y * fix->line_length + x * bpp,
			       pattern_word(y / 16 * across + x / 16) & 1 ?
			       0xff : 0, bpp);
	printf("# screendump %s %ux%u\n", fb, var.xres, var.yres);
	fflush(stdout);
	wait_for_host();
}

/*
 * A framebuffer's memory is a coherent (write-combining) DMA buffer its
 * driver allocated and maps to user space: fill it with write() and read
 * it back through mmap(), then fill it through mmap() and read it back
 * with read().  The console must not draw on it meanwhile.
 */
static void test_fb(const char *fb)
{
	struct fb_fix_screeninfo fix;
	char path[64];
	uint32_t *mem, *buf;
	size_t len, done;
	int fd, ok;

	snprintf(path, sizeof(path), "/dev/%s", fb);
	wait_for(path);
	fd = open(path, O_RDWR);
	if (fd < 0 || ioctl(fd, FBIOGET_FSCREENINFO, &fix)) {
		result(0, "%s: the framebuffer opens", fb);
		return;
	}
	len = fix.smem_len & ~(size_t)(CHUNK - 1);
	printf("# %s: %s, %u bytes at %#lx\n", fb, fix.id, fix.smem_len,
	       fix.smem_start);
	mem = mmap(NULL, fix.smem_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   0);
	buf = malloc(CHUNK);
	if (mem == MAP_FAILED || !buf || !len) {
		result(0, "%s: the framebuffer maps", fb);
		goto out;
	}
	for (ok = 1, done = 0; ok && done < len; done += CHUNK) {
		fill(buf, done);
		ok = pwrite(fd, buf, CHUNK, done) == CHUNK;
	}
	result(ok && holds_pattern(mem, len, 0),
	       "%s: written with write(), read back through mmap()", fb);
	for (done = 0; done < len; done += CHUNK)
		fill(mem + done / 4, len + done);
	for (ok = 1, done = 0; ok && done < len; done += CHUNK)
		ok = pread(fd, buf, CHUNK, done) == CHUNK &&
		     holds_pattern(buf, CHUNK, len + done);
	result(ok, "%s: written through mmap(), read back with read()", fb);
	show_blocks(fb, (uint8_t *)mem, fd, &fix);
out:
	free(buf);
	if (mem != MAP_FAILED)
		munmap(mem, fix.smem_len);
	close(fd);
}

/*
 * Sum the allocs column of debugfs arm-dma/allocators, echoing the table:
 * the drivers' coherent buffers must have come through the layer.
 */
static long layer_allocations(void)
{
	char line[256], name[32];
	long allocs, total = -1;
	FILE *f = fopen("/sys/kernel/debug/arm-dma/allocators", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		printf("# %s", line);
		if (sscanf(line, "%31s %ld", name, &allocs) == 2)
			total = (total < 0 ? 0 : total) + allocs;
	}
	fclose(f);
	return total;
}

int main(void)
{
	char *devs, *dev, *mib, *save, *want_path, *ping, *nets, *rebind;
	static char ifs[512];
	uint32_t *buf, *want;
	size_t bytes;
	long errors;

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);

	mib = cmdline_value("disktest.mib");
	bytes = (size_t)(mib ? atoi(mib) : 4) << 20;
	devs = cmdline_value("disktest.devs");
	devs = strdup(devs ? devs : "vda");
	if (posix_memalign((void **)&buf, 4096, CHUNK) ||
	    posix_memalign((void **)&want, 4096, CHUNK))
		return 1;

	printf("KTAP version 1\n# disktest: %zu MiB per disk\n", bytes >> 20);
	for (dev = strtok_r(devs, ",", &save); dev; dev = strtok_r(NULL, ",", &save))
		test_disk(dev, bytes, buf, want);
	free(devs);
	ping = cmdline_value("disktest.ping");
	if (ping) {
		test_ping("eth0", ping);
		strcpy(ifs, ",eth0");
	}
	nets = cmdline_value("disktest.nets");
	nets = nets ? strdup(nets) : NULL;
	if (nets)
		test_nets(nets, NULL, ifs, sizeof(ifs));
	rebind = cmdline_value("disktest.rebind");
	if (nets && rebind)
		test_rebind(strdup(rebind), nets);
	if (cmdline_value("disktest.tcp"))
		test_tcp(strdup(cmdline_value("disktest.tcp")));
	if (cmdline_value("disktest.fb"))
		test_fb(cmdline_value("disktest.fb"));
	if (cmdline_value("disktest.dmatest"))
		test_dmatest(strdup(cmdline_value("disktest.dmatest")));
	devs = cmdline_value("disktest.devs");
	if (asprintf(&devs, "%s%s", devs ? devs : "vda", ifs) < 0)
		return 1;
	want_path = cmdline_value("disktest.iommu");
	want_path = want_path ? strdup(want_path) : NULL;
	/* After the I/O: lazy unmaps have been flushed by now. */
	for (dev = strtok_r(devs, ",", &save); want_path && dev;
	     dev = strtok_r(NULL, ",", &save)) {
		printf("# %s (%s): DMA %s\n", dev, disk_device(dev),
		       disk_dma_path(dev));
		result(!strcmp(disk_dma_path(dev), want_path),
		       "%s: the device's DMA took the expected IOMMU path", dev);
	}

	if (cmdline_value("disktest.upstream"))
		printf("ok %d all: the drivers' coherent buffers came from the ARM DMA layer # SKIP not this kernel's layer\n",
		       ++tests);
	else
		result(layer_allocations() > 0,
		       "%s: the drivers' coherent buffers came from the ARM DMA layer",
		       "all");
	errors = read_number("/sys/kernel/debug/dma-api/error_count");
	printf("# DMA-API debug error_count: %ld\n", errors);
	result(errors == 0, "%s: DMA-API debug reports no error", "all");
	printf("1..%d\n# disktest: %d passed, %d failed\n", tests,
	       tests - failures, failures);
	fflush(stdout);
	sync();
	if (cmdline_value("disktest.end")) {
		printf("# disktest: the host stops QEMU\n");
		fflush(stdout);
		wait_for_host();
	}
	reboot(cmdline_value("disktest.reset") ? RB_AUTOBOOT : RB_POWER_OFF);
	return 0;
}
