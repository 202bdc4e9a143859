/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmds.h - the flowlift command's subcommands (bpftool style: a table of
 * name -> handler in flowlift.c, one file per subcommand).
 *
 * Exit codes: 0 success, 1 error (one clear line on stderr, or a JSON
 * object {"error": "..."} on stdout under -j), 2 usage. Subcommands with a
 * semantic answer document their own (diff: 0 same, 1 different, 2 error).
 */
#ifndef FLOWLIFT_CMDS_H
#define FLOWLIFT_CMDS_H

#include <stdbool.h>

#include "common/common.h"

enum {
	FL_EXIT_OK = 0,
	FL_EXIT_ERR = 1,
	FL_EXIT_USAGE = 2,
};

struct fl_ctx {
	bool json;   /* -j / --json */
	bool pretty; /* -p / --pretty (implies json) */
	bool quiet;  /* -q: no summary line */
};

/* Report an error as one line: "flowlift CMD: msg" on stderr, or under -j
 * {"error": "msg"} on stdout. Returns FL_EXIT_ERR. */
int fl_error(const struct fl_ctx *ctx, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Usage error: message and "try 'flowlift CMD --help'"; returns 2. */
int fl_usage_error(const struct fl_ctx *ctx, const char *cmd,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* True if argv has -h/--help before "--". */
bool fl_wants_help(int argc, char **argv);
/* A JSON writer on stdout per ctx (pretty or not). */
struct fl_json *fl_ctx_json(const struct fl_ctx *ctx);

/* Handlers get argv after the subcommand name (argv[0] is the name). */
int do_compile(int argc, char **argv, struct fl_ctx *ctx);
int do_apply(int argc, char **argv, struct fl_ctx *ctx);
int do_diff(int argc, char **argv, struct fl_ctx *ctx);
int do_explain(int argc, char **argv, struct fl_ctx *ctx);
int do_verify(int argc, char **argv, struct fl_ctx *ctx);
int do_agent(int argc, char **argv, struct fl_ctx *ctx);

#endif /* FLOWLIFT_CMDS_H */
