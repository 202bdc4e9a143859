/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pipeline.h - what compile and explain share: the OBJ/--prog/--map/--live
 * options, the target's output options, and the open -> fill maps -> lift
 * pipeline behind them.
 */
#ifndef FLOWLIFT_PIPELINE_H
#define FLOWLIFT_PIPELINE_H

#include "backends/backends.h"
#include "compiler/compiler.h"
#include "tools/cmds.h"

struct fl_pipeline {
	/* Inputs (options). */
	const char *obj, *prog, *live, *target, *dump_after;
	unsigned int assume;
	char **maps; /* "NAME=FILE" */
	size_t n_maps;
	/* --dev, --port, --offload, --ifname (bo.ifnames is owned). */
	struct be_opts bo;
	/* Results. */
	const struct be_ops *be; /* NULL for target ir */
	struct lift_object *o;
	struct lift_prog *p;
	struct ir_ruleset *rs;
	struct lift_stats st;
};

/* Options every pipeline command takes: long option ids and handling.
 * fl_pipeline__option returns 1 if it took the option, 0 if not, or an
 * exit code (usage error already reported) as a negative number. */
enum {
	FL_OPT_PROG = 256,
	FL_OPT_MAP,
	FL_OPT_LIVE,
	FL_OPT_TARGET,
	FL_OPT_ASSUME,
	FL_OPT_DUMP,
	FL_OPT_DEV,
	FL_OPT_PORT,
	FL_OPT_IFNAME,
	FL_OPT_OFFLOAD,
	FL_OPT__NEXT, /* commands number their own options from here */
};
#define FL_PIPELINE_LONGOPTS                                         \
	{ "prog", required_argument, NULL, FL_OPT_PROG },            \
	{ "map", required_argument, NULL, FL_OPT_MAP },              \
	{ "live", required_argument, NULL, FL_OPT_LIVE },            \
	{ "target", required_argument, NULL, FL_OPT_TARGET },        \
	{ "assume", required_argument, NULL, FL_OPT_ASSUME },        \
	{ "dump-after", required_argument, NULL, FL_OPT_DUMP }
/* The target's output: where the rules go and how they name devices. */
#define FL_OUTPUT_LONGOPTS                                           \
	{ "dev", required_argument, NULL, FL_OPT_DEV },              \
	{ "port", required_argument, NULL, FL_OPT_PORT },            \
	{ "ifname", required_argument, NULL, FL_OPT_IFNAME },        \
	{ "offload", required_argument, NULL, FL_OPT_OFFLOAD }

int fl_pipeline__option(struct fl_pipeline *pl, int opt, char *arg,
			const struct fl_ctx *ctx, const char *cmd);
/* After option parsing: check the target. 0 or an exit code. */
int fl_pipeline__check(struct fl_pipeline *pl, const struct fl_ctx *ctx,
		       const char *cmd);
/* Open, fill maps, lift. 0 or negative errno with a message in err. */
int fl_pipeline__run(struct fl_pipeline *pl, FILE *diag, bool progress,
		     char *err, size_t errsz);
void fl_pipeline__fini(struct fl_pipeline *pl);

/* Append "IFINDEX=NAME" (--ifname) to *tab; -EINVAL if malformed. */
int fl_parse_ifname(const char *s, struct be_ifname **tab, size_t *n);

#endif /* FLOWLIFT_PIPELINE_H */
