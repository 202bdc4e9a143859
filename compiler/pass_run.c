// SPDX-License-Identifier: Apache-2.0
/*
 * pass_run.c - the pass pipeline after lifting.
 *
 * A flat table of passes run in order; after each one that changed the IR
 * the rule set must pass ir_ruleset__check() (a failure is an internal
 * error that names the pass), and `--dump-after=PASS` (or "all") prints the
 * IR after that pass.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "compiler/pass.h"

struct pass_def {
	const char *name;
	lift_pass_fn fn;
	bool needs_caps; /* runs only for a target */
};

static const struct pass_def passes[] = {
	{ "normalise", lift_pass_normalise, false },
	{ "shadow", lift_pass_shadow, false },
	{ "merge", lift_pass_merge, false },
	{ "prio", lift_pass_prio, false },
	{ "legalise", lift_pass_legalise, true },
};

#define N_PASSES (sizeof(passes) / sizeof(passes[0]))

int pass_note_budget(struct ir_ruleset *rs, const char *pass, size_t cut,
		     size_t total, const char *safe)
{
	char note[200];

	if (!cut)
		return 0;
	snprintf(note, sizeof(note),
		 "%s: %zu of %zu queries over the analysis budget; %s", pass,
		 cut, total, safe);
	return ir_ruleset__add_meta(rs, "note", note);
}

static bool wants_dump(const struct lift_opts *opts, const char *name)
{
	if (!opts->dump_after)
		return false;
	return !strcmp(opts->dump_after, "all") ||
	       !strcmp(opts->dump_after, name);
}

static int run_one(const struct pass_def *p, struct ir_ruleset *rs,
		   const struct lift_opts *opts, struct lift_stats *st,
		   char *err, size_t errsz)
{
	char why[256] = "";
	int ret;

	ret = p->fn(rs, opts, st, err, errsz);
	if (ret < 0)
		return ret;
	if (ret > 0 && ir_ruleset__check(rs, why, sizeof(why))) {
		snprintf(err, errsz,
			 "internal error: IR inconsistent after pass '%s': %s",
			 p->name, why);
		return -EFAULT;
	}
	if (wants_dump(opts, p->name)) {
		FILE *f = opts->dump_file ? opts->dump_file : stderr;

		fprintf(f, "# after %s\n", p->name);
		ret = ir_ruleset__print(rs, f);
		if (ret < 0) {
			snprintf(err, errsz, "--dump-after=%s: %s", p->name,
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int check_dump_name(const char *name, char *err, size_t errsz)
{
	size_t i;

	if (!name || !strcmp(name, "all"))
		return 0;
	for (i = 0; i < N_PASSES; i++)
		if (!strcmp(name, passes[i].name))
			return 0;
	snprintf(err, errsz,
		 "--dump-after=%s: no such pass (normalise, shadow, merge, "
		 "prio, legalise, all)", name);
	return -EINVAL;
}

int lift_run_pass(const char *name, struct ir_ruleset *rs,
		  const struct lift_opts *opts, struct lift_stats *st,
		  char *err, size_t errsz)
{
	size_t i;

	for (i = 0; i < N_PASSES; i++) {
		if (strcmp(name, passes[i].name))
			continue;
		if (passes[i].needs_caps && !opts->caps)
			return 0;
		return run_one(&passes[i], rs, opts, st, err, errsz);
	}
	snprintf(err, errsz, "no such pass '%s'", name);
	return -ENOENT;
}

int lift_run_passes(struct ir_ruleset *rs, const struct lift_opts *opts,
		    struct lift_stats *st, char *err, size_t errsz)
{
	struct lift_stats dummy = { 0 };
	int ret;

	if (!st)
		st = &dummy;
	ret = check_dump_name(opts->dump_after, err, errsz);
	ret = ret ?: lift_run_pass("normalise", rs, opts, st, err, errsz);
	ret = ret ?: lift_run_pass("shadow", rs, opts, st, err, errsz);
	ret = ret ?: lift_run_pass("merge", rs, opts, st, err, errsz);
	ret = ret ?: lift_run_pass("prio", rs, opts, st, err, errsz);
	ret = ret ?: lift_run_pass("legalise", rs, opts, st, err, errsz);
	if (!ret)
		st->rules = ir_ruleset__count(rs);
	return ret;
}
