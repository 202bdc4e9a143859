// SPDX-License-Identifier: Apache-2.0
/*
 * cmd_apply.c - flowlift apply: install a compiled flower rule set through
 * netlink, make-before-break.
 *
 * Layout on DEV's ingress (egress) clsact, with C = --chain (0):
 *   chain C,   prio 1:  the entry filter, "flower action goto chain X"
 *   chain C+1:          the slow path: the eBPF program (attached by the
 *                       user, as the compile output's header says)
 *   chain C+2 / C+3:    rule sets, alternating; each ends with a catch-all
 *                       at prio 65535 that sends misses to the slow path
 *                       (goto chain C+1; trap in hardware)
 * Replacing: the new set goes into the free chain first (all of it, or it
 * is removed again and the old set is untouched); then the entry filter is
 * replaced in place (NLM_F_REPLACE on its handle), which the kernel swaps
 * atomically, so every packet sees either the whole old set or the whole
 * new one; then the old set is deleted. Every filter carries a cookie
 * "flowlift" + kind + chain, and only filters with that cookie are ever
 * deleted or replaced.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/rtnetlink.h>

#include "backends/backends_internal.h"
#include "tools/cmds.h"
#include "tools/pipeline.h"

#define CMD "apply"
#define COOKIE_MAGIC "flowlift"
#define ENTRY_PRIO 1
#define CATCHALL_PRIO 65535

struct apply_args {
	const char *rules, *dev;
	enum be_offload offload;
	bool offload_set, dry_run, replace;
	uint32_t chain;
	struct be_ifname *ifnames;
	size_t n_ifnames;
};

static void apply_usage(void)
{
	printf("Usage: flowlift apply RULES --dev DEV [--offload hw|sw|both]\n"
	       "         [--chain N] [--replace] [--dry-run]\n"
	       "         [--ifname IFINDEX=NAME]... [-j]\n"
	       "\n"
	       "Install the flower rules in RULES (from `flowlift compile\n"
	       "--target flower`) on DEV's clsact ingress through netlink.\n"
	       "The set goes into chain N+2 or N+3; a filter at chain N prio "
	       "1\n"
	       "jumps to it, and is switched atomically when a new set "
	       "replaces\n"
	       "the old one (make-before-break). Misses and slow-path rules "
	       "go\n"
	       "to chain N+1: attach the eBPF program there.\n"
	       "\n"
	       "  --dev DEV        the device (its clsact qdisc must exist)\n"
	       "  --offload O      hw (skip_sw), sw (skip_hw), both; default:\n"
	       "                   what RULES was compiled for\n"
	       "  --chain N        base chain (default 0)\n"
	       "  --replace        replace an installed flowlift rule set\n"
	       "  --dry-run        print the netlink messages decoded; touch\n"
	       "                   nothing\n"
	       "  --ifname I=NAME  name of ifindex I for redirects\n"
	       "\n"
	       "Exit: 0 installed, 1 error (the kernel's message per rule), 2\n"
	       "usage.\n");
}

static int parse_args(int argc, char **argv, struct fl_ctx *ctx,
		      struct apply_args *a)
{
	enum { O_DEV = 256, O_OFFLOAD, O_CHAIN, O_REPLACE, O_DRY, O_IFNAME };
	static const struct option opts[] = {
		{"dev", required_argument, NULL, O_DEV},
		{"offload", required_argument, NULL, O_OFFLOAD},
		{"chain", required_argument, NULL, O_CHAIN},
		{"replace", no_argument, NULL, O_REPLACE},
		{"dry-run", no_argument, NULL, O_DRY},
		{"ifname", required_argument, NULL, O_IFNAME},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	/* main() reset getopt (optind = 0) for the subcommand */
	while ((c = getopt_long(argc, argv, "jpq", opts, NULL)) != -1) {
		switch (c) {
		case O_DEV:
			a->dev = optarg;
			break;
		case O_OFFLOAD:
			a->offload_set = true;
			if (!strcmp(optarg, "hw"))
				a->offload = BE_OFFLOAD_HW;
			else if (!strcmp(optarg, "sw"))
				a->offload = BE_OFFLOAD_SW;
			else if (!strcmp(optarg, "both"))
				a->offload = BE_OFFLOAD_BOTH;
			else
				return fl_usage_error(
					ctx, CMD,
					"--offload wants "
					"hw, sw or both, got '%s'",
					optarg);
			break;
		case O_CHAIN:
			a->chain = strtoul(optarg, &end, 10);
			if (*end || !*optarg || a->chain > 0xffff)
				return fl_usage_error(ctx, CMD,
						      "--chain wants a "
						      "number, got '%s'",
						      optarg);
			break;
		case O_REPLACE:
			a->replace = true;
			break;
		case O_DRY:
			a->dry_run = true;
			break;
		case O_IFNAME:
			if (fl_parse_ifname(optarg, &a->ifnames, &a->n_ifnames))
				return fl_usage_error(ctx, CMD,
						      "--ifname wants "
						      "IFINDEX=NAME, got '%s'",
						      optarg);
			break;
		case 'j':
		case 'p':
			break; /* taken by main() */
		case 'q':
			ctx->quiet = true;
			break;
		default:
			return fl_usage_error(ctx, CMD, "bad option");
		}
	}
	if (optind != argc - 1)
		return fl_usage_error(ctx, CMD, "want one RULES file");
	a->rules = argv[optind];
	if (!a->dev)
		return fl_usage_error(ctx, CMD, "--dev DEV is required");
	return 0;
}

static void make_cookie(struct be_flower_filter *f, char kind, uint32_t chain)
{
	uint32_t be = htonl(chain);

	memcpy(f->cookie, COOKIE_MAGIC, 8);
	f->cookie[8] = kind;
	memcpy(f->cookie + 9, &be, 4);
	f->cookie_len = 13;
}

static bool is_ours(const struct be_flower_filter *f)
{
	return f->cookie_len == 13 && !memcmp(f->cookie, COOKIE_MAGIC, 8);
}

static uint32_t cookie_chain(const struct be_flower_filter *f)
{
	uint32_t be;

	memcpy(&be, f->cookie + 9, 4);
	return ntohl(be);
}

/* The whole plan: the rules, the catch-all, the entry filter. */
struct plan {
	struct be_flower_filter *f;
	size_t n; /* rules + catch-all */
	struct be_flower_filter entry;
	uint32_t set_chain;
};

static void plan_free(struct plan *p)
{
	free(p->f);
	p->f = NULL;
}

static int build_plan(const struct ir_ruleset *rs, const struct apply_args *a,
		      uint32_t ifindex, uint32_t set_chain, struct plan *p,
		      char *err, size_t errsz)
{
	struct be_opts o = {
		.dev = a->dev,
		.offload = a->offload,
		.chain = set_chain,
		.ifnames = a->ifnames,
		.n_ifnames = a->n_ifnames,
	};
	size_t n = ir_ruleset__count(rs);
	struct be_flower_filter *c;
	char msg[512];
	int ret;

	p->f = calloc(n + 1, sizeof(*p->f));
	if (!p->f)
		return -ENOMEM;
	p->set_chain = set_chain;
	for (size_t i = 0, j = 0; i < n; i++) {
		const struct ir_rule *r = ir_ruleset__rule_c(rs, i);
		struct be_flower_filter *f = &p->f[j];

		/* a final "any -> slowpath" is what the catch-all does */
		if (!r->n_matches && r->action.verdict == IR_ACT_SLOWPATH &&
		    !r->action.n_rewrites && i == n - 1) {
			n--;
			break;
		}
		j++;
		ret = be_flower_filter_from_rule(f, r, &o, msg, sizeof(msg));
		if (ret)
			return fl_err(err, errsz, ret, "rule %zu: %s", i, msg);
		if (f->prio <= ENTRY_PRIO && !a->chain && set_chain == 0)
			return fl_err(err, errsz, -ERANGE, "rule %zu: bad prio",
				      i);
		if (f->prio >= CATCHALL_PRIO)
			return fl_err(err, errsz, -ERANGE,
				      "rule %zu: prio %u "
				      "collides with the catch-all",
				      i, f->prio);
		f->ifindex = ifindex;
		/* hardware traps to software; software goes to chain C+1 */
		f->goto_chain = a->offload == BE_OFFLOAD_HW ? 0 : a->chain + 1;
		make_cookie(f, 'R', set_chain);
	}
	/* Misses go to the slow path. Hardware misses reach software by
	 * themselves, so under hw the catch-all lives in software only. */
	c = &p->f[n];
	ir_rule__init(&c->rule);
	c->rule.prio = c->prio = CATCHALL_PRIO;
	c->rule.action.verdict = IR_ACT_SLOWPATH;
	c->ifindex = ifindex;
	c->chain = set_chain;
	c->protocol = ETH_P_ALL;
	c->offload = a->offload == BE_OFFLOAD_HW ? BE_OFFLOAD_SW : a->offload;
	c->goto_chain = a->chain + 1;
	make_cookie(c, 'C', set_chain);
	p->n = n + 1;
	/* The entry jumps to the set in hardware and software alike. */
	memset(&p->entry, 0, sizeof(p->entry));
	ir_rule__init(&p->entry.rule);
	p->entry.ifindex = ifindex;
	p->entry.chain = a->chain;
	p->entry.prio = p->entry.rule.prio = ENTRY_PRIO;
	p->entry.protocol = ETH_P_ALL;
	p->entry.offload =
		a->offload == BE_OFFLOAD_SW ? BE_OFFLOAD_SW : BE_OFFLOAD_BOTH;
	p->entry.rule.action.verdict = IR_ACT_SLOWPATH;
	p->entry.goto_chain = set_chain;
	make_cookie(&p->entry, 'E', set_chain);
	return 0;
}

/* What is installed now: our entry filter and our filters per chain. */
struct state {
	bool have_entry;
	struct be_flower_filter entry;
	struct be_flower_filter *old; /* ours in the chain to delete */
	size_t n_old, cap_old;
	uint32_t want_chain;
};

static int collect_entry(const struct be_flower_filter *f, void *arg)
{
	struct state *s = arg;

	if (is_ours(f) && f->cookie[8] == 'E' && f->prio == ENTRY_PRIO) {
		s->have_entry = true;
		s->entry = *f;
	}
	return 0;
}

static int collect_old(const struct be_flower_filter *f, void *arg)
{
	struct state *s = arg;

	if (!is_ours(f) || cookie_chain(f) != s->want_chain)
		return 0;
	if (s->n_old == s->cap_old) {
		size_t cap = s->cap_old ? s->cap_old * 2 : 64;
		struct be_flower_filter *n = realloc(s->old, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->old = n;
		s->cap_old = cap;
	}
	s->old[s->n_old++] = *f;
	return 0;
}

struct failure {
	char what[64], text[512];
};

struct results {
	const struct plan *p;
	int n_err;
	const struct fl_ctx *ctx;
	struct failure *fail; /* -j: kept for one object at the end */
	size_t n_fail;
};

/* "rule 3 (prio 2): Error: <kernel's text>." as iproute2 words it. */
static void on_result(uint64_t tag, int err, const char *msg, void *arg)
{
	struct results *r = arg;
	const struct be_flower_filter *f =
		tag < r->p->n ? &r->p->f[tag] : &r->p->entry;
	char what[64], text[512];

	if (!err)
		return;
	r->n_err++;
	if (tag + 1 < r->p->n)
		snprintf(what, sizeof(what), "rule %llu (prio %u)",
			 (unsigned long long)tag, f->prio);
	else
		snprintf(what, sizeof(what), "%s (chain %u prio %u)",
			 tag < r->p->n ? "catch-all" : "entry filter", f->chain,
			 f->prio);
	if (msg[0])
		snprintf(text, sizeof(text), "Error: %s.", msg);
	else
		snprintf(text, sizeof(text), "%s", strerror(-err));
	if (r->ctx->json) {
		struct failure *n =
			realloc(r->fail, (r->n_fail + 1) * sizeof(*n));

		if (!n)
			return;
		r->fail = n;
		snprintf(n[r->n_fail].what, sizeof(n->what), "%s", what);
		snprintf(n[r->n_fail++].text, sizeof(n->text), "%s", text);
	} else {
		fprintf(stderr, "flowlift apply: %s: %s\n", what, text);
	}
}

static void on_del(uint64_t tag, int err, const char *msg, void *arg)
{
	struct results *r = arg;

	if (err) {
		r->n_err++;
		fprintf(stderr, "flowlift apply: removing filter %llu: %s\n",
			(unsigned long long)tag, msg[0] ? msg : strerror(-err));
	}
}

/* Delete the filters in s->old (ours) in one batch. */
static int delete_old(struct be_nl *nl, struct state *s,
		      const struct fl_ctx *ctx)
{
	struct results r = {.ctx = ctx};
	int ret = 0;

	for (size_t i = 0; !ret && i < s->n_old; i++)
		ret = be_flower_nl__del(nl, &s->old[i], i);
	if (!ret)
		ret = be_nl__flush(nl, on_del, &r);
	return ret;
}

static int dry_run(const struct apply_args *a, const struct plan *p)
{
	struct be_opts o = {.dev = a->dev,
			    .ifnames = a->ifnames,
			    .n_ifnames = a->n_ifnames};
	char buf[4096], err[512];

	printf("# flowlift apply --dry-run: %zu filters into chain %u, then "
	       "the entry filter (chain %u prio %u) switched to it\n",
	       p->n, p->set_chain, a->chain, ENTRY_PRIO);
	for (size_t i = 0; i <= p->n; i++) {
		const struct be_flower_filter *f =
			i < p->n ? &p->f[i] : &p->entry;
		struct nlmsghdr *nlh = be_flower_nl__encode(
			buf, sizeof(buf), RTM_NEWTFILTER,
			NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, f, &o, err,
			sizeof(err));

		if (!nlh) {
			fprintf(stderr, "flowlift apply: filter %zu: %s\n", i,
				err);
			return FL_EXIT_ERR;
		}
		be_flower_nl__describe(nlh, &o, stdout);
	}
	return FL_EXIT_OK;
}

/* The summary line; under -j one object with every failure:
 * {"error": ..., "failed": [{"filter": ..., "error": ...}, ...]}. */
static int report_failed(struct results *r, const char *what)
{
	if (r->ctx->json) {
		struct fl_json *j = fl_ctx_json(r->ctx);

		fl_json__obj_begin(j);
		fl_json__kstr(j, "error", what);
		fl_json__key(j, "failed");
		fl_json__arr_begin(j);
		for (size_t i = 0; i < r->n_fail; i++) {
			fl_json__obj_begin(j);
			fl_json__kstr(j, "filter", r->fail[i].what);
			fl_json__kstr(j, "error", r->fail[i].text);
			fl_json__obj_end(j);
		}
		fl_json__arr_end(j);
		fl_json__obj_end(j);
		fl_json__free(j);
	} else {
		fprintf(stderr, "flowlift apply: %s\n", what);
	}
	free(r->fail);
	r->fail = NULL;
	return FL_EXIT_ERR;
}

static int install(const struct fl_ctx *ctx, const struct apply_args *a,
		   struct be_nl *nl, struct plan *p, struct state *s)
{
	struct results r = {.p = p, .ctx = ctx};
	struct state added = {.want_chain = p->set_chain};
	char what[128];
	int ret = 0;

	for (size_t i = 0; !ret && i < p->n; i++)
		ret = be_flower_nl__add(nl, &p->f[i], i);
	if (!ret)
		ret = be_nl__flush(nl, on_result, &r);
	if (ret || r.n_err) {
		/* take back what did get in: the old set stays as it was */
		if (!be_flower_nl__dump(nl, p->f[0].ifindex, false,
					p->set_chain, collect_old, &added))
			delete_old(nl, &added, ctx);
		free(added.old);
		snprintf(what, sizeof(what),
			 "%d of %zu filters failed on %s; "
			 "nothing changed",
			 r.n_err, p->n, a->dev);
		return report_failed(&r, r.n_err ? what : strerror(-ret));
	}
	/* the switch: one filter replaced in place */
	if (s->have_entry) {
		char buf[4096];
		struct nlmsghdr *nlh;

		p->entry.handle = s->entry.handle;
		nlh = be_flower_nl__encode(buf, sizeof(buf), RTM_NEWTFILTER,
					   NLM_F_REPLACE, &p->entry, NULL, NULL,
					   0);
		ret = nlh ? be_nl__queue(nl, nlh, p->n) : -errno;
	} else {
		ret = be_flower_nl__add(nl, &p->entry, p->n);
	}
	if (!ret)
		ret = be_nl__flush(nl, on_result, &r);
	if (ret || r.n_err)
		return report_failed(&r, "switching to the new rule set "
					 "failed; the old one is still active");
	return delete_old(nl, s, ctx) ? FL_EXIT_ERR : FL_EXIT_OK;
}

/* Without --offload, the mode the file was compiled for: skip_sw on every
 * filter line is hw, skip_hw on every one sw, else both. */
static enum be_offload file_offload(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	int n = 0, sw = 0, hw = 0;

	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "filter add ", 11))
			continue;
		n++;
		hw += strstr(line, " skip_sw") != NULL;
		sw += strstr(line, " skip_hw") != NULL;
	}
	free(line);
	rewind(f);
	return !n || hw == n ? BE_OFFLOAD_HW
	       : sw == n     ? BE_OFFLOAD_SW
			     : BE_OFFLOAD_BOTH;
}

static int apply(struct fl_ctx *ctx, struct apply_args *a)
{
	struct be_opts o = {.dev = a->dev,
			    .offload = a->offload,
			    .ifnames = a->ifnames,
			    .n_ifnames = a->n_ifnames};
	struct state s = {0};
	struct plan p = {0};
	struct ir_ruleset *rs;
	struct be_nl *nl = NULL;
	uint32_t ifindex = if_nametoindex(a->dev), cur = 0, next;
	char err[1024] = "";
	FILE *f;
	int ret;

	f = fopen(a->rules, "r");
	if (!f)
		return fl_error(ctx, CMD, "%s: %s", a->rules, strerror(errno));
	if (!a->offload_set)
		a->offload = file_offload(f);
	rs = be_flower_ops.parse(f, &o, err, sizeof(err));
	fclose(f);
	if (!rs)
		return fl_error(ctx, CMD, "%s:%s", a->rules, err);
	if (!ifindex && !a->dry_run) {
		ret = fl_error(ctx, CMD, "no device '%s'", a->dev);
		goto out;
	}
	if (a->dry_run) {
		ret = build_plan(rs, a, ifindex, a->chain + 2, &p, err,
				 sizeof(err));
		ret = ret ? fl_error(ctx, CMD, "%s", err) : dry_run(a, &p);
		goto out;
	}
	nl = be_nl__open(err, sizeof(err));
	if (!nl) {
		ret = fl_error(ctx, CMD, "%s", err);
		goto out;
	}
	ret = be_flower_nl__dump(nl, ifindex, false, a->chain, collect_entry,
				 &s);
	if (ret) {
		ret = fl_error(ctx, CMD,
			       "listing filters on %s: %s (is there "
			       "a clsact qdisc?)",
			       a->dev, strerror(-ret));
		goto out;
	}
	if (s.have_entry && !a->replace) {
		ret = fl_error(ctx, CMD,
			       "a flowlift rule set is installed on "
			       "%s (chain %u); use --replace",
			       a->dev, cookie_chain(&s.entry));
		goto out;
	}
	if (s.have_entry)
		cur = cookie_chain(&s.entry);
	next = cur == a->chain + 2 ? a->chain + 3 : a->chain + 2;
	/* leftovers of an interrupted apply in the chain we are about to
	 * fill are ours to remove first */
	s.want_chain = next;
	ret = be_flower_nl__dump(nl, ifindex, false, next, collect_old, &s);
	if (!ret && s.n_old)
		ret = delete_old(nl, &s, ctx);
	s.n_old = 0;
	s.want_chain = cur;
	if (!ret && s.have_entry)
		ret = be_flower_nl__dump(nl, ifindex, false, cur, collect_old,
					 &s);
	if (ret) {
		ret = fl_error(ctx, CMD, "%s", strerror(-ret));
		goto out;
	}
	ret = build_plan(rs, a, ifindex, next, &p, err, sizeof(err));
	if (ret) {
		ret = fl_error(ctx, CMD, "%s", err);
		goto out;
	}
	ret = install(ctx, a, nl, &p, &s);
	if (ret == FL_EXIT_OK && !ctx->json && !ctx->quiet)
		fprintf(stderr,
			"flowlift apply: %zu rules on %s in chain %u"
			"%s\n",
			p.n - 1, a->dev, next,
			s.have_entry ? " (replaced the previous set)" : "");
	else if (ret == FL_EXIT_OK && ctx->json) {
		struct fl_json *j = fl_ctx_json(ctx);

		fl_json__obj_begin(j);
		fl_json__kstr(j, "dev", a->dev);
		fl_json__ku64(j, "rules", p.n - 1);
		fl_json__ku64(j, "chain", next);
		fl_json__kbool(j, "replaced", s.have_entry);
		fl_json__obj_end(j);
		fl_json__free(j);
	}
out:
	plan_free(&p);
	free(s.old);
	be_nl__close(nl);
	ir_ruleset__free(rs);
	return ret;
}

int do_apply(int argc, char **argv, struct fl_ctx *ctx)
{
	struct apply_args a = {.offload = BE_OFFLOAD_HW};
	int ret;

	if (fl_wants_help(argc, argv)) {
		apply_usage();
		return FL_EXIT_OK;
	}
	ret = parse_args(argc, argv, ctx, &a);
	if (!ret)
		ret = apply(ctx, &a);
	free(a.ifnames);
	return ret;
}
