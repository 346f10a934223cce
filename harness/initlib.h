/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the /init programs of the harness (disktest.c, bench.c) share.
 * Static: each program is one file compiled alone.
 */
#ifndef HARNESS_INITLIB_H
#define HARNESS_INITLIB_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The value of "name=" on the kernel command line, or NULL.  The answer
 * lives in a static buffer, and strtok() state is not kept across calls.
 */
static char *cmdline_value(const char *name)
{
	static char line[1024];
	size_t len = strlen(name);
	char *word, *save;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return NULL;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	for (word = strtok_r(line, " \n", &save); word;
	     word = strtok_r(NULL, " \n", &save))
		if (!strncmp(word, name, len) && word[len] == '=')
			return word + len + 1;
	return NULL;
}

/* Write @value to a sysfs or debugfs file; say why not when it fails. */
static inline int write_sysfs(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");
	int ok = f && fputs(value, f) >= 0;

	if (f && fclose(f))
		ok = 0;
	if (!ok)
		printf("# cannot write %s to %s: %s\n", value, path,
		       strerror(errno));
	return ok;
}

/* The number a file starts with, or -1. */
static inline long read_number(const char *path)
{
	char text[32] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(text, sizeof(text), f))
		text[0] = '\0';
	fclose(f);
	return text[0] ? strtol(text, NULL, 0) : -1;
}

/* "groupN" for the IOMMU group of PCI device @name, or "". */
static inline const char *iommu_group_of(const char *name)
{
	static char group[32];
	char path[128], real[256];
	const char *slash;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 name);
	if (!realpath(path, real) || !(slash = strrchr(real, '/')))
		return "";
	snprintf(group, sizeof(group), "group%s", slash + 1);
	return group;
}

#endif /* HARNESS_INITLIB_H */
