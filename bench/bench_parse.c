// SPDX-License-Identifier: Apache-2.0
/*
 * bench_parse.c - what `flowlift apply` spends per filter line before
 * the kernel sees it: parsing the "filter add ..." text, and parsing,
 * placing (chain, prio, cookie, as apply places its rules) and encoding
 * the RTM_NEWTFILTER message into a be_nl batch, never sent, with the
 * functions apply calls (be_flower_parse_next, be_flower_filter_place,
 * be_flower_nl__add) and apply's cookie and slow path. The lines
 * are read into memory first; each is copied to a line buffer before it
 * is handed over, as getline() gives it to apply.
 *
 * Usage: bench_parse RULES [REPS [parse|encode]]
 *   RULES  `flowlift compile --target flower` output
 *   REPS   passes over the file per mode (default 20); the fastest
 *          pass counts (the machine is shared)
 *   MODE   only this one (for perf record); default both
 * Prints: "bench_parse lines=N reps=R parse_ns=P encode_ns=E", in ns
 * per line.
 * Exit: 0 measured, 1 error (a line that does not parse), 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "backends/backends_internal.h"

struct lines {
	char **v;
	size_t n, cap;
};

static int load(const char *path, struct lines *l)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f)
		return -errno;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (strncmp(line, "filter add ", 11))
			continue;
		if (l->n == l->cap) {
			size_t c = l->cap ? l->cap * 2 : 1024;
			char **v = realloc(l->v, c * sizeof(*v));

			if (!v)
				break;
			l->v = v;
			l->cap = c;
		}
		line[strcspn(line, "\r\n")] = '\0';
		l->v[l->n] = strdup(line);
		if (!l->v[l->n])
			break;
		l->n++;
	}
	free(line);
	fclose(f);
	return l->n ? 0 : -EINVAL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* As apply's place(): the set chain, its cookie, its slow path. */
static void place(struct be_flower_filter *f, uint32_t ifindex)
{
	static const uint8_t cookie[13] = {'f', 'l', 'o', 'w', 'l', 'i', 'f',
					   't', 'R', 0,	  0,   0,   2};

	f->ifindex = ifindex;
	f->goto_chain = 1;
	memcpy(f->cookie, cookie, sizeof(cookie));
	f->cookie_len = sizeof(cookie);
}

struct run {
	const struct lines *l;
	const struct be_opts *po, *o;
	struct be_flower_filter f;
	char buf[4096], err[512];
};

/* One pass; encode: into a fresh batch. Returns seconds or -1. */
static double pass(struct run *r, bool encode)
{
	struct be_nl *nl = NULL;
	double t0;
	int ret = 0;

	if (encode) {
		nl = be_nl__open(r->err, sizeof(r->err));
		if (!nl)
			return -1;
	}
	t0 = now();
	for (size_t i = 0; !ret && i < r->l->n; i++) {
		size_t len = strlen(r->l->v[i]);

		if (len >= sizeof(r->buf))
			return -1;
		memcpy(r->buf, r->l->v[i], len + 1);
		ret = be_flower_parse_next(r->buf, r->po, &r->f, r->err,
					   sizeof(r->err));
		if (ret || !encode)
			continue;
		ret = be_flower_filter_place(&r->f, r->o, r->err,
					     sizeof(r->err));
		if (!ret) {
			place(&r->f, 1);
			ret = be_flower_nl__add(nl, &r->f, i);
		}
	}
	t0 = now() - t0;
	be_nl__close(nl);
	if (ret) {
		fprintf(stderr, "bench_parse: line %s: %s\n", r->err,
			strerror(-ret));
		return -1;
	}
	return t0;
}

int main(int argc, char **argv)
{
	static struct run r;
	struct lines l = {0};
	struct be_opts po = {.dev = "vb"};
	struct be_opts o = {.dev = "vb", .offload = BE_OFFLOAD_SW, .chain = 2};
	double best[2] = {1e30, 1e30};
	int reps = argc > 2 ? atoi(argv[2]) : 20, lo = 0, hi = 2;

	if (argc > 3 && !strcmp(argv[3], "parse"))
		hi = 1;
	else if (argc > 3 && !strcmp(argv[3], "encode"))
		lo = 1;
	else if (argc > 3)
		reps = 0;
	if (argc < 2 || argc > 4 || reps < 1) {
		fprintf(stderr,
			"usage: bench_parse RULES [REPS [parse|encode]]\n");
		return 2;
	}
	if (load(argv[1], &l)) {
		fprintf(stderr, "bench_parse: %s: no filter lines\n", argv[1]);
		return 1;
	}
	r = (struct run){.l = &l, .po = &po, .o = &o};
	for (int i = 0; i < reps; i++) {
		for (int m = lo; m < hi; m++) {
			double s = pass(&r, m);

			if (s < 0)
				return 1;
			if (s < best[m])
				best[m] = s;
		}
	}
	printf("bench_parse lines=%zu reps=%d", l.n, reps);
	if (lo == 0)
		printf(" parse_ns=%.0f", best[0] * 1e9 / l.n);
	if (hi == 2)
		printf(" encode_ns=%.0f", best[1] * 1e9 / l.n);
	printf("\n");
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return 0;
}
