// SPDX-License-Identifier: Apache-2.0
/*
 * cmd_agent.c - flowlift agent: per-flow rules for the eBPF slow path
 * (runtime/agent.h), and --status to read what a running agent reports.
 *
 * The agent writes its counters in Prometheus text format to --stats FILE
 * (default /run/flowlift/agent-DEV.prom), rewritten atomically each
 * interval; --status prints that file (or, under -j, its samples as a JSON
 * object), so it works from any shell without a socket.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "runtime/agent.h"
#include "tools/cmds.h"

#define CMD "agent"

struct agent_args {
	const char *obj, *prog_name, *dev, *pin, *backend, *stats;
	char prog_spec[32], stats_buf[128];
	unsigned long prog_id;
	uint32_t idle_ms, interval_ms, max_flows, instance, chain, prio;
	uint32_t reap_slice;
	bool offload_sw, keep, status, egress, have_instance;
	struct rt_sim_opts sim;
};

static struct rt_agent *running;

static void usage(void)
{
	printf("Usage: flowlift agent --obj OBJ --prog NAME --dev DEV "
	       "[--pin PATH | --prog-id N]\n"
	       "         [--idle-timeout 30s] [--interval 1s] "
	       "[--max-flows N] [--offload hw|sw]\n"
	       "         [--backend flower|nft|sim] [--stats FILE] "
	       "[--keep-rules] [--egress]\n"
	       "         [--instance N] [--chain N] [--prio N] "
	       "[--reap-slice N]\n"
	       "         [--sim-capacity N] [--sim-fail PERMILLE] "
	       "[--sim-seed N]\n"
	       "       flowlift agent --status [--dev DEV | --stats FILE]\n"
	       "\n"
	       "Installs one exact-match rule per flow the loaded slow-path "
	       "program NAME\n"
	       "reports on its ring buffer (bpf/flowlift.bpf.h), reaps rules "
	       "idle longer than\n"
	       "--idle-timeout, evicts the idlest at --max-flows (default "
	       "1048576), revalidates\n"
	       "flows when the program's maps change, and removes its rules on "
	       "SIGTERM unless\n"
	       "--keep-rules (a restarted agent adopts them). The program is "
	       "found by --pin,\n"
	       "--prog-id, or else by name among loaded programs; --obj checks "
	       "its tag.\n"
	       "Rules go in chain --chain (0), priorities --prio (0xc000) to "
	       "+2, with a cookie\n"
	       "naming --instance (default: derived from DEV and NAME).\n"
	       "--offload hw (skip_sw, default) or sw (skip_hw). Backend sim "
	       "is a simulated\n"
	       "device (tests); nft puts rules in a netdev table\n"
	       "flowlift_agent_<instance hex> on DEV (--chain/--prio/--offload "
	       "do not apply).\n"
	       "Stats: Prometheus text in --stats FILE (default "
	       "/run/flowlift/agent-DEV.prom),\n"
	       "rewritten each interval; --status prints it (-j: as JSON).\n"
	       "A reap runs in slices of --reap-slice rules (1024) with the "
	       "ring buffer read\n"
	       "between two. The ring buffer's size is the program's "
	       "(FLOWLIFT_RINGBUF_BYTES\n"
	       "when it is built, 256 KiB by default); the stats report it "
	       "and its drops.\n"
	       "Exit: 0 stopped cleanly, 1 error, 2 usage.\n");
}

/* "30s", "500ms", "2m", "30" (seconds) -> ms */
static int parse_duration(const char *s, uint32_t *ms)
{
	char *end;
	double v = strtod(s, &end);
	double mul = 1000;

	if (end == s || v < 0)
		return -EINVAL;
	if (!strcmp(end, "ms"))
		mul = 1;
	else if (!strcmp(end, "m"))
		mul = 60000;
	else if (*end && strcmp(end, "s"))
		return -EINVAL;
	if (v * mul > UINT32_MAX || v * mul < 1)
		return -ERANGE;
	*ms = (uint32_t)(v * mul);
	return 0;
}

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 0);
	if (!*s || *end || errno || x > UINT32_MAX)
		return -EINVAL;
	*v = x;
	return 0;
}

enum {
	O_OBJ = 256, O_PROG, O_DEV, O_PIN, O_PROG_ID, O_IDLE, O_INTERVAL,
	O_MAX, O_OFFLOAD, O_BACKEND, O_STATS, O_KEEP, O_STATUS, O_EGRESS,
	O_INSTANCE, O_CHAIN, O_PRIO, O_SIM_CAP, O_SIM_FAIL, O_SIM_SEED,
	O_REAP_SLICE,
};

static const struct option opts[] = {
	{ "obj", required_argument, NULL, O_OBJ },
	{ "prog", required_argument, NULL, O_PROG },
	{ "dev", required_argument, NULL, O_DEV },
	{ "pin", required_argument, NULL, O_PIN },
	{ "prog-id", required_argument, NULL, O_PROG_ID },
	{ "idle-timeout", required_argument, NULL, O_IDLE },
	{ "interval", required_argument, NULL, O_INTERVAL },
	{ "max-flows", required_argument, NULL, O_MAX },
	{ "offload", required_argument, NULL, O_OFFLOAD },
	{ "backend", required_argument, NULL, O_BACKEND },
	{ "stats", required_argument, NULL, O_STATS },
	{ "keep-rules", no_argument, NULL, O_KEEP },
	{ "status", no_argument, NULL, O_STATUS },
	{ "egress", no_argument, NULL, O_EGRESS },
	{ "instance", required_argument, NULL, O_INSTANCE },
	{ "chain", required_argument, NULL, O_CHAIN },
	{ "prio", required_argument, NULL, O_PRIO },
	{ "sim-capacity", required_argument, NULL, O_SIM_CAP },
	{ "sim-fail", required_argument, NULL, O_SIM_FAIL },
	{ "sim-seed", required_argument, NULL, O_SIM_SEED },
	{ "reap-slice", required_argument, NULL, O_REAP_SLICE },
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ 0 },
};

static int parse_num_opt(int c, const char *arg, struct agent_args *a)
{
	uint32_t *dst = c == O_MAX ? &a->max_flows :
			c == O_INSTANCE ? &a->instance :
			c == O_CHAIN ? &a->chain :
			c == O_PRIO ? &a->prio :
			c == O_SIM_CAP ? &a->sim.capacity :
			c == O_REAP_SLICE ? &a->reap_slice :
			&a->sim.fail_permille;

	a->have_instance |= c == O_INSTANCE;
	return parse_u32(arg, dst);
}

static int parse_args(int argc, char **argv, struct agent_args *a,
		      const struct fl_ctx *ctx)
{
	int c;

	while ((c = getopt_long(argc, argv, "jp", opts, NULL)) != -1) {
		const char *name = opts[c >= O_OBJ ? c - O_OBJ : 0].name;
		uint32_t v = 0; /* parse_u32 sets it when it succeeds */
		int bad = 0;

		switch (c) {
		case O_OBJ: a->obj = optarg; break;
		case O_PROG: a->prog_name = optarg; break;
		case O_DEV: a->dev = optarg; break;
		case O_PIN: a->pin = optarg; break;
		case O_BACKEND: a->backend = optarg; break;
		case O_STATS: a->stats = optarg; break;
		case O_KEEP: a->keep = true; break;
		case O_STATUS: a->status = true; break;
		case O_EGRESS: a->egress = true; break;
		case 'j': case 'p': break; /* handled globally */
		case O_PROG_ID:
			bad = parse_u32(optarg, &v) || !v;
			a->prog_id = v;
			break;
		case O_IDLE:
			bad = parse_duration(optarg, &a->idle_ms);
			break;
		case O_INTERVAL:
			bad = parse_duration(optarg, &a->interval_ms);
			break;
		case O_OFFLOAD:
			bad = strcmp(optarg, "hw") && strcmp(optarg, "sw");
			a->offload_sw = !strcmp(optarg, "sw");
			break;
		case O_SIM_SEED:
			bad = parse_u32(optarg, &v);
			a->sim.seed = v;
			break;
		case O_MAX: case O_INSTANCE: case O_CHAIN: case O_PRIO:
		case O_SIM_CAP: case O_SIM_FAIL: case O_REAP_SLICE:
			bad = parse_num_opt(c, optarg, a) ||
			      (c == O_REAP_SLICE && !a->reap_slice);
			break;
		default:
			return fl_usage_error(ctx, CMD, "unknown option");
		}
		if (bad)
			return fl_usage_error(ctx, CMD, "--%s: bad value '%s'",
					      name, optarg);
	}
	if (optind < argc)
		return fl_usage_error(ctx, CMD, "unexpected argument '%s'",
				      argv[optind]);
	return 0;
}

static const char *stats_path(struct agent_args *a)
{
	if (a->stats)
		return a->stats;
	snprintf(a->stats_buf, sizeof(a->stats_buf),
		 "/run/flowlift/agent-%s.prom", a->dev ? a->dev : "sim");
	return a->stats_buf;
}

/* --status: print the running agent's stats file. */
static int do_status(struct agent_args *a, const struct fl_ctx *ctx)
{
	const char *path = stats_path(a);
	char *text = fl_read_file(path, NULL), *line, *save = NULL;
	struct fl_json *j;

	if (!text)
		return fl_error(ctx, CMD, "%s: %s (is the agent running with "
			       "--stats %s?)", path, strerror(errno), path);
	if (!ctx->json) {
		fputs(text, stdout);
		free(text);
		return FL_EXIT_OK;
	}
	j = fl_ctx_json(ctx);
	fl_json__obj_begin(j);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(line, ' ');

		if (*line == '#' || !sp)
			continue;
		*sp = 0;
		fl_json__key(j, line);
		fl_json__dbl(j, strtod(sp + 1, NULL));
	}
	fl_json__obj_end(j);
	fl_json__free(j);
	free(text);
	return FL_EXIT_OK;
}

/* Without --pin/--prog-id: the one loaded program named NAME. */
static int find_prog(struct agent_args *a, const struct fl_ctx *ctx)
{
	uint32_t id = 0, found = 0, n = 0;

	if (a->pin || a->prog_id) {
		if (a->pin && a->prog_id)
			return fl_usage_error(ctx, CMD, "--pin and --prog-id "
						       "exclude each other");
		if (a->prog_id)
			snprintf(a->prog_spec, sizeof(a->prog_spec), "id:%lu",
				 a->prog_id);
		return 0;
	}
	if (!a->prog_name)
		return fl_usage_error(ctx, CMD, "need --prog NAME, --pin PATH "
					       "or --prog-id N");
	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info pi = { 0 };
		uint32_t len = sizeof(pi);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &pi, &len) &&
		    !strncmp(pi.name, a->prog_name, sizeof(pi.name) - 1)) {
			found = id;
			n++;
		}
		close(fd);
	}
	if (n != 1)
		return fl_error(ctx, CMD, n ? "%u loaded programs are named "
					      "'%s': use --pin or --prog-id" :
					      "%u loaded programs named '%s' "
					      "(load it first, or use --pin)",
				n, a->prog_name);
	snprintf(a->prog_spec, sizeof(a->prog_spec), "id:%u", found);
	return 0;
}

static uint32_t default_instance(const struct agent_args *a)
{
	char buf[128];
	uint8_t h[20];
	uint32_t v;

	snprintf(buf, sizeof(buf), "%s/%s", a->dev ? a->dev : "",
		 a->prog_name ? a->prog_name : a->pin ? a->pin : "");
	fl_sha1(buf, strlen(buf), h);
	memcpy(&v, h, 4);
	return v;
}

static struct rt_backend *make_backend(struct agent_args *a,
				       const struct fl_ctx *ctx)
{
	const char *name = a->backend ? a->backend : "flower";
	struct rt_flower_opts fo = {
		.dev = a->dev,
		.egress = a->egress,
		.offload_sw = a->offload_sw,
		.chain = a->chain,
		.prio_base = a->prio,
		.instance = a->have_instance ? a->instance :
					       default_instance(a),
	};
	struct rt_backend *be;
	char err[256] = "";

	if (!strcmp(name, "sim")) {
		a->sim.faults = RT_SIM_ENOSPC | RT_SIM_EBUSY | RT_SIM_EEXIST |
				RT_SIM_NLERR;
		be = rt_backend_sim__new(&a->sim);
		if (!be)
			fl_error(ctx, CMD, "sim backend: %s", strerror(errno));
		return be;
	}
	if (strcmp(name, "flower") && strcmp(name, "nft")) {
		fl_usage_error(ctx, CMD, "unknown backend '%s'", name);
		return NULL;
	}
	if (!a->dev) {
		fl_usage_error(ctx, CMD, "the %s backend needs --dev", name);
		return NULL;
	}
	if (!strcmp(name, "nft")) {
		struct rt_nft_opts no = { .dev = a->dev,
					  .instance = fo.instance,
					  .keep_rules = a->keep,
					  .egress = a->egress };

		be = rt_backend_nft__new(&no, err, sizeof(err));
	} else {
		be = rt_backend_flower__new(&fo, err, sizeof(err));
	}
	if (!be)
		fl_error(ctx, CMD, "%s", err);
	return be;
}

static void on_signal(int sig)
{
	if (running)
		rt_agent__stop(running);
}

static int run_agent(struct agent_args *a, const struct fl_ctx *ctx)
{
	struct rt_agent_opts o = {
		.prog = a->pin ? a->pin : a->prog_spec,
		.obj_path = a->obj,
		.prog_name = a->prog_name,
		.idle_timeout_ms = a->idle_ms,
		.interval_ms = a->interval_ms,
		.max_flows = a->max_flows,
		.keep_rules = a->keep,
		.stats_path = stats_path(a),
		.log = ctx->quiet ? NULL : stderr,
		.reap_slice = a->reap_slice,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512] = "";
	int ret;

	if (!a->stats)
		mkdir("/run/flowlift", 0755);
	o.backend = make_backend(a, ctx);
	if (!o.backend)
		return FL_EXIT_ERR;
	running = rt_agent__new(&o, err, sizeof(err)); /* owns the backend */
	if (!running)
		return fl_error(ctx, CMD, "%s", err);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!ctx->quiet) {
		struct rt_status st;

		rt_agent__status(running, &st);
		fprintf(stderr, "flowlift agent: running on %s (program %s, "
				"ring buffer %llu KiB, stats %s)\n",
			a->dev ? a->dev : "sim", o.prog,
			(unsigned long long)st.rb_bytes / 1024, o.stats_path);
	}
	ret = rt_agent__run(running);
	rt_agent__free(running);
	running = NULL;
	if (ret)
		return fl_error(ctx, CMD, "stopped: %s", strerror(-ret));
	return FL_EXIT_OK;
}

int do_agent(int argc, char **argv, struct fl_ctx *ctx)
{
	struct agent_args a = { .backend = NULL };
	int ret;

	if (fl_wants_help(argc, argv)) {
		usage();
		return FL_EXIT_OK;
	}
	ret = parse_args(argc, argv, &a, ctx);
	if (ret)
		return ret;
	if (a.status)
		return do_status(&a, ctx);
	if (a.obj && !a.prog_name)
		return fl_usage_error(ctx, CMD, "--obj needs --prog NAME");
	ret = find_prog(&a, ctx);
	if (ret)
		return ret;
	return run_agent(&a, ctx);
}
