// SPDX-License-Identifier: Apache-2.0
/* netns.c - see netns.h */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns.h"

void tn_require(const char *const *tools)
{
	if (geteuid() != 0) {
		printf("skip: needs root\n");
		exit(77);
	}
	for (; tools && *tools; tools++) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1",
			 *tools);
		if (system(cmd)) {
			printf("skip: needs %s (tools/install-deps)\n", *tools);
			exit(77);
		}
	}
}

void tn_unshare(const char *setup)
{
	char *out = NULL;

	if (unshare(CLONE_NEWNET)) {
		printf("skip: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		exit(77);
	}
	if (setup && tn_run(setup, &out)) {
		printf("skip: netns setup failed: %s\n", out ? out : "");
		exit(77);
	}
	free(out);
}

int tn_run(const char *cmd, char **out)
{
	char *full;
	size_t len = 0, cap = 0;
	FILE *p;
	int st;

	if (asprintf(&full, "( %s ) 2>&1", cmd) < 0)
		return -1;
	p = popen(full, "r");
	free(full);
	if (!p)
		return -1;
	*out = NULL;
	for (;;) {
		size_t n;

		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			*out = realloc(*out, cap);
		}
		n = fread(*out + len, 1, cap - len - 1, p);
		len += n;
		if (!n)
			break;
	}
	(*out)[len] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char *tn_tmpfile(const char *text, int slot)
{
	static char paths[4][64];
	char *p = paths[slot & 3];
	FILE *f;
	int fd;

	snprintf(p, 64, "/tmp/flowlift-be-XXXXXX");
	fd = mkstemp(p);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return p;
}
