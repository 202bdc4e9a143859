// SPDX-License-Identifier: Apache-2.0
/*
 * bench_verify.c - packets per second through the two sides of `flowlift
 * verify`: the rule set's interpreter (ir_dissect with the flower model +
 * the first-match index, ir_index__eval, as verify runs it) and the kernel
 * (BPF_PROG_TEST_RUN, one frame per call as verify runs it, through
 * vf_kern__run). For reference, the linear first-match scan the index
 * replaces (ir_ruleset__eval) over a prefix of the frames: at most
 * LINEAR_BUDGET / rules frames (at least 100), so that 80k rules finish;
 * every frame it sees must get the same rule from both, or the run fails.
 * The index is built once before the runs; its build time is printed
 * apart ("index build_s=..."), not counted in the interpreter's rate.
 *
 * Frames: N random well-formed Ethernet/IPv4 TCP, UDP or ICMP frames
 * (seeded), sources drawn half from 10.0.0.0/8 and half at random, ports
 * from a few services and at random. Both sides see the same frames, in
 * the same order, REPS times; the best and median rates are printed.
 *
 * Usage: bench_verify OBJ N REPS [--map NAME=FILE]... [--assume A]...
 *                     [--target ir|flower]  (ir: not legalised; flower)
 * Prints "interp", "linear" and "kernel" lines with frames, seconds, pps,
 * and the number of frames the rules decide (not slow path), then
 * "index build_s=S subtables=K" and "rules R paths P". Needs root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends/backends.h"
#include "compiler/compiler.h"
#include "verify/verify.h"

#define FRAME_LEN 74
#define LINEAR_BUDGET 20000000.0 /* rule x frame evaluations */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void frame(uint8_t *f, uint64_t *s)
{
	static const uint16_t ports[] = {22, 23, 53, 80, 443, 8080};
	static const uint8_t protos[] = {6, 17, 1};
	uint8_t proto = protos[rnd(s) % 3];
	uint32_t src = rnd(s) & 1 ? 0x0a000000 | (rnd(s) & 0xffffff) : rnd(s);
	uint16_t dport = rnd(s) & 1 ? ports[rnd(s) % 6] : rnd(s);

	memset(f, 0, FRAME_LEN);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
	f[14] = 0x45;
	f[16] = 0;
	f[17] = FRAME_LEN - 14;
	f[20] = 0x40;
	f[22] = 64;
	f[23] = proto;
	f[26] = src >> 24, f[27] = src >> 16, f[28] = src >> 8, f[29] = src;
	f[30] = 192, f[31] = 168, f[32] = 0, f[33] = 1;
	if (proto == 1) {
		f[34] = rnd(s) & 1 ? 8 : 0; /* echo request / reply */
		return;
	}
	f[34] = 0x9c, f[35] = rnd(s); /* sport 40000.. */
	f[36] = dport >> 8, f[37] = dport;
	if (proto == 6) {
		f[46] = 0x50;
		f[47] = 0x02;
	} else {
		f[38] = 0, f[39] = FRAME_LEN - 34;
	}
}

/* The first rule for frame f: through the index, or the linear scan
 * when ix is NULL; -1: none. */
static long eval(const struct ir_ruleset *rs, const struct ir_index *ix,
		 const uint8_t *f)
{
	struct ir_meta meta = {0};
	struct ir_keys keys;
	const struct ir_rule *m;

	ir_dissect(IR_DIS_FLOWER, f, FRAME_LEN, &meta, &keys);
	if (ix)
		return ir_index__eval(ix, IR_DIS_FLOWER, &keys);
	m = ir_ruleset__eval(rs, IR_DIS_FLOWER, &keys);
	return m ? (long)(m - ir_ruleset__rule_c(rs, 0)) : -1;
}

/* Evaluate n frames reps times (seconds of each in secs[]); returns how
 * many frames a rule decides (not the slow path). */
static size_t interp(const struct ir_ruleset *rs, const struct ir_index *ix,
		     const uint8_t *frames, size_t n, int reps, double *secs)
{
	size_t decided = 0;

	for (int r = 0; r < reps; r++) {
		double t0 = now_s();

		decided = 0;
		for (size_t i = 0; i < n; i++) {
			long m = eval(rs, ix, frames + i * FRAME_LEN);

			decided += m >= 0 &&
				   ir_ruleset__rule_c(rs, (size_t)m)
						   ->action.verdict !=
					   IR_ACT_SLOWPATH;
		}
		secs[r] = now_s() - t0;
	}
	return decided;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, double *secs, int reps, size_t n,
		   size_t decided)
{
	qsort(secs, reps, sizeof(*secs), cmp_d);
	printf("%s frames=%zu reps=%d median_s=%.4f median_pps=%.0f "
	       "best_pps=%.0f worst_pps=%.0f decided=%zu\n",
	       what, n, reps, secs[reps / 2], n / secs[reps / 2], n / secs[0],
	       n / secs[reps - 1], decided);
}

int main(int argc, char **argv)
{
	const struct be_ops *be = be_find("flower");
	struct lift_opts lo = {.caps = be ? be->caps : NULL};
	struct ir_ruleset *rs = NULL;
	struct ir_index *ix = NULL;
	struct lift_object *obj = NULL;
	struct vf_kern *k = NULL;
	struct lift_stats st;
	struct lift_prog *p;
	char err[512];
	uint8_t *frames = NULL;
	double secs[64];
	size_t n, n_lin, decided;
	double t0, build_s;
	uint64_t seed = 1;
	int reps, ret = 1;

	if (argc < 4 || (argc - 4) % 2) {
		fprintf(stderr, "usage: bench_verify OBJ N REPS "
				"[--map NAME=FILE]... [--assume A]... "
				"[--target ir|flower]\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	reps = atoi(argv[3]);
	if (!n || reps < 1 || reps > 64 || !be)
		return 2;
	obj = lift_object__open(argv[1], err, sizeof(err));
	p = obj ? lift_object__find_prog(obj, NULL, err, sizeof(err)) : NULL;
	if (!p)
		goto fail;
	for (int i = 4; i < argc; i += 2) {
		char *eq = strchr(argv[i + 1], '=');

		if (!strcmp(argv[i], "--target")) {
			lo.caps = strcmp(argv[i + 1], "ir") ? lo.caps : NULL;
			continue;
		}
		if (!strcmp(argv[i], "--assume")) {
			lo.assume |= !strcmp(argv[i + 1], "no-ip-options")
					     ? IR_ASSUME_NO_IP_OPTIONS
					     : IR_ASSUME_WELL_FORMED;
			continue;
		}
		if (strcmp(argv[i], "--map") || !eq)
			return 2;
		*eq = 0;
		if (lift_object__load_dump(obj, argv[i + 1], eq + 1, err,
					   sizeof(err)))
			goto fail;
	}
	if (lift_compile(obj, p, &lo, &rs, &st, err, sizeof(err)))
		goto fail;
	k = vf_kern__open(argv[1], obj, NULL, err, sizeof(err));
	if (!k)
		goto fail;
	frames = malloc(n * FRAME_LEN);
	if (!frames)
		goto fail;
	for (size_t i = 0; i < n; i++)
		frame(frames + i * FRAME_LEN, &seed);

	t0 = now_s();
	ix = ir_index__new(rs);
	if (!ix) {
		snprintf(err, sizeof(err), "index: %s", strerror(errno));
		goto fail;
	}
	build_s = now_s() - t0;
	decided = interp(rs, ix, frames, n, reps, secs);
	report("interp", secs, reps, n, decided);
	n_lin = (size_t)(LINEAR_BUDGET / (ir_ruleset__count(rs) + 1));
	n_lin = n_lin < 100 ? 100 : n_lin > n ? n : n_lin;
	decided = interp(rs, NULL, frames, n_lin, reps, secs);
	report("linear", secs, reps, n_lin, decided);
	for (size_t i = 0; i < n_lin; i++) {
		if (eval(rs, NULL, frames + i * FRAME_LEN) ==
		    eval(rs, ix, frames + i * FRAME_LEN))
			continue;
		snprintf(err, sizeof(err), "frame %zu: the index and the "
			 "linear scan disagree", i);
		goto fail;
	}
	for (int r = 0; r < reps; r++) {
		struct vf_kern_result res;

		t0 = now_s();
		decided = 0;
		for (size_t i = 0; i < n; i++) {
			if (vf_kern__run(k, frames + i * FRAME_LEN, FRAME_LEN,
					 0, &res) ||
			    res.err) {
				snprintf(err, sizeof(err), "test_run: %s",
					 strerror(res.err ? -res.err : errno));
				goto fail;
			}
			decided++;
		}
		secs[r] = now_s() - t0;
	}
	report("kernel", secs, reps, n, decided);
	printf("index build_s=%.4f subtables=%zu rules=%zu\n", build_s,
	       ir_index__subtables(ix), ir_ruleset__count(rs));
	printf("rules %u paths %u\n", st.rules, st.paths);
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "bench_verify: %s\n", err);
out:
	free(frames);
	vf_kern__free(k);
	ir_index__free(ix);
	ir_ruleset__free(rs);
	lift_object__free(obj);
	return ret;
}
