// SPDX-License-Identifier: GPL-2.0
/*
 * /init for make bench: bind a device to the kernel's dma_map_benchmark
 * driver and run its streaming map/unmap benchmark for each direction and
 * granule, printing one line per figure:
 *
 *   bench: <figure> map_100ns=<n> unmap_100ns=<n>
 *
 * Kernel command line: bench.dev=<bus>:<device>   (e.g. pci:0000:00:01.0)
 *                      bench.seconds=N            (default 1)
 *                      bench.threads=N            (default 1)
 *                      bench.maponly=1            (skip the alloc/sg runs)
 *                      bench.sg=1                 (map_sg on bench.dev, a
 *                                                  PCI device, even so, and
 *                                                  iommu_map/unmap on its
 *                                                  IOMMU driver alone)
 *                      bench.io=vda,nvme0n1       (instead of all that:
 *                                                  O_DIRECT reads and writes
 *                                                  of 4 and 64 KiB on each
 *                                                  disk, as real drivers
 *                                                  map them)
 *
 * and for bench.io:
 *
 *   bench: io/<disk>/<read|write>/<size>K ns=<n>
 *
 * n being the guest CPU time of one I/O (see start_spinner()).
 */
#define _GNU_SOURCE		/* O_DIRECT */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

#include "initlib.h"
#include <linux/types.h>
#include <linux/map_benchmark.h>

static const char *const dir_names[] = { "bidir", "to_device", "from_device" };

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int bind(const char *spec)
{
	char bus[16], dev[64], path[256];

	if (!spec || sscanf(spec, "%15[^:]:%63s", bus, dev) != 2)
		return -1;
	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver/unbind",
		 bus, dev);
	write_file(path, dev);
	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver_override",
		 bus, dev);
	if (write_file(path, "dma_map_benchmark"))
		return -1;
	snprintf(path, sizeof(path),
		 "/sys/bus/%s/drivers/dma_map_benchmark/bind", bus);
	return write_file(path, dev);
}

#define BENCH_FILE "/sys/kernel/debug/dma_alloc_benchmark"

/*
 * Give alloc_benchmark (kernel/dma/alloc_benchmark.c) a command and read
 * its result line into @text; print why not and return -1 on failure.
 */
static int ask(const char *cmd, char *text, int len)
{
	FILE *f;
	int ret = -1;

	if (!write_file(BENCH_FILE, cmd)) {
		f = fopen(BENCH_FILE, "r");
		if (f) {
			if (fgets(text, len, f))
				ret = 0;
			fclose(f);
		}
	}
	if (ret)
		printf("bench: error: %s: %s failed\n", BENCH_FILE, cmd);
	return ret;
}

/*
 * map_sg of 1 to 256 separate pages on alloc_benchmark's coherent device,
 * or on the PCI device @pci_dev when it is not NULL.
 */
static void sg_benchmarks(const char *pci_dev)
{
	static const unsigned int entries[] = { 1, 16, 64, 256 };
	unsigned long long map_ns, unmap_ns;
	char cmd[64], text[80];
	unsigned int i;
	int segs;

	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		snprintf(cmd, sizeof(cmd), "sg %u %s", entries[i],
			 pci_dev ? pci_dev : "");
		if (ask(cmd, text, sizeof(text)))
			continue;
		if (sscanf(text, "map_ns=%llu unmap_ns=%llu segments=%d",
			   &map_ns, &unmap_ns, &segs) != 3)
			printf("bench: error: %s: no result\n", cmd);
		else
			printf("bench: map_sg/%u-entries map_ns=%llu unmap_ns=%llu segments=%d\n",
			       entries[i], map_ns, unmap_ns, segs);
	}
}

/*
 * iommu_map(), iommu_unmap() and iommu_unmap_fast() of 1 and 16 pages on a
 * paging domain of @pci_dev's IOMMU driver: what any DMA layer over it
 * pays, at the least.
 */
static void iommu_benchmarks(const char *pci_dev)
{
	static const unsigned int pages[] = { 1, 16 };
	unsigned long long map_ns, unmap_ns, clear_ns;
	char cmd[64], text[80];
	unsigned int i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		snprintf(cmd, sizeof(cmd), "iommu %u %s", pages[i], pci_dev);
		if (ask(cmd, text, sizeof(text)))
			continue;
		if (sscanf(text, "map_ns=%llu unmap_ns=%llu clear_ns=%llu",
			   &map_ns, &unmap_ns, &clear_ns) != 3)
			printf("bench: error: %s: no result\n", cmd);
		else
			printf("bench: iommu_driver/%uK map_ns=%llu unmap_ns=%llu clear_ns=%llu\n",
			       pages[i] * 4, map_ns, unmap_ns, clear_ns);
	}
}

/*
 * dma_alloc_benchmark: one page allocated and freed on each allocation
 * path, then on the sleeping path among more and more live buffers.
 */
static void alloc_benchmarks(void)
{
	static const struct { const char *path; unsigned int live; } runs[] = {
		{ "coherent", 0 }, { "sleeping", 0 }, { "atomic", 0 },
		{ "sleeping", 100 }, { "sleeping", 1000 }, { "sleeping", 10000 },
	};
	unsigned long long alloc_ns, free_ns;
	char cmd[32], text[64];
	unsigned int i;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s %u", runs[i].path, runs[i].live);
		if (ask(cmd, text, sizeof(text)))
			continue;
		if (sscanf(text, "alloc_ns=%llu free_ns=%llu", &alloc_ns,
			   &free_ns) != 2)
			printf("bench: error: %s: no result\n", cmd);
		else
			printf("bench: alloc_free/%s/%u-live alloc_ns=%llu free_ns=%llu\n",
			       runs[i].path, runs[i].live, alloc_ns, free_ns);
	}
	if (!ask("zero 1", text, sizeof(text)) &&
	    sscanf(text, "zero_ns=%llu", &alloc_ns) == 1)
		printf("bench: zero/4K ns=%llu\n", alloc_ns);
	sg_benchmarks(NULL);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Under -icount with sleep=off, an idle CPU's clock jumps to its next
 * timer: time waiting for a disk says nothing.  So a spinner of the lowest
 * priority (SCHED_IDLE) takes every moment the I/O leaves, counting; the
 * CPU time of the I/O is the elapsed time less what the spinner got.
 */
static volatile uint64_t *spins;

static void start_spinner(void)
{
	struct sched_param param = { 0 };

	spins = mmap(NULL, sizeof(*spins), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (spins == MAP_FAILED || fork())
		return;
	sched_setscheduler(0, SCHED_IDLE, &param);
	for (;;)
		(*spins)++;
}

/* Nanoseconds of CPU per spin, the spinner alone for a while. */
static double ns_per_spin(void)
{
	uint64_t t = now_ns(), s = *spins;

	usleep(200000);
	return (double)(now_ns() - t) / (double)(*spins - s);
}

/*
 * The guest CPU time of one O_DIRECT read or write of @size bytes on
 * @disk, averaged over 8 MiB worth (at least 256 of them), going through
 * the disk from its start: the block layer maps each through the DMA API.
 */
static void io_benchmark(const char *disk, size_t size, int write,
			 double spin_ns)
{
	const size_t span = 8 << 20;
	unsigned int rounds = span / size < 256 ? 256 : span / size, i;
	uint64_t t, s;
	char path[64];
	void *buf;
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", disk);
	fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0 || posix_memalign(&buf, 4096, size)) {
		printf("bench: error: io/%s: cannot open it for O_DIRECT\n", disk);
		if (fd >= 0)
			close(fd);
		return;
	}
	memset(buf, 0x5a, size);
	t = now_ns();
	s = *spins;
	for (i = 0; i < rounds; i++) {
		off_t at = (off_t)(i * size) % span;
		ssize_t n = write ? pwrite(fd, buf, size, at) :
				    pread(fd, buf, size, at);

		if (n != (ssize_t)size) {
			printf("bench: error: io/%s: %s of %zu bytes at %lld: %zd\n",
			       disk, write ? "write" : "read", size,
			       (long long)at, n);
			goto out;
		}
	}
	t = now_ns() - t;
	s = *spins - s;
	printf("bench: io/%s/%s/%zuK ns=%llu\n", disk, write ? "write" : "read",
	       size >> 10,
	       (unsigned long long)((t - s * spin_ns) / rounds));
out:
	free(buf);
	close(fd);
}

static void io_benchmarks(char *disks)
{
	static const size_t sizes[] = { 4096, 65536 };
	char *disk, *save;
	double spin_ns;
	unsigned int s;

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	start_spinner();
	spin_ns = ns_per_spin();
	for (disk = strtok_r(disks, ",", &save); disk;
	     disk = strtok_r(NULL, ",", &save))
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			io_benchmark(disk, sizes[s], 0, spin_ns);
			io_benchmark(disk, sizes[s], 1, spin_ns);
		}
}

int main(void)
{
	static const unsigned int granules[] = { 1, 16 };
	struct map_benchmark mb;
	unsigned int dir, g;
	char *dev, *secs, *threads;
	int fd, seconds, nthreads;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);

	secs = cmdline_value("bench.seconds");
	seconds = secs ? atoi(secs) : 1;
	threads = cmdline_value("bench.threads");
	nthreads = threads ? atoi(threads) : 1;
	dev = cmdline_value("bench.io");
	if (dev) {
		io_benchmarks(strdup(dev));
		goto out;
	}
	dev = cmdline_value("bench.dev");
	dev = dev ? strdup(dev) : NULL;
	if (bind(dev)) {
		printf("bench: error: cannot bind %s to dma_map_benchmark\n",
		       dev ? dev : "(no bench.dev=)");
		goto out;
	}
	fd = open("/sys/kernel/debug/dma_map_benchmark", O_RDWR);
	if (fd < 0) {
		printf("bench: error: no /sys/kernel/debug/dma_map_benchmark\n");
		goto out;
	}
	for (g = 0; g < sizeof(granules) / sizeof(granules[0]); g++)
		for (dir = 0; dir < 3; dir++) {
			memset(&mb, 0, sizeof(mb));
			mb.threads = nthreads;
			mb.seconds = seconds;
			mb.node = -1;
			mb.dma_bits = 32;
			mb.dma_dir = dir;
			mb.granule = granules[g];
			if (ioctl(fd, DMA_MAP_BENCHMARK, &mb)) {
				printf("bench: error: ioctl failed (%s, %u pages)\n",
				       dir_names[dir], granules[g]);
				continue;
			}
			printf("bench: map_unmap/%uK/%s/%u-thread%s map_100ns=%llu unmap_100ns=%llu\n",
			       granules[g] * 4, dir_names[dir], nthreads,
			       nthreads > 1 ? "s" : "",
			       (unsigned long long)mb.avg_map_100ns,
			       (unsigned long long)mb.avg_unmap_100ns);
		}
	close(fd);
	if (!cmdline_value("bench.maponly"))
		alloc_benchmarks();
	else if (cmdline_value("bench.sg") && !strncmp(dev, "pci:", 4)) {
		sg_benchmarks(dev + 4);
		iommu_benchmarks(dev + 4);
	}
out:
	printf("bench: done\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
