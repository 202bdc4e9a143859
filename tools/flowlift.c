// SPDX-License-Identifier: Apache-2.0
/*
 * flowlift.c - the command: global options, then a subcommand from cmds[].
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cmds.h"

static int do_help(int argc, char **argv, struct fl_ctx *ctx);
static int do_version(int argc, char **argv, struct fl_ctx *ctx);

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv, struct fl_ctx *ctx);
	const char *summary;
} cmds[] = {
	{ "compile", do_compile, "lift a BPF program into match-action rules" },
	{ "apply", do_apply, "install a compiled rule set on a device" },
	{ "diff", do_diff, "which packets change verdict between rule sets" },
	{ "explain", do_explain, "trace each rule to its eBPF path and source" },
	{ "verify", do_verify, "check rules against the kernel, packet by packet" },
	{ "agent", do_agent, "per-flow rules for the eBPF slow path" },
	{ "version", do_version, "print the version" },
	{ "help", do_help, "this text" },
};

int fl_error(const struct fl_ctx *ctx, const char *cmd, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ctx && ctx->json) {
		struct fl_json *j = fl_ctx_json(ctx);

		fl_json__obj_begin(j);
		fl_json__kstr(j, "error", msg);
		fl_json__obj_end(j);
		fl_json__free(j);
	} else {
		fprintf(stderr, "flowlift %s: %s\n", cmd, msg);
	}
	return FL_EXIT_ERR;
}

int fl_usage_error(const struct fl_ctx *ctx, const char *cmd,
		   const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fl_error(ctx, cmd, "%s (try 'flowlift %s --help')", msg, cmd);
	return FL_EXIT_USAGE;
}

bool fl_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

struct fl_json *fl_ctx_json(const struct fl_ctx *ctx)
{
	return fl_json__new(stdout, ctx->pretty);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: flowlift [-j|--json] [-p|--pretty] COMMAND [ARGS]\n"
		   "\nCommands:\n");
	for (size_t i = 0; i < FL_ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\n'flowlift COMMAND --help' for a command's options.\n"
		   "Exit: 0 success, 1 error, 2 usage.\n");
}

static int do_help(int argc, char **argv, struct fl_ctx *ctx)
{
	usage(stdout);
	return FL_EXIT_OK;
}

static int do_version(int argc, char **argv, struct fl_ctx *ctx)
{
	if (fl_wants_help(argc, argv)) {
		printf("Usage: flowlift version\n");
		return FL_EXIT_OK;
	}
	if (ctx->json) {
		struct fl_json *j = fl_ctx_json(ctx);

		fl_json__obj_begin(j);
		fl_json__kstr(j, "version", FLOWLIFT_VERSION);
		fl_json__obj_end(j);
		fl_json__free(j);
	} else {
		printf("flowlift %s\n", FLOWLIFT_VERSION);
	}
	return FL_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct fl_ctx ctx = { 0 };
	int c;

	/* Global options stop at the first non-option: the subcommand. */
	while ((c = getopt_long(argc, argv, "+jpqhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'p':
			ctx.json = ctx.pretty = true;
			break;
		case 'q':
			ctx.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return FL_EXIT_OK;
		case 'V':
			return do_version(0, NULL, &ctx);
		default:
			usage(stderr);
			return FL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return FL_EXIT_USAGE;
	}
	for (size_t i = 0; i < FL_ARRAY_SIZE(cmds); i++) {
		if (!strcmp(argv[optind], cmds[i].name)) {
			char **sub = argv + optind;
			int n = argc - optind;

			/* Subcommands also take -j / -p anywhere. */
			for (int k = 1; k < n; k++) {
				if (!strcmp(sub[k], "--"))
					break;
				if (!strcmp(sub[k], "-j") ||
				    !strcmp(sub[k], "--json"))
					ctx.json = true;
				else if (!strcmp(sub[k], "-p") ||
					 !strcmp(sub[k], "--pretty"))
					ctx.json = ctx.pretty = true;
			}
			optind = 0; /* reset getopt for the subcommand */
			return cmds[i].fn(n, sub, &ctx);
		}
	}
	return fl_usage_error(&ctx, argv[optind], "unknown command");
}
