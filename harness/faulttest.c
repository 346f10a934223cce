// SPDX-License-Identifier: GPL-2.0
/*
 * /init for the fault-injection run of make check.  The kernel is the
 * KUnit build with the checkers; it has run arm_dma_stress once at boot.
 * This program turns failslab, fail_page_alloc and fail_arm_iova on for
 * tasks that ask for them (task-filter), has the stress suite's threads
 * ask (dma_stress_test.faults), runs the suite again through debugfs,
 * turns injection off and runs it once more: every case must pass each
 * time, and, caches dropped, free memory must be back where it was before
 * the faults.  Prints KTAP and powers off.
 *
 * Kernel command line: faulttest.percent=N  (default 5: the chance that
 *                                            each allocation fails)
 *                      faulttest.suite=NAME (default arm_dma_stress)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "initlib.h"

#define DEBUGFS "/sys/kernel/debug"
#define FAULTS "/sys/module/dma_stress_test/parameters/faults"
/* Memory the runs may keep, in KiB: slab and per-CPU caches grown. */
#define SLACK_KIB 1024

static int tests;
static int failures;

static void result(int ok, const char *what)
{
	tests++;
	if (!ok)
		failures++;
	printf("%sok %d %s\n", ok ? "" : "not ", tests, what);
	fflush(stdout);
}

static long meminfo(const char *field)
{
	char line[128];
	long value = -1;
	size_t len = strlen(field);
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':')
			value = strtol(line + len + 1, NULL, 10);
	if (f)
		fclose(f);
	return value;
}

/*
 * Free pages, in KiB: the buddy lists and the per-CPU lists of every zone,
 * read in one pass over /proc/zoneinfo once the per-CPU counter deltas are
 * folded in (stat_refresh).  Reading MemFree and the per-CPU lists apart
 * missed pages moving between them: up to 9.6 MiB, seen idle.
 */
static long zone_free_kib(void)
{
	char line[160];
	long value, pages = 0;
	FILE *f;

	write_sysfs("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/zoneinfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " pages free %ld", &value) == 1 ||
		    sscanf(line, " count: %ld", &value) == 1)
			pages += value;
	if (f)
		fclose(f);
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

static int compare_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/*
 * Free memory, caches dropped, and slab: KASAN's quarantine holds freed
 * objects in slab pages, and only a page that left the page allocator for
 * good is a leak of the kind the layer's counters cannot see (kmemleak's
 * domain is slab).  Even on an idle machine one reading in twenty comes
 * out up to 1.2 MiB low for a moment, so the answer is the median of
 * SAMPLES readings.
 */
#define SAMPLES 9
static long free_kib(void)
{
	long kib[SAMPLES];
	int i;

	sync();
	write_sysfs("/proc/sys/vm/drop_caches", "3");
	for (i = 0; i < SAMPLES; i++)
		kib[i] = zone_free_kib() + meminfo("Slab");
	qsort(kib, SAMPLES, sizeof(kib[0]), compare_long);
	printf("# free and slab: median %ld KiB of %d readings from %ld to %ld\n",
	       kib[SAMPLES / 2], SAMPLES, kib[0], kib[SAMPLES - 1]);
	return kib[SAMPLES / 2];
}

/* A snapshot of the kernel's memory counters, to say where a loss went. */
struct counters {
	int n;
	char name[320][48];
	long value[320];
};

static void snapshot(struct counters *c)
{
	static const char *const files[] = { "/proc/meminfo", "/proc/vmstat" };
	char line[128];
	unsigned int i;

	c->n = 0;
	for (i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");

		while (f && c->n < 320 && fgets(line, sizeof(line), f))
			if (sscanf(line, "%47[^: ]%*[: ]%ld", c->name[c->n],
				   &c->value[c->n]) == 2)
				c->n++;
		if (f)
			fclose(f);
	}
}

/* Print each counter that moved by at least @min: where a loss went. */
static void moved(const struct counters *a, const struct counters *b, long min)
{
	int i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (!strcmp(a->name[i], b->name[i]) &&
		    labs(b->value[i] - a->value[i]) >= min)
			printf("# %s: %ld -> %ld\n", a->name[i], a->value[i],
			       b->value[i]);
}

/*
 * failslab fails only the kmalloc caches (cache-filter): the layer's
 * allocations come from them, and the checkers' own (DMA-API debug's
 * radix tree, KASAN's and lockdep's) from caches of their own, which a
 * failure would switch off.
 */
static int kmalloc_caches_only(void)
{
	char path[300];
	struct dirent *e;
	DIR *d = opendir("/sys/kernel/slab");
	int marked = 0;

	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "kmalloc-", 8))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/failslab",
			 e->d_name);
		marked += write_sysfs(path, "1");
	}
	if (d)
		closedir(d);
	return marked && write_sysfs(DEBUGFS "/failslab/cache-filter", "Y");
}

/* One injector: on for the tasks that ask, at @percent, or off. */
static int injector(const char *name, int percent)
{
	static const char *const knobs[][2] = {
		{ "task-filter", "Y" }, { "interval", "1" }, { "times", "-1" },
		{ "space", "0" }, { "verbose", "0" }, { "ignore-gfp-wait", "N" },
		{ "ignore-gfp-highmem", "N" }, { "min-order", "0" },
	};
	char path[128], value[16];
	unsigned int i;
	int ok = 1;

	for (i = 0; percent && i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), DEBUGFS "/%s/%s", name, knobs[i][0]);
		/* Not every injector has every knob. */
		if (!access(path, F_OK))
			ok &= write_sysfs(path, knobs[i][1]);
	}
	snprintf(path, sizeof(path), DEBUGFS "/%s/probability", name);
	snprintf(value, sizeof(value), "%d", percent);
	return write_sysfs(path, value) && ok;
}

static int injectors(int percent)
{
	if (percent && !kmalloc_caches_only())
		return 0;
	return injector("failslab", percent) &
	       injector("fail_page_alloc", percent) &
	       injector("fail_arm_iova", percent);
}

/*
 * Run @suite through debugfs and echo its results; one result line per
 * case, named after @phase.  Return: whether every case passed.
 */
static int run_suite(const char *suite, const char *phase)
{
	char path[128], line[512], what[256], name[200];
	int before = failures, cases = 0;
	FILE *f;

	snprintf(path, sizeof(path), DEBUGFS "/kunit/%s/run", suite);
	if (!write_sysfs(path, "1")) {
		result(0, "the suite ran");
		return 0;
	}
	snprintf(path, sizeof(path), DEBUGFS "/kunit/%s/results", suite);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *text = line + strspn(line, " ");
		int not = !strncmp(text, "not ", 4);

		printf("# %s", line);
		/* Case results are indented; the suite's own line is not. */
		if (line[0] != ' ' ||
		    sscanf(text + 4 * not, "ok %*d %199s", name) != 1)
			continue;
		snprintf(what, sizeof(what), "%s: %s", phase, name);
		cases++;
		result(!not, what);
	}
	if (f)
		fclose(f);
	if (!cases)
		result(0, "the suite reported its cases");
	return failures == before;
}

int main(void)
{
	static struct counters start, end;
	char *percent_arg = NULL, *suite = NULL, what[128];
	long before, after;
	int percent;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	percent_arg = cmdline_value("faulttest.percent");
	percent = percent_arg ? atoi(percent_arg) : 5;
	suite = cmdline_value("faulttest.suite");
	suite = strdup(suite ? suite : "arm_dma_stress");

	printf("KTAP version 1\n# faulttest: %s with %d%% of allocations failing\n",
	       suite, percent);
	before = free_kib();
	snapshot(&start);
	result(injectors(percent) && write_sysfs(FAULTS, "Y"),
	       "failslab, fail_page_alloc and fail_arm_iova are on for the load");
	run_suite(suite, "with faults");
	result(injectors(0) && write_sysfs(FAULTS, "N"),
	       "the injectors are off");
	run_suite(suite, "after faults");
	after = free_kib();
	snapshot(&end);
	printf("# free and slab: %ld KiB before the faults, %ld KiB after\n",
	       before, after);
	snprintf(what, sizeof(what),
		 "free memory is back within %d KiB of where it was",
		 SLACK_KIB);
	result(before > 0 && after > 0 && before - after <= SLACK_KIB, what);
	if (before - after > SLACK_KIB)
		moved(&start, &end, 64);

	printf("1..%d\n# faulttest: %d passed, %d failed\n", tests,
	       tests - failures, failures);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
