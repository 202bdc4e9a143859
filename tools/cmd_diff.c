// SPDX-License-Identifier: Apache-2.0
/*
 * cmd_diff.c - flowlift diff A B: which packets change verdict between two
 * rule sets of one target. Exit 0 same semantics, 1 different, 2 error, so
 * that a CI step can gate on it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "ir/ir.h"
#include "tools/cmds.h"

#define CMD "diff"
#define DIFF_EXIT_SAME 0
#define DIFF_EXIT_DIFFERENT 1
#define DIFF_EXIT_ERROR 2

static void diff_usage(void)
{
	printf("Usage: flowlift diff A B [--target ir|flower|nft|rteflow]\n"
	       "                        [--max-regions N] [-j]\n"
	       "\n"
	       "Compare two rule sets by what they do, not how they are written:\n"
	       "each region of packets whose verdict changes is printed with the\n"
	       "old and new verdict, the rules responsible on each side, and a\n"
	       "witness packet (hex and decoded). Renumbered priorities, reordered\n"
	       "disjoint rules and merged or split rules are no difference.\n"
	       "\n"
	       "  --target T       the files' format (default: from the files;\n"
	       "                   IR text starts with '# flowlift-ir')\n"
	       "  --max-regions N  report at most N regions (default 1000)\n"
	       "\n"
	       "Exit: 0 same semantics, 1 different, 2 error.\n");
}

static const char *sniff_target(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	const char *t = "ir";

	if (!f)
		return "ir"; /* the open error is reported by the parser */
	while (fgets(line, sizeof(line), f)) {
		/* the header compile writes, which a set without rules
		 * still has */
		if (!strncmp(line, "# flowlift flower rules", 23)) {
			t = "flower";
			break;
		}
		if (!strncmp(line, "# flowlift nft rules", 20)) {
			t = "nft";
			break;
		}
		if (!strncmp(line, "# flowlift rte_flow rules", 25)) {
			t = "rteflow";
			break;
		}
		if (strstr(line, "flowlift-ir")) {
			t = "ir";
			break;
		}
		if (!strncmp(line, "filter ", 7) || strstr(line, " flower ")) {
			t = "flower";
			break;
		}
		if (!strncmp(line, "table ", 6) || strstr(line, "netdev")) {
			t = "nft";
			break;
		}
		if (!strncmp(line, "flow create", 11)) {
			t = "rteflow";
			break;
		}
	}
	fclose(f);
	return t;
}

static struct ir_ruleset *load(const char *path, const char *target,
			       char *err, size_t errsz)
{
	const struct be_ops *be = strcmp(target, "ir") ? be_find(target) : NULL;
	struct be_opts bo = { 0 };
	struct ir_ruleset *rs;
	char perr[512] = "";
	FILE *f = fopen(path, "r");

	if (!f) {
		fl_err(err, errsz, 0, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (be && !be->parse) {
		fl_err(err, errsz, 0, "%s: target '%s' has no parser", path,
		       target);
		fclose(f);
		return NULL;
	}
	rs = be ? be->parse(f, &bo, perr, sizeof(perr))
		: ir_ruleset__parse(f, path, perr, sizeof(perr));
	fclose(f);
	if (!rs)
		fl_err(err, errsz, 0, "%s: %s", path, perr);
	return rs;
}

static enum ir_dissector dissector_of(const char *target)
{
	const struct be_ops *be = be_find(target);

	return be && be->caps ? be->caps->dissector : IR_DIS_FLOWER;
}

/* "ip4.src=10.0.0.1 l4.dport=80 ..." for the witness's present keys. */
static void decode_keys(const struct ir_keys *k, char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int f = 0; f < IR_F__COUNT && at < size; f++) {
		struct ir_match m;
		char one[128];

		if (!k->present[f])
			continue;
		ir_match__prefix(&m, (enum ir_field_id)f, k->v[f].b,
				 ir_field__get((enum ir_field_id)f)->width);
		if (ir_match__snprint(&m, one, sizeof(one)) < 0)
			continue;
		at += (size_t)snprintf(buf + at, size - at, "%s%s",
				       at ? " " : "", one);
	}
}

/* A region's matches: its rule text without "prio N" and the action. */
static const char *region_text(char *buf)
{
	char *p = strstr(buf, " -> "), *m;

	if (p)
		*p = '\0';
	m = strchr(buf, ' ');
	m = m ? strchr(m + 1, ' ') : NULL;
	return m ? m + 1 : buf;
}

static void print_rule_ref(FILE *f, const char *side, const struct ir_ruleset *rs,
			   long idx, const struct ir_action *act)
{
	char a[256], r[2048];

	ir_action__snprint(act, a, sizeof(a));
	if (idx < 0) {
		fprintf(f, "  %s: %s (no rule: slow path)\n", side, a);
		return;
	}
	ir_rule__snprint(ir_ruleset__rule_c(rs, (size_t)idx), r, sizeof(r),
			 false);
	fprintf(f, "  %s: %s (rule %ld: %s)\n", side, a, idx + 1, r);
}

/* "A 1, 2, 3; B 4" for the earlier rules a region excludes. */
static void print_except(const struct ir_diff_region *r)
{
	const uint32_t *v[2] = { r->except_a, r->except_b };
	uint32_t n[2] = { r->n_except_a, r->n_except_b };
	const char *side[2] = { "A", "B" };
	bool any = false;

	if (!n[0] && !n[1])
		return;
	printf("  except what earlier rules decide first:");
	for (int s = 0; s < 2; s++) {
		if (!n[s])
			continue;
		printf("%s %s", any ? ";" : "", side[s]);
		for (uint32_t i = 0; i < n[s] && i < IR_DIFF_EXCEPT; i++)
			printf("%s %u", i ? "," : "", v[s][i] + 1);
		if (n[s] > IR_DIFF_EXCEPT)
			printf(" and %u more", n[s] - IR_DIFF_EXCEPT);
		any = true;
	}
	printf("\n");
}

static void json_except(struct fl_json *j, const char *key, const uint32_t *v,
			uint32_t n)
{
	fl_json__key(j, key);
	fl_json__arr_begin(j);
	for (uint32_t i = 0; i < n && i < IR_DIFF_EXCEPT; i++)
		fl_json__u64(j, v[i] + 1);
	fl_json__arr_end(j);
}

static void print_text(const struct ir_diff *d, const struct ir_ruleset *a,
		       const struct ir_ruleset *b)
{
	size_t n = ir_diff__count(d);
	char buf[4096], hex[2 * 256 + 1];

	printf("%zu region%s differ%s%s\n", n, n == 1 ? "" : "s",
	       n == 1 ? "s" : "", ir_diff__truncated(d) ? " (truncated)" : "");
	for (size_t i = 0; i < n; i++) {
		const struct ir_diff_region *r = ir_diff__region(d, i);

		ir_rule__snprint(&r->match, buf, sizeof(buf), false);
		/* The region is the rule text without its priority/action. */
		printf("region %zu%s: %s\n", i + 1, r->approx ? " (approx)" : "",
		       region_text(buf));
		print_except(r);
		print_rule_ref(stdout, "A", a, r->a_rule, &r->old_act);
		print_rule_ref(stdout, "B", b, r->b_rule, &r->new_act);
		fl_hex(r->frame, (size_t)r->frame_len, hex);
		decode_keys(&r->keys, buf, sizeof(buf));
		printf("  witness: %s\n  decoded: %s\n", hex, buf);
	}
}

static void json_rule(struct fl_json *j, const char *key,
		      const struct ir_ruleset *rs, long idx,
		      const struct ir_action *act)
{
	char buf[2048];

	fl_json__key(j, key);
	fl_json__obj_begin(j);
	ir_action__snprint(act, buf, sizeof(buf));
	fl_json__kstr(j, "verdict", buf);
	fl_json__ki64(j, "rule", idx < 0 ? -1 : idx + 1);
	if (idx >= 0) {
		ir_rule__snprint(ir_ruleset__rule_c(rs, (size_t)idx), buf,
				 sizeof(buf), false);
		fl_json__kstr(j, "text", buf);
	}
	fl_json__obj_end(j);
}

static void print_json(const struct fl_ctx *ctx, const struct ir_diff *d,
		       const struct ir_ruleset *a, const struct ir_ruleset *b)
{
	struct fl_json *j = fl_ctx_json(ctx);
	char buf[4096], hex[2 * 256 + 1];

	fl_json__obj_begin(j);
	fl_json__kbool(j, "same", ir_diff__count(d) == 0);
	fl_json__kbool(j, "truncated", ir_diff__truncated(d));
	fl_json__key(j, "regions");
	fl_json__arr_begin(j);
	for (size_t i = 0; i < ir_diff__count(d); i++) {
		const struct ir_diff_region *r = ir_diff__region(d, i);

		fl_json__obj_begin(j);
		ir_rule__snprint(&r->match, buf, sizeof(buf), false);
		fl_json__kstr(j, "match", region_text(buf));
		json_except(j, "except_a", r->except_a, r->n_except_a);
		json_except(j, "except_b", r->except_b, r->n_except_b);
		fl_json__kbool(j, "approx", r->approx);
		json_rule(j, "a", a, r->a_rule, &r->old_act);
		json_rule(j, "b", b, r->b_rule, &r->new_act);
		fl_hex(r->frame, (size_t)r->frame_len, hex);
		fl_json__kstr(j, "witness", hex);
		decode_keys(&r->keys, buf, sizeof(buf));
		fl_json__kstr(j, "decoded", buf);
		fl_json__obj_end(j);
	}
	fl_json__arr_end(j);
	fl_json__obj_end(j);
	fl_json__free(j);
}

int do_diff(int argc, char **argv, struct fl_ctx *ctx)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "max-regions", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ 0 },
	};
	const char *target = NULL, *ta, *tb;
	struct ir_ruleset *a = NULL, *b = NULL;
	struct ir_diff *d = NULL;
	unsigned long max = 0;
	char err[1024], *end;
	int c, ret;

	if (fl_wants_help(argc, argv)) {
		diff_usage();
		return FL_EXIT_OK;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jp", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			target = optarg;
			break;
		case 'm':
			max = strtoul(optarg, &end, 10);
			if (*end || !*optarg || !max)
				return fl_usage_error(ctx, CMD,
					"--max-regions wants a positive number");
			break;
		case 'j': case 'p':
			break;
		default:
			return fl_usage_error(ctx, CMD, "bad option '%s'",
					      argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return fl_usage_error(ctx, CMD, "wants two rule files, A and B");
	if (target && strcmp(target, "ir") && !be_find(target))
		return fl_usage_error(ctx, CMD, "unknown target '%s'", target);
	ta = target ? target : sniff_target(argv[optind]);
	tb = target ? target : sniff_target(argv[optind + 1]);
	if (strcmp(ta, tb)) {
		fl_error(ctx, CMD, "A is %s rules, B is %s rules: diff compares one target",
			 ta, tb);
		return DIFF_EXIT_ERROR;
	}
	a = load(argv[optind], ta, err, sizeof(err));
	b = a ? load(argv[optind + 1], tb, err, sizeof(err)) : NULL;
	if (!a || !b) {
		fl_error(ctx, CMD, "%s", err);
		ret = DIFF_EXIT_ERROR;
		goto out;
	}
	ir_ruleset__sort(a);
	ir_ruleset__sort(b);
	ret = ir_diff(a, b, dissector_of(ta), max, &d);
	if (ret) {
		fl_error(ctx, CMD, "%s", strerror(-ret));
		ret = DIFF_EXIT_ERROR;
		goto out;
	}
	if (ctx->json)
		print_json(ctx, d, a, b);
	else
		print_text(d, a, b);
	ret = ir_diff__count(d) ? DIFF_EXIT_DIFFERENT : DIFF_EXIT_SAME;
out:
	ir_diff__free(d);
	ir_ruleset__free(a);
	ir_ruleset__free(b);
	return ret;
}
