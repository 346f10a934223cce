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
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
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
	sg_benchmarks(NULL);
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
