/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the /init programs of the harness (disktest.c, bench.c) share.
 * Static: each program is one file compiled alone.
 */
#ifndef HARNESS_INITLIB_H
#define HARNESS_INITLIB_H

#include <stdio.h>
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

#endif /* HARNESS_INITLIB_H */
