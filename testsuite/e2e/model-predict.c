// SPDX-License-Identifier: Apache-2.0
/*
 * model-predict.c - what the IR's flower model says a set of frames hits,
 * for the flower_model guest scenario (model-run).
 *
 *   model-predict RULES FRAMES OUTDIR
 *
 * RULES is `flowlift compile --target flower` output, read back as apply
 * reads it (be_find("flower")->parse); FRAMES is `flowlift verify
 * --frames-out` output. Each frame goes through ir_dissect(IR_DIS_FLOWER)
 * and ir_ruleset__eval with mark 0 (AF_PACKET frames crossing a netns have
 * no mark). Writes into OUTDIR:
 *   frames.N  "fK HEX" lines for sendframes, at most 1000 a file;
 *   predict   "fK RULE" (RULE: index, -1 none) per frame sent;
 *   expect    "PREF ORD COUNT" per rule (ORD: its place among the rules
 *             of its priority, from 1 = the handle flower gives it) and
 *             "miss - COUNT".
 * Frames under 14 bytes, or tagged and under 20 (the receive path drops
 * them before tc: measured on Debian's 6.1, where 18 and 19 byte tagged
 * frames never reach ingress), are not sent; the number is printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "common/common.h"

#define MP_PER_FILE 1000

static int mp_unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > max || fl_unhex(s, out, n / 2))
		return -EINVAL;
	return (int)(n / 2);
}

int main(int argc, char **argv)
{
	const struct be_ops *be = be_find("flower");
	struct be_opts bo = { .dev = "vb", .offload = BE_OFFLOAD_SW };
	static char line[8192], hex[8192], path[4096];
	static uint8_t frame[4096];
	struct ir_ruleset *rs;
	unsigned long *hits, miss = 0, sent = 0, skipped = 0;
	FILE *f, *fr, *pr, *out = NULL;
	char err[512] = "";
	size_t n;

	if (argc != 4) {
		fprintf(stderr, "usage: model-predict RULES FRAMES OUTDIR\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f || !be) {
		perror(argv[1]);
		return 1;
	}
	rs = be->parse(f, &bo, err, sizeof(err));
	fclose(f);
	if (!rs) {
		fprintf(stderr, "model-predict: %s: %s\n", argv[1], err);
		return 1;
	}
	n = ir_ruleset__count(rs);
	hits = calloc(n + 1, sizeof(*hits));
	fr = fopen(argv[2], "r");
	snprintf(path, sizeof(path), "%s/predict", argv[3]);
	pr = fopen(path, "w");
	if (!hits || !fr || !pr) {
		perror("model-predict");
		return 1;
	}
	while (fgets(line, sizeof(line), fr)) {
		struct ir_meta meta = { .ifindex = 1, .mark = 0 };
		const struct ir_rule *rule;
		struct ir_keys keys;
		long ri = -1;
		int len;

		if (sscanf(line, "%8191s", hex) != 1)
			continue;
		len = strcmp(hex, "-") ? mp_unhex(hex, frame, sizeof(frame))
				       : 0;
		if (len < 0) {
			fprintf(stderr, "model-predict: %s: bad frame\n",
				argv[2]);
			return 1;
		}
		if (len < 14 || (len < 20 &&
		    ((frame[12] == 0x81 && frame[13] == 0) ||
		     (frame[12] == 0x88 && frame[13] == 0xa8)))) {
			skipped++;
			continue;
		}
		ir_dissect(IR_DIS_FLOWER, frame, (size_t)len, &meta, &keys);
		rule = ir_ruleset__eval(rs, IR_DIS_FLOWER, &keys);
		for (size_t i = 0; rule && i < n; i++)
			if (ir_ruleset__rule_c(rs, i) == rule)
				ri = (long)i;
		if (ri < 0)
			miss++;
		else
			hits[ri]++;
		if (sent % MP_PER_FILE == 0) {
			if (out)
				fclose(out);
			snprintf(path, sizeof(path), "%s/frames.%lu", argv[3],
				 sent / MP_PER_FILE);
			out = fopen(path, "w");
			if (!out) {
				perror(path);
				return 1;
			}
		}
		fprintf(out, "f%lu %s\n", sent, hex);
		fprintf(pr, "f%lu %ld\n", sent, ri);
		sent++;
	}
	if (out)
		fclose(out);
	fclose(fr);
	fclose(pr);
	snprintf(path, sizeof(path), "%s/expect", argv[3]);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ir_rule *r = ir_ruleset__rule_c(rs, i);
		unsigned int ord = 1;

		for (size_t j = 0; j < i; j++)
			ord += ir_ruleset__rule_c(rs, j)->prio == r->prio;
		fprintf(f, "%u %u %lu %zu\n", r->prio, ord, hits[i], i);
	}
	fprintf(f, "miss - %lu -1\n", miss);
	fclose(f);
	printf("%lu sent %lu skipped %zu rules %lu miss\n", sent, skipped, n,
	       miss);
	ir_ruleset__free(rs);
	free(hits);
	return 0;
}
