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

#include "backends/backends.h"
#include "compiler/compiler.h"
#include "tools/cmds.h"

#define CMD "compile"

struct compile_args {
	const char *obj, *prog, *live, *target, *dev, *out, *dump_after;
	uint32_t port;
	enum be_offload offload;
	unsigned int assume;
	char **maps; /* "NAME=FILE" */
	size_t n_maps;
	struct be_ifname *ifnames;
	size_t n_ifnames;
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

static int parse_ifname(struct compile_args *a, const char *s)
{
	const char *eq = strchr(s, '=');
	struct be_ifname *n;
	char *end;
	unsigned long idx;

	if (!eq || eq == s || !eq[1] || strlen(eq + 1) >= IF_NAMESIZE)
		return -EINVAL;
	idx = strtoul(s, &end, 10);
	if (end != eq || !idx || idx > UINT32_MAX)
		return -EINVAL;
	n = realloc(a->ifnames, (a->n_ifnames + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	a->ifnames = n;
	n += a->n_ifnames++;
	memset(n, 0, sizeof(*n));
	n->ifindex = (uint32_t)idx;
	strcpy(n->name, eq + 1);
	return 0;
}

static int push_map(struct compile_args *a, char *s)
{
	char **m;

	if (!strchr(s, '=') || *s == '=' || !strchr(s, '=')[1])
		return -EINVAL;
	m = realloc(a->maps, (a->n_maps + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	a->maps = m;
	a->maps[a->n_maps++] = s;
	return 0;
}

static const struct {
	const char *name;
	enum be_offload v;
} offloads[] = {
	{ "hw", BE_OFFLOAD_HW },
	{ "sw", BE_OFFLOAD_SW },
	{ "both", BE_OFFLOAD_BOTH },
};

/* Returns 0, or an exit code (usage error already reported). */
static int parse_args(int argc, char **argv, struct fl_ctx *ctx,
		      struct compile_args *a)
{
	enum { O_PROG = 256, O_MAP, O_LIVE, O_TARGET, O_DEV, O_PORT, O_IFNAME,
	       O_ASSUME, O_OFFLOAD, O_DUMP };
	static const struct option opts[] = {
		{ "prog", required_argument, NULL, O_PROG },
		{ "map", required_argument, NULL, O_MAP },
		{ "live", required_argument, NULL, O_LIVE },
		{ "target", required_argument, NULL, O_TARGET },
		{ "dev", required_argument, NULL, O_DEV },
		{ "port", required_argument, NULL, O_PORT },
		{ "ifname", required_argument, NULL, O_IFNAME },
		{ "assume", required_argument, NULL, O_ASSUME },
		{ "offload", required_argument, NULL, O_OFFLOAD },
		{ "dump-after", required_argument, NULL, O_DUMP },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ 0 },
	};
	int c;

	a->target = "ir";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:jpq", opts, NULL)) != -1) {
		unsigned int f;
		char *end;
		size_t i;

		switch (c) {
		case O_PROG: a->prog = optarg; break;
		case O_LIVE: a->live = optarg; break;
		case O_TARGET: a->target = optarg; break;
		case O_DEV: a->dev = optarg; break;
		case O_DUMP: a->dump_after = optarg; break;
		case 'o': a->out = optarg; break;
		case 'j': case 'p': break; /* taken by main() */
		case 'q': ctx->quiet = true; break;
		case O_MAP:
			if (push_map(a, optarg))
				return fl_usage_error(ctx, CMD,
					"--map wants NAME=FILE, got '%s'", optarg);
			break;
		case O_IFNAME:
			if (parse_ifname(a, optarg))
				return fl_usage_error(ctx, CMD,
					"--ifname wants IFINDEX=NAME, got '%s'",
					optarg);
			break;
		case O_PORT:
			errno = 0;
			a->port = (uint32_t)strtoul(optarg, &end, 0);
			if (errno || *end || !*optarg)
				return fl_usage_error(ctx, CMD,
					"--port wants a number, got '%s'", optarg);
			break;
		case O_ASSUME:
			f = ir_assume__by_name(optarg);
			if (!f)
				return fl_usage_error(ctx, CMD,
					"unknown assumption '%s' (known: no-ip-options, well-formed)",
					optarg);
			a->assume |= f;
			break;
		case O_OFFLOAD:
			for (i = 0; i < FL_ARRAY_SIZE(offloads); i++)
				if (!strcmp(optarg, offloads[i].name))
					break;
			if (i == FL_ARRAY_SIZE(offloads))
				return fl_usage_error(ctx, CMD,
					"--offload wants hw, sw or both, got '%s'",
					optarg);
			a->offload = offloads[i].v;
			break;
		default:
			return fl_usage_error(ctx, CMD, "bad option '%s'",
					      argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return fl_usage_error(ctx, CMD, optind >= argc ?
				      "missing OBJ" : "more than one OBJ");
	a->obj = argv[optind];
	if (strcmp(a->target, "ir") && !be_find(a->target))
		return fl_usage_error(ctx, CMD,
			"unknown target '%s' (known: ir, flower, nft, rteflow)",
			a->target);
	if ((!strcmp(a->target, "flower") || !strcmp(a->target, "nft")) &&
	    !a->dev)
		return fl_usage_error(ctx, CMD, "--target %s needs --dev DEV",
				      a->target);
	return 0;
}

/* Fill the object's maps from --map files and --live. */
static int fill_maps(struct lift_object *obj, struct lift_prog *prog,
		     const struct compile_args *a, char *err, size_t errsz)
{
	for (size_t i = 0; i < a->n_maps; i++) {
		char *eq = strchr(a->maps[i], '=');
		int ret;

		*eq = '\0';
		ret = lift_object__load_dump(obj, a->maps[i], eq + 1, err,
					     errsz);
		*eq = '=';
		if (ret)
			return ret;
	}
	if (a->live)
		return lift_object__load_live(obj, prog, a->live, err, errsz);
	return 0;
}

static int print_rules(const struct ir_ruleset *rs, const struct be_ops *be,
		       const struct compile_args *a, FILE *f, char *err,
		       size_t errsz)
{
	struct be_opts bo = {
		.dev = a->dev,
		.port = a->port,
		.offload = a->offload,
		.ifnames = a->ifnames,
		.n_ifnames = a->n_ifnames,
	};

	if (!be)
		return ir_ruleset__print(rs, f);
	return be->print(rs, &bo, f, err, errsz);
}

static void summary(const struct fl_ctx *ctx, const struct lift_prog *prog,
		    const struct compile_args *a, const struct lift_stats *st)
{
	if (ctx->quiet || ctx->json)
		return;
	fprintf(stderr,
		"flowlift compile: prog '%s' -> %s: %u paths (%u to slow path), "
		"%u rules, %u priorities, %u withheld\n",
		prog->name, a->target, st->paths, st->paths_slowpath, st->rules,
		st->prios, st->withheld);
}

static void json_result(const struct fl_ctx *ctx, const struct lift_prog *prog,
			const struct compile_args *a,
			const struct lift_stats *st, const char *text)
{
	struct fl_json *j = fl_ctx_json(ctx);
	char tag[17];

	fl_hex(prog->tag, sizeof(prog->tag), tag);
	fl_json__obj_begin(j);
	fl_json__kstr(j, "program", prog->name);
	fl_json__kstr(j, "tag", tag);
	fl_json__kstr(j, "target", a->target);
	fl_json__ku64(j, "paths", st->paths);
	fl_json__ku64(j, "paths_slowpath", st->paths_slowpath);
	fl_json__ku64(j, "rules", st->rules);
	fl_json__ku64(j, "priorities", st->prios);
	fl_json__ku64(j, "withheld", st->withheld);
	if (a->out && strcmp(a->out, "-")) {
		fl_json__kstr(j, "output", a->out);
	} else {
		fl_json__kstr(j, "text", text ? text : "");
	}
	fl_json__obj_end(j);
	fl_json__free(j);
}

static int compile(struct fl_ctx *ctx, const struct compile_args *a)
{
	const struct be_ops *be = strcmp(a->target, "ir") ? be_find(a->target)
							  : NULL;
	struct lift_opts lo = {
		.assume = a->assume,
		.caps = be ? be->caps : NULL,
		.dump_after = a->dump_after,
		.dump_file = stderr,
		.diag = ctx->quiet || ctx->json ? NULL : stderr,
		.progress = isatty(STDERR_FILENO) && !ctx->quiet,
	};
	struct lift_stats st = { 0 };
	struct ir_ruleset *rs = NULL;
	struct lift_object *obj;
	struct lift_prog *prog;
	struct fl_outfile out = { 0 };
	char err[1024] = "", *text = NULL;
	size_t text_len = 0;
	FILE *f = NULL;
	int ret;

	obj = lift_object__open(a->obj, err, sizeof(err));
	if (!obj)
		return fl_error(ctx, CMD, "%s", err);
	prog = lift_object__find_prog(obj, a->prog, err, sizeof(err));
	ret = prog ? fill_maps(obj, prog, a, err, sizeof(err)) : -ENOENT;
	if (!ret)
		ret = lift_compile(obj, prog, &lo, &rs, &st, err, sizeof(err));
	if (ret)
		goto fail;

	/* Under -j without -o the text travels inside the JSON object. */
	if (ctx->json && (!a->out || !strcmp(a->out, "-"))) {
		f = open_memstream(&text, &text_len);
		ret = f ? 0 : -ENOMEM;
	} else {
		ret = fl_open_outfile(&out, a->out);
		f = out.f;
		if (ret)
			snprintf(err, sizeof(err), "%s: %s", a->out,
				 strerror(-ret));
	}
	if (ret)
		goto fail;
	ret = print_rules(rs, be, a, f, err, sizeof(err));
	if (text) {
		fclose(f);
		f = NULL;
	} else if (!ret) {
		ret = fl_commit_outfile(&out);
		if (ret)
			snprintf(err, sizeof(err), "%s: %s", a->out,
				 strerror(-ret));
	} else {
		fl_abort_outfile(&out);
	}
	if (ret)
		goto fail;
	if (ctx->json)
		json_result(ctx, prog, a, &st, text);
	summary(ctx, prog, a, &st);
	free(text);
	ir_ruleset__free(rs);
	lift_object__free(obj);
	return FL_EXIT_OK;
fail:
	if (f && text)
		fclose(f);
	free(text);
	ir_ruleset__free(rs);
	lift_object__free(obj);
	return fl_error(ctx, CMD, "%s", err[0] ? err : strerror(-ret));
}

int do_compile(int argc, char **argv, struct fl_ctx *ctx)
{
	struct compile_args a = { 0 };
	int ret;

	if (fl_wants_help(argc, argv)) {
		compile_usage();
		return FL_EXIT_OK;
	}
	ret = parse_args(argc, argv, ctx, &a);
	if (!ret)
		ret = compile(ctx, &a);
	free(a.maps);
	free(a.ifnames);
	return ret;
}
