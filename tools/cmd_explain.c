// SPDX-License-Identifier: Apache-2.0
/*
 * cmd_explain.c - flowlift explain: every emitted rule traced back to the
 * eBPF path it came from (instruction ranges, disassembly, source lines
 * from BTF line info, the map entries it used), and every slow-path
 * decision with its reason and place.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tools/disasm.h"
#include "tools/pipeline.h"

#define CMD "explain"

struct explain_args {
	struct fl_pipeline pl;
	long rule;  /* 1-based; 0: all */
	bool insns; /* show the instructions */
};

static void explain_usage(void)
{
	printf("Usage: flowlift explain OBJ [--prog NAME] [--map NAME=FILE]...\n"
	       "         [--live PIN|id:N] [--target ir|flower|nft|rteflow]\n"
	       "         [--assume A]... [--rule N] [--no-insns] [-j]\n"
	       "\n"
	       "Compile as 'flowlift compile' does, then show for each rule the\n"
	       "eBPF path it came from: instruction ranges, the source lines\n"
	       "(BTF line info), the instructions (LLVM's BPF disassembler), and\n"
	       "the map entries it used; then every slow-path decision and why.\n"
	       "It takes compile's options, so a compile command line can be\n"
	       "explained as it is (--dev, --port, --ifname and --offload change\n"
	       "only how compile prints the rules, not which rules there are).\n"
	       "\n"
	       "  --rule N     only rule N (1-based, in rule set order)\n"
	       "  --no-insns   source lines only, no instructions\n");
}

static const char *short_file(const char *f)
{
	const char *s = f ? strrchr(f, '/') : NULL;

	return s ? s + 1 : f ? f : "?";
}

/* Source line then its instructions, for the insns of one range. */
static void text_range(struct fl_disasm *d, const struct lift_prog *p,
		       const struct ir_insn_range *r, bool insns,
		       const struct lift_line **last)
{
	for (size_t i = r->first; i <= r->last && i < p->n_insns;) {
		const struct lift_line *ln = lift_prog__line(p, i);
		char buf[256];
		bool by_llvm;
		int n;

		if (ln && ln->file && (!*last || (*last)->line != ln->line ||
					strcmp((*last)->file, ln->file))) {
			printf("  %s:%u: %s\n", short_file(ln->file), ln->line,
			       ln->text ? ln->text : "");
			*last = ln;
		}
		n = fl_disasm__insn(d, p->insns, p->n_insns, i, buf,
				    sizeof(buf), &by_llvm);
		if (n <= 0)
			break;
		if (insns)
			printf("      %4zu: %s\n", i, buf);
		i += (size_t)n;
	}
}

/* The program an instruction range is in: the lifted one, or one it
 * reached by tail call (NULL if the object does not have it). */
static const struct lift_prog *range_prog(const struct explain_args *a,
					  const struct ir_prov *pv,
					  const struct ir_insn_range *ir)
{
	char err[256];

	if (!ir->prog)
		return a->pl.p;
	if (ir->prog > pv->n_progs)
		return NULL;
	return lift_object__find_prog(a->pl.o, pv->progs[ir->prog - 1], err,
				      sizeof(err));
}

static void text_rule(const struct explain_args *a, struct fl_disasm *d,
		      const struct ir_rule *r, size_t idx)
{
	const struct ir_prov *pv = &r->prov;
	const struct lift_line *last = NULL;
	char buf[4096];

	ir_rule__snprint(r, buf, sizeof(buf), false);
	printf("rule %zu: %s\n", idx + 1, buf);
	if (pv->path < 0 && !pv->n_ranges) {
		printf("  (no single path: made by a pass)\n");
		return;
	}
	printf("  path %d, insns", pv->path);
	for (uint32_t k = 0; k < pv->n_ranges; k++) {
		const struct ir_insn_range *ir = &pv->ranges[k];

		printf("%s", k ? "," : " ");
		if (ir->prog && ir->prog <= pv->n_progs &&
		    (!k || pv->ranges[k - 1].prog != ir->prog))
			printf("%s:", pv->progs[ir->prog - 1]);
		printf("%u-%u", ir->first, ir->last);
	}
	printf("\n");
	for (uint32_t k = 0; k < pv->n_maprefs; k++)
		printf("  map entry %s\n", pv->maprefs[k]);
	for (uint32_t k = 0; k < pv->n_ranges; k++) {
		const struct ir_insn_range *ir = &pv->ranges[k];
		const struct lift_prog *p = range_prog(a, pv, ir);

		if (ir->prog && (!k || pv->ranges[k - 1].prog != ir->prog)) {
			printf("  tail call into %s%s\n",
			       pv->progs[ir->prog - 1],
			       p ? ":" : " (not in the object)");
			last = NULL;
		}
		if (p)
			text_range(d, p, ir, a->insns, &last);
	}
}

static bool is_decision_note(const char *key)
{
	return !strcmp(key, "slowpath") || !strcmp(key, "withheld") ||
	       !strncmp(key, "map ", 4) || !strcmp(key, "maps");
}

static void explain_text(const struct explain_args *a, struct fl_disasm *d)
{
	const struct ir_ruleset *rs = a->pl.rs;

	for (size_t i = 0; i < ir_ruleset__count(rs); i++)
		if (!a->rule || (size_t)a->rule == i + 1)
			text_rule(a, d, ir_ruleset__rule_c(rs, i), i);
	if (a->rule)
		return;
	printf("\nslow path and withheld:\n");
	for (size_t i = 0; i < ir_ruleset__meta_count(rs); i++) {
		const char *k, *v;

		ir_ruleset__meta_at(rs, i, &k, &v);
		if (is_decision_note(k))
			printf("  %s: %s\n", k, v);
	}
}

static void json_rule(struct fl_json *j, const struct explain_args *a,
		      struct fl_disasm *d, const struct ir_rule *r, size_t idx)
{
	char buf[4096];

	fl_json__obj_begin(j);
	fl_json__ku64(j, "rule", idx + 1);
	ir_rule__snprint(r, buf, sizeof(buf), false);
	fl_json__kstr(j, "text", buf);
	fl_json__ki64(j, "path", r->prov.path);
	fl_json__key(j, "insns");
	fl_json__arr_begin(j);
	for (uint32_t k = 0; k < r->prov.n_ranges; k++) {
		const struct ir_insn_range *ir = &r->prov.ranges[k];
		const struct lift_prog *p = range_prog(a, &r->prov, ir);

		for (size_t i = ir->first; p && i <= ir->last &&
					   i < p->n_insns;) {
			const struct lift_line *ln = lift_prog__line(p, i);
			bool by_llvm;
			int n = fl_disasm__insn(d, p->insns, p->n_insns, i, buf,
						sizeof(buf), &by_llvm);

			if (n <= 0)
				break;
			fl_json__obj_begin(j);
			if (ir->prog) /* reached by tail call */
				fl_json__kstr(j, "prog", p->name);
			fl_json__ku64(j, "idx", i);
			if (a->insns)
				fl_json__kstr(j, "insn", buf);
			if (ln && ln->file) {
				fl_json__kstr(j, "file", short_file(ln->file));
				fl_json__ku64(j, "line", ln->line);
				fl_json__kstr(j, "source", ln->text ? ln->text : "");
			}
			fl_json__obj_end(j);
			i += (size_t)n;
		}
	}
	fl_json__arr_end(j);
	fl_json__key(j, "maps");
	fl_json__arr_begin(j);
	for (uint32_t k = 0; k < r->prov.n_maprefs; k++)
		fl_json__str(j, r->prov.maprefs[k]);
	fl_json__arr_end(j);
	fl_json__obj_end(j);
}

static void explain_json(const struct fl_ctx *ctx,
			 const struct explain_args *a, struct fl_disasm *d)
{
	const struct ir_ruleset *rs = a->pl.rs;
	struct fl_json *j = fl_ctx_json(ctx);

	fl_json__obj_begin(j);
	fl_json__kstr(j, "program", a->pl.p->name);
	fl_json__key(j, "rules");
	fl_json__arr_begin(j);
	for (size_t i = 0; i < ir_ruleset__count(rs); i++)
		if (!a->rule || (size_t)a->rule == i + 1)
			json_rule(j, a, d, ir_ruleset__rule_c(rs, i), i);
	fl_json__arr_end(j);
	fl_json__key(j, "decisions");
	fl_json__arr_begin(j);
	for (size_t i = 0; i < ir_ruleset__meta_count(rs); i++) {
		const char *k, *v;

		ir_ruleset__meta_at(rs, i, &k, &v);
		if (!is_decision_note(k))
			continue;
		fl_json__obj_begin(j);
		fl_json__kstr(j, "kind", k);
		fl_json__kstr(j, "what", v);
		fl_json__obj_end(j);
	}
	fl_json__arr_end(j);
	fl_json__obj_end(j);
	fl_json__free(j);
}

static int parse_args(int argc, char **argv, struct fl_ctx *ctx,
		      struct explain_args *a)
{
	enum { O_RULE = FL_OPT__NEXT, O_NOINSNS };
	static const struct option opts[] = {
		FL_PIPELINE_LONGOPTS,
		FL_OUTPUT_LONGOPTS,
		{ "rule", required_argument, NULL, O_RULE },
		{ "no-insns", no_argument, NULL, O_NOINSNS },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ 0 },
	};
	int c, ret;

	a->insns = true;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jp", opts, NULL)) != -1) {
		char *end;

		ret = fl_pipeline__option(&a->pl, c, optarg, ctx, CMD);
		if (ret < 0)
			return -ret;
		if (ret)
			continue;
		switch (c) {
		case O_RULE:
			a->rule = strtol(optarg, &end, 10);
			if (*end || a->rule < 1)
				return fl_usage_error(ctx, CMD,
					"--rule wants a rule number from 1");
			break;
		case O_NOINSNS:
			a->insns = false;
			break;
		case 'j': case 'p':
			break;
		default:
			return fl_usage_error(ctx, CMD, "bad option '%s'",
					      argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return fl_usage_error(ctx, CMD, optind >= argc ?
				      "missing OBJ" : "more than one OBJ");
	a->pl.obj = argv[optind];
	return fl_pipeline__check(&a->pl, ctx, CMD);
}

int do_explain(int argc, char **argv, struct fl_ctx *ctx)
{
	struct explain_args a = { 0 };
	struct fl_disasm *d = NULL;
	char err[1024] = "";
	int ret;

	if (fl_wants_help(argc, argv)) {
		explain_usage();
		return FL_EXIT_OK;
	}
	ret = parse_args(argc, argv, ctx, &a);
	if (ret)
		goto out;
	ret = fl_pipeline__run(&a.pl, NULL, false, err, sizeof(err));
	if (ret) {
		ret = fl_error(ctx, CMD, "%s", err[0] ? err : strerror(-ret));
		goto out;
	}
	if (a.rule && (size_t)a.rule > ir_ruleset__count(a.pl.rs)) {
		ret = fl_error(ctx, CMD, "--rule %ld: the rule set has %zu rules",
			       a.rule, ir_ruleset__count(a.pl.rs));
		goto out;
	}
	d = fl_disasm__new(); /* NULL: our own decoder only */
	if (ctx->json)
		explain_json(ctx, &a, d);
	else
		explain_text(&a, d);
	ret = FL_EXIT_OK;
out:
	fl_disasm__free(d);
	fl_pipeline__fini(&a.pl);
	return ret;
}
