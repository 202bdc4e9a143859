// SPDX-License-Identifier: Apache-2.0
/*
 * cmd_verify.c - flowlift verify: the rule set against the kernel, frame by
 * frame (verify/verify.h does the work).
 *
 * Exit: 0 no violation (and coverage at least --min-coverage), 1 a
 * violation, coverage below the minimum, or an error, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cmds.h"
#include "verify/verify.h"

#define MAX_MAP_SPECS 64

static void usage(FILE *f)
{
	fprintf(f,
"Usage: flowlift verify OBJ [--prog NAME] [--map NAME=FILE]...\n"
"         [--target ir|flower|nft|rteflow] [--assume A]... [--packets N]\n"
"         [--seed S] [--pcap FILE] [--min-coverage PCT] [--max-report N]\n"
"         [--diag FILE] [--report FILE] [--rules FILE] [--save-pcap FILE]\n"
"         [--frames-out FILE] [-j]\n"
"\n"
"Load OBJ's program into this kernel (the verifier's verdict is the first\n"
"check), fill its maps as the compile does, lift it for the target, and run\n"
"each frame through both the kernel (BPF_PROG_TEST_RUN) and the rule set's\n"
"interpreter with the target's dissector model. A frame that a rule decides\n"
"differently from the kernel is a soundness violation.\n"
"\n"
"  --prog NAME         program (function or section name)\n"
"  --map NAME=FILE     map contents, a `bpftool map dump -j` file\n"
"  --target T          ir, flower (default), nft, rteflow\n"
"  --assume A          grant an assumption (no-ip-options, well-formed)\n"
"  --packets N         generated frames before malformed variants (2000)\n"
"  --seed S            generator seed (1); same seed, same frames\n"
"  --pcap FILE         replay a classic pcap (Ethernet) instead\n"
"  --min-coverage PCT  fail when rules decide less than PCT%% of frames\n"
"  --max-report N      violations shown in full (20)\n"
"  --diag FILE         the lifter's slow-path reasons\n"
"  --report FILE       also write the JSON report to FILE\n"
"  --save-pcap FILE    write the violating frames (as many as\n"
"                      --max-report keeps) as a pcap for --pcap replay\n"
"  --rules FILE        check this IR rule set (text form) instead of\n"
"                      compiling OBJ; --target picks the dissector model\n"
"  --frames-out FILE   write every frame tried, one a line: HEX MARK\n"
"                      RULE PRIO (RULE: index of the rule the model\n"
"                      picks, -1 none; PRIO -1 then), to replay them\n"
"                      through the real target (testsuite/e2e model-run)\n"
"  -j, --json          JSON report on stdout\n"
"\n"
"Needs root (BPF_PROG_LOAD, BPF_PROG_TEST_RUN). Exit: 0 sound, 1 violation,\n"
"coverage below the minimum or error, 2 usage.\n");
}

static int parse_num(const char *s, unsigned long long max,
		     unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s || *end || *out > max || s[0] == '-')
		return -EINVAL;
	return 0;
}

static int parse_args(int argc, char **argv, struct fl_ctx *ctx,
		      struct vf_opts *o, const char **maps, const char **diag,
		      const char **report, const char **frames)
{
	static const struct option opts[] = {
		{ "prog", required_argument, NULL, 'P' },
		{ "map", required_argument, NULL, 'm' },
		{ "target", required_argument, NULL, 't' },
		{ "assume", required_argument, NULL, 'a' },
		{ "packets", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "pcap", required_argument, NULL, 'c' },
		{ "min-coverage", required_argument, NULL, 'C' },
		{ "max-report", required_argument, NULL, 'R' },
		{ "diag", required_argument, NULL, 'd' },
		{ "report", required_argument, NULL, 'r' },
		{ "rules", required_argument, NULL, 'I' },
		{ "save-pcap", required_argument, NULL, 'S' },
		{ "frames-out", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ 0 },
	};
	unsigned long long v;
	unsigned int a;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "jp", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			o->prog = optarg;
			break;
		case 'm':
			if (o->n_map_specs == MAX_MAP_SPECS)
				return fl_usage_error(ctx, "verify",
						      "too many --map");
			maps[o->n_map_specs++] = optarg;
			break;
		case 't':
			o->target = optarg;
			break;
		case 'a':
			a = ir_assume__by_name(optarg);
			if (!a)
				return fl_usage_error(ctx, "verify",
						      "unknown assumption '%s'",
						      optarg);
			o->assume |= a;
			break;
		case 'n':
			if (parse_num(optarg, 10000000, &v) || !v)
				return fl_usage_error(ctx, "verify",
						      "--packets '%s': expected "
						      "1..10000000", optarg);
			o->n_packets = (uint32_t)v;
			break;
		case 's':
			if (parse_num(optarg, UINT64_MAX, &v))
				return fl_usage_error(ctx, "verify",
						      "--seed '%s': expected a "
						      "number", optarg);
			o->seed = v;
			break;
		case 'c':
			o->pcap = optarg;
			break;
		case 'C':
			o->min_coverage = strtod(optarg, &end);
			if (end == optarg || (*end && strcmp(end, "%")) ||
			    o->min_coverage < 0 || o->min_coverage > 100)
				return fl_usage_error(ctx, "verify",
						      "--min-coverage '%s': "
						      "expected 0..100", optarg);
			break;
		case 'R':
			if (parse_num(optarg, 100000, &v))
				return fl_usage_error(ctx, "verify",
						      "--max-report '%s': "
						      "expected a number", optarg);
			o->max_report = (uint32_t)v;
			break;
		case 'd':
			*diag = optarg;
			break;
		case 'r':
			*report = optarg;
			break;
		case 'I':
			o->rules = optarg;
			break;
		case 'S':
			o->save_pcap = optarg;
			break;
		case 'F':
			*frames = optarg;
			break;
		case 'j':
		case 'p':
			break;
		default:
			return fl_usage_error(ctx, "verify", "bad option");
		}
	}
	if (optind != argc - 1)
		return fl_usage_error(ctx, "verify", optind >= argc ?
				      "missing OBJ" : "one OBJ only");
	o->obj_path = argv[optind];
	return 0;
}

/* The JSON report into 'path', whole or not at all. */
static int write_report(const struct fl_ctx *ctx, const struct vf_report *rep,
			const char *path)
{
	struct fl_outfile out;
	struct fl_json *j;
	int ret = fl_open_outfile(&out, path);

	if (ret)
		return fl_error(ctx, "verify", "%s: %s", path, strerror(-ret));
	j = fl_json__new(out.f, true);
	if (!j) {
		fl_abort_outfile(&out);
		return fl_error(ctx, "verify", "%s: out of memory", path);
	}
	vf_report__json(rep, j);
	fl_json__free(j);
	ret = fl_commit_outfile(&out);
	if (ret)
		return fl_error(ctx, "verify", "%s: %s", path, strerror(-ret));
	return 0;
}

int do_verify(int argc, char **argv, struct fl_ctx *ctx)
{
	const char *maps[MAX_MAP_SPECS], *diag = NULL, *report = NULL;
	const char *frames = NULL;
	struct fl_outfile fout;
	struct vf_opts o = { .target = "flower", .n_packets = 2000,
			     .seed = 1, .max_report = 20,
			     .map_specs = maps };
	struct vf_report rep;
	char err[4096] = "";
	int ret;

	if (fl_wants_help(argc, argv)) {
		usage(stdout);
		return FL_EXIT_OK;
	}
	ret = parse_args(argc, argv, ctx, &o, maps, &diag, &report, &frames);
	if (ret)
		return ret;
	if (frames) {
		ret = fl_open_outfile(&fout, frames);
		if (ret)
			return fl_error(ctx, "verify", "%s: %s", frames,
					strerror(-ret));
		o.frames_out = fout.f;
	}
	if (diag) {
		o.diag = fopen(diag, "w");
		if (!o.diag)
			return fl_error(ctx, "verify", "%s: %s", diag,
					strerror(errno));
	}
	ret = vf_verify(&o, &rep, err, sizeof(err));
	if (o.diag)
		fclose(o.diag);
	if (frames && ret) {
		fl_abort_outfile(&fout);
	} else if (frames) {
		ret = fl_commit_outfile(&fout);
		if (ret) {
			vf_report__fini(&rep);
			return fl_error(ctx, "verify", "%s: %s", frames,
					strerror(-ret));
		}
	}
	if (ret)
		return fl_error(ctx, "verify", "%s", err);
	if (report && write_report(ctx, &rep, report)) {
		vf_report__fini(&rep);
		return FL_EXIT_ERR;
	}
	if (ctx->json) {
		struct fl_json *j = fl_ctx_json(ctx);

		vf_report__json(&rep, j);
		fl_json__free(j);
	} else if (!ctx->quiet || rep.n_violations || !rep.coverage_ok) {
		vf_report__print(&rep, stdout);
	}
	ret = rep.n_violations || !rep.coverage_ok ? FL_EXIT_ERR : FL_EXIT_OK;
	vf_report__fini(&rep);
	return ret;
}
