// SPDX-License-Identifier: Apache-2.0
/*
 * cmd_compile.c - flowlift compile: open the object, fill its maps (dumps or
 * live), lift, legalise for the target, print. The output file appears only
 * when everything succeeded; a one-line summary ends every compile.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/pipeline.h"

#define CMD "compile"

struct compile_args {
	struct fl_pipeline pl;
	const char *out;
};

static void compile_usage(void)
{
	printf("Usage: flowlift compile OBJ [--prog NAME] [--map NAME=FILE]...\n"
	       "         [--live PIN|id:N] [--target ir|flower|nft|rteflow]\n"
	       "         [--dev DEV] [--port N] [--ifname IFINDEX=NAME]...\n"
	       "         [--assume ASSUMPTION]... [--offload hw|sw|both]\n"
	       "         [--dump-after PASS|all] [-o FILE] [-j] [-q]\n"
	       "\n"
	       "Lift the BPF program NAME of the ELF object OBJ, specialised by\n"
	       "its map contents, into a prioritised rule set for the target.\n"
	       "\n"
	       "  --prog NAME       program by function or section name (the\n"
	       "                    only one if omitted)\n"
	       "  --map NAME=FILE   contents of map NAME: `bpftool map dump -j`\n"
	       "                    output; maps nobody fills are empty (hash,\n"
	       "                    LPM) or zero (arrays), and the output says so\n"
	       "  --live PIN|id:N   the loaded program (tag must match OBJ's); its\n"
	       "                    maps are read from the kernel\n"
	       "  --target T        ir (default), flower, nft, rteflow\n"
	       "  --dev DEV         device the rules go on (flower, nft)\n"
	       "  --port N          DPDK port (rteflow; default 0)\n"
	       "  --ifname I=NAME   name of ifindex I for redirects\n"
	       "  --assume A        no-ip-options | well-formed (off by default;\n"
	       "                    printed in the output header)\n"
	       "  --offload O       hw (skip_sw, default), sw (skip_hw), both\n"
	       "  --dump-after P    print the IR after pass P (or all)\n"
	       "  -o FILE           write the rules to FILE (default stdout)\n"
	       "\n"
	       "Exit: 0 compiled, 1 error, 2 usage.\n");
}

/* Returns 0, or an exit code (usage error already reported). */
static int parse_args(int argc, char **argv, struct fl_ctx *ctx,
		      struct compile_args *a)
{
	static const struct option opts[] = {
		FL_PIPELINE_LONGOPTS,
		FL_OUTPUT_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ 0 },
	};
	const char *target;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:jpq", opts, NULL)) != -1) {
		ret = fl_pipeline__option(&a->pl, c, optarg, ctx, CMD);
		if (ret < 0)
			return -ret;
		if (ret)
			continue;
		switch (c) {
		case 'o': a->out = optarg; break;
		case 'j': case 'p': break; /* taken by main() */
		case 'q': ctx->quiet = true; break;
		default:
			return fl_usage_error(ctx, CMD, "bad option '%s'",
					      argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return fl_usage_error(ctx, CMD, optind >= argc ?
				      "missing OBJ" : "more than one OBJ");
	a->pl.obj = argv[optind];
	ret = fl_pipeline__check(&a->pl, ctx, CMD);
	if (ret)
		return ret;
	target = a->pl.target;
	if ((!strcmp(target, "flower") || !strcmp(target, "nft")) &&
	    !a->pl.bo.dev)
		return fl_usage_error(ctx, CMD, "--target %s needs --dev DEV",
				      target);
	return 0;
}

static int print_rules(const struct compile_args *a, FILE *f, char *err,
		       size_t errsz)
{
	if (!a->pl.be)
		return ir_ruleset__print(a->pl.rs, f);
	return a->pl.be->print(a->pl.rs, &a->pl.bo, f, err, errsz);
}

static void summary(const struct fl_ctx *ctx, const struct compile_args *a)
{
	const struct lift_stats *st = &a->pl.st;

	if (ctx->quiet || ctx->json)
		return;
	fprintf(stderr,
		"flowlift compile: prog '%s' -> %s: %u paths (%u to slow path), "
		"%u rules, %u priorities, %u withheld\n",
		a->pl.p->name, a->pl.target, st->paths, st->paths_slowpath,
		st->rules, st->prios, st->withheld);
}

static void json_result(const struct fl_ctx *ctx, const struct compile_args *a,
			const char *text)
{
	const struct lift_stats *st = &a->pl.st;
	struct fl_json *j = fl_ctx_json(ctx);
	char tag[17];

	fl_hex(a->pl.p->tag, sizeof(a->pl.p->tag), tag);
	fl_json__obj_begin(j);
	fl_json__kstr(j, "program", a->pl.p->name);
	fl_json__kstr(j, "tag", tag);
	fl_json__kstr(j, "target", a->pl.target);
	fl_json__ku64(j, "paths", st->paths);
	fl_json__ku64(j, "paths_slowpath", st->paths_slowpath);
	fl_json__ku64(j, "rules", st->rules);
	fl_json__ku64(j, "priorities", st->prios);
	fl_json__ku64(j, "withheld", st->withheld);
	if (text)
		fl_json__kstr(j, "text", text);
	else
		fl_json__kstr(j, "output", a->out);
	fl_json__obj_end(j);
	fl_json__free(j);
}

/* Render the rules in memory first, so that a failing printer leaves no
 * partial output on stdout or in -o (which is also written atomically);
 * under -j without -o the text travels inside the JSON object. */
static int emit(const struct fl_ctx *ctx, struct compile_args *a, char *err,
		size_t errsz)
{
	bool inline_text = ctx->json && (!a->out || !strcmp(a->out, "-"));
	struct fl_outfile out = { 0 };
	char *text = NULL;
	size_t text_len = 0;
	FILE *f = open_memstream(&text, &text_len);
	int ret;

	if (!f)
		return fl_err(err, errsz, -ENOMEM, "out of memory");
	ret = print_rules(a, f, err, errsz);
	if (fclose(f) && !ret)
		ret = fl_err(err, errsz, -ENOMEM, "out of memory");
	if (!ret && !inline_text) {
		ret = fl_open_outfile(&out, a->out);
		if (!ret) {
			fwrite(text, 1, text_len, out.f);
			ret = fl_commit_outfile(&out);
		}
		if (ret)
			fl_err(err, errsz, ret, "%s: %s",
			       a->out ? a->out : "stdout", strerror(-ret));
	}
	if (!ret && ctx->json)
		json_result(ctx, a, inline_text ? text : NULL);
	free(text);
	return ret;
}

int do_compile(int argc, char **argv, struct fl_ctx *ctx)
{
	struct compile_args a = { 0 };
	char err[1024] = "";
	int ret;

	if (fl_wants_help(argc, argv)) {
		compile_usage();
		return FL_EXIT_OK;
	}
	ret = parse_args(argc, argv, ctx, &a);
	if (ret)
		goto out;
	ret = fl_pipeline__run(&a.pl, ctx->quiet || ctx->json ? NULL : stderr,
			       isatty(STDERR_FILENO) && !ctx->quiet, err,
			       sizeof(err)) ?:
	      emit(ctx, &a, err, sizeof(err));
	if (ret) {
		ret = fl_error(ctx, CMD, "%s", err[0] ? err : strerror(-ret));
		goto out;
	}
	summary(ctx, &a);
out:
	fl_pipeline__fini(&a.pl);
	return ret;
}
