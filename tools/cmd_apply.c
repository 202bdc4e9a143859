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
 *
 * Speed: the file is read once (without --offload, its header line says
 * the mode, unless it has none); each line is split in place and parsed
 * into one reused filter (be_flower_parse_next), placed in place and
 * encoded straight into one netlink batch, sent by be_nl in windows of
 * up to 1024
 * requests per sendmsg with one ack per window (the kernel answers every
 * failed request by itself). A failure is matched back by sequence
 * number and named by FILE:LINE and rule; any failure takes the whole new
 * set back out, as above.
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

/*
 * The file is read once, line by line: each filter line is parsed, turned
 * into its place in the layout and encoded straight into the netlink
 * batch; no rule set or plan is kept, only a line and prio per request
 * for the error messages. A parse error stops before anything is sent.
 */
#define TAG_DEL (1ull << 63) /* leftover deletions, queued first */

struct req {
	uint32_t line;
	uint16_t prio;
};

/* What is being installed: n_rules rules (tags 0..), then the catch-all
 * (tag n_rules) and the entry filter (tag n_rules + 1). */
struct plan {
	struct req *req;
	size_t n_rules, cap;
	uint32_t set_chain;
	struct be_flower_filter catchall, entry;
};

static void plan_free(struct plan *p)
{
	free(p->req);
	p->req = NULL;
}

/* Header lines the printer makes itself, as be_flower_parse skips them. */
static const char *const generated[] = {"duplicates", "ifname", NULL};

/* One filter line, parsed, to be placed into the set chain. */
typedef int (*emit_fn)(const struct be_flower_filter *f, size_t i,
		       uint32_t line, void *arg);

struct reader {
	const struct apply_args *a;
	uint32_t ifindex;
	struct be_opts o;		  /* the set chain's */
	struct be_opts lo;		  /* parse: ifnames of file + args */
	struct be_ifname *tab;		  /* the file's "# ifname:" lines */
	size_t n_tab;
	/* the held rule as parsed, then placed in place; the next line is
	 * parsed into it after that (be_flower_parse_next) */
	struct be_flower_filter f;
	char msg[512];
};

/* The file's ifnames first, then --ifname's, as be_flower_parse does. */
static int add_ifname_line(struct reader *rd, const char *line)
{
	struct be_ifname *t;
	int ret = be_parse_ifname_line(line, &rd->tab, &rd->n_tab);

	if (ret != 1)
		return ret;
	t = realloc(rd->tab,
		    (rd->n_tab + rd->a->n_ifnames) * sizeof(*rd->tab));
	if (!t)
		return -ENOMEM;
	rd->tab = t;
	if (rd->a->n_ifnames)
		memcpy(t + rd->n_tab, rd->a->ifnames,
		       rd->a->n_ifnames * sizeof(*t));
	rd->lo.ifnames = t;
	rd->lo.n_ifnames = rd->n_tab + rd->a->n_ifnames;
	return 1;
}

/* Rule i (parsed, in rd->f) as the set chain's filter, in place. */
static int place(struct reader *rd, size_t i, uint32_t line, char *err,
		 size_t errsz)
{
	struct be_flower_filter *f = &rd->f;
	int ret = be_flower_filter_place(f, &rd->o, rd->msg, sizeof(rd->msg));

	if (ret)
		return fl_err(err, errsz, ret, "%u: rule %zu: %s", line, i,
			      rd->msg);
	if (f->prio <= ENTRY_PRIO && !rd->a->chain && rd->o.chain == 0)
		return fl_err(err, errsz, -ERANGE, "%u: rule %zu: bad prio",
			      line, i);
	if (f->prio >= CATCHALL_PRIO)
		return fl_err(err, errsz, -ERANGE,
			      "%u: rule %zu: prio %u collides with the "
			      "catch-all",
			      line, i, f->prio);
	f->ifindex = rd->ifindex;
	/* hardware traps to software; software goes to chain C+1 */
	f->goto_chain =
		rd->a->offload == BE_OFFLOAD_HW ? 0 : rd->a->chain + 1;
	make_cookie(f, 'R', rd->o.chain);
	return 0;
}

/* A final "any -> slowpath" is what the catch-all does: left out. */
static bool folds(const struct be_flower_filter *f)
{
	const struct ir_rule *r = &f->rule;

	return !r->n_matches && r->action.verdict == IR_ACT_SLOWPATH &&
	       !r->action.n_rewrites;
}

/* Place the held rule i (line) and hand it to emit. */
static int emit_held(struct reader *rd, size_t i, uint32_t line, emit_fn emit,
		     void *arg, char *err, size_t errsz)
{
	int ret = place(rd, i, line, err, errsz);

	return ret ? ret : emit(&rd->f, i, line, arg);
}

/* Read every line of f; emit each rule, placed, but a final folding one.
 * A rule is held until the next one is read (to know the last). Returns
 * the number emitted, or negative with "LINE: why" in err. */
static ssize_t read_rules(struct reader *rd, FILE *f, emit_fn emit, void *arg,
			  char *err, size_t errsz)
{
	struct ir_ruleset *meta = ir_ruleset__new();
	char *line = NULL;
	size_t cap = 0, n = 0;
	uint32_t lineno = 0, held = 0; /* the held rule's line, 0: none */
	int ret = meta ? 0 : -ENOMEM;

	rd->lo = rd->o;
	while (!ret && getline(&line, &cap, f) > 0) {
		char *p = be_trim_line(line);

		lineno++;
		if (!*p)
			continue;
		if (*p == '#') {
			ret = add_ifname_line(rd, p);
			if (!ret)
				ret = be_parse_meta_line(meta, p, generated,
							 lineno, err, errsz);
			ret = ret == 1 ? 0 : ret;
			continue;
		}
		if (held) {
			ret = emit_held(rd, n++, held, emit, arg, err, errsz);
			if (ret)
				break;
		}
		rd->msg[0] = '\0';
		ret = be_flower_parse_next(p, &rd->lo, &rd->f, rd->msg,
					   sizeof(rd->msg));
		if (ret)
			fl_err(err, errsz, ret, "%u: %s", lineno,
			       rd->msg[0] ? rd->msg : strerror(-ret));
		held = lineno;
	}
	if (!ret && held && !folds(&rd->f))
		ret = emit_held(rd, n++, held, emit, arg, err, errsz);
	free(line);
	ir_ruleset__free(meta);
	return ret ? ret : (ssize_t)n;
}

/* Misses go to the slow path. Hardware misses reach software by
 * themselves, so under hw the catch-all lives in software only. The entry
 * jumps to the set in hardware and software alike. */
static void plan_fixed(struct plan *p, const struct apply_args *a,
		       uint32_t ifindex)
{
	struct be_flower_filter *c = &p->catchall, *e = &p->entry;

	memset(c, 0, sizeof(*c));
	ir_rule__init(&c->rule);
	c->rule.prio = c->prio = CATCHALL_PRIO;
	c->rule.action.verdict = IR_ACT_SLOWPATH;
	c->ifindex = ifindex;
	c->chain = p->set_chain;
	c->protocol = ETH_P_ALL;
	c->offload = a->offload == BE_OFFLOAD_HW ? BE_OFFLOAD_SW : a->offload;
	c->goto_chain = a->chain + 1;
	make_cookie(c, 'C', p->set_chain);
	memset(e, 0, sizeof(*e));
	ir_rule__init(&e->rule);
	e->ifindex = ifindex;
	e->chain = a->chain;
	e->prio = e->rule.prio = ENTRY_PRIO;
	e->protocol = ETH_P_ALL;
	e->offload =
		a->offload == BE_OFFLOAD_SW ? BE_OFFLOAD_SW : BE_OFFLOAD_BOTH;
	e->rule.action.verdict = IR_ACT_SLOWPATH;
	e->goto_chain = p->set_chain;
	make_cookie(e, 'E', p->set_chain);
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
	char what[96], text[512];
};

/* stderr shows this many failures, -j all of them */
#define SHOW_FAILED 10

struct results {
	const struct plan *p;
	const char *rules; /* the file, for "FILE:LINE:" */
	int n_err, n_del_err;
	const struct fl_ctx *ctx;
	struct failure *fail; /* -j: kept for one object at the end */
	size_t n_fail;
};

/* "FILE:3: rule 0 (prio 2): Error: <kernel's text>." as iproute2 words
 * the kernel's part. */
static void on_result(uint64_t tag, int err, const char *msg, void *arg)
{
	struct results *r = arg;
	const struct plan *p = r->p;
	char what[96], text[512];

	if (!err)
		return;
	if (tag & TAG_DEL) {
		if (r->n_del_err++ < SHOW_FAILED && !r->ctx->json)
			fprintf(stderr,
				"flowlift apply: removing a leftover filter "
				"of an earlier apply: %s\n",
				msg[0] ? msg : strerror(-err));
		r->n_err++;
		return;
	}
	r->n_err++;
	if (tag < p->n_rules)
		snprintf(what, sizeof(what), "%s:%u: rule %llu (prio %u)",
			 r->rules, p->req[tag].line, (unsigned long long)tag,
			 p->req[tag].prio);
	else
		snprintf(what, sizeof(what), "%s (chain %u prio %u)",
			 tag == p->n_rules ? "catch-all" : "entry filter",
			 tag == p->n_rules ? p->catchall.chain : p->entry.chain,
			 tag == p->n_rules ? CATCHALL_PRIO : ENTRY_PRIO);
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
	} else if (r->n_err <= SHOW_FAILED) {
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

/* Queue deletions of the filters in s->old (ours), tags base + i. */
static int queue_del(struct be_nl *nl, const struct state *s, uint64_t base)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < s->n_old; i++)
		ret = be_flower_nl__del(nl, &s->old[i], base + i);
	return ret;
}

/* Delete the filters in s->old (ours) in one batch. */
static int delete_old(struct be_nl *nl, struct state *s,
		      const struct fl_ctx *ctx)
{
	struct results r = {.ctx = ctx};
	int ret = queue_del(nl, s, 0);

	if (!ret)
		ret = be_nl__flush(nl, on_del, &r);
	return ret;
}

struct dry {
	const struct be_opts *o;
};

static int dry_emit(const struct be_flower_filter *f, size_t i, uint32_t line,
		    void *arg)
{
	const struct dry *d = arg;
	char buf[4096], err[512];
	struct nlmsghdr *nlh = be_flower_nl__encode(
		buf, sizeof(buf), RTM_NEWTFILTER,
		NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, f, d->o, err,
		sizeof(err));

	if (!nlh) {
		fprintf(stderr, "flowlift apply: line %u: rule %zu: %s\n",
			line, i, err);
		return -EINVAL;
	}
	be_flower_nl__describe(nlh, d->o, stdout);
	return 0;
}

static int dry_run(struct fl_ctx *ctx, const struct apply_args *a, FILE *f,
		   struct reader *rd, struct plan *p)
{
	struct be_opts o = {.dev = a->dev,
			    .ifnames = a->ifnames,
			    .n_ifnames = a->n_ifnames};
	struct dry d = {.o = &o};
	char err[1024];
	ssize_t n;

	printf("# flowlift apply --dry-run: the rules into chain %u, the "
	       "catch-all, then the entry filter (chain %u prio %u) switched "
	       "to it\n",
	       p->set_chain, a->chain, ENTRY_PRIO);
	err[0] = '\0';
	n = read_rules(rd, f, dry_emit, &d, err, sizeof(err));
	if (n < 0) {
		if (err[0])
			fl_error(ctx, CMD, "%s:%s", a->rules, err);
		return FL_EXIT_ERR;
	}
	if (dry_emit(&p->catchall, n, 0, &d) || dry_emit(&p->entry, n + 1, 0,
							  &d))
		return FL_EXIT_ERR;
	printf("# %zd rules, the catch-all and the entry filter\n", n);
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
		if (r->n_err > SHOW_FAILED)
			fprintf(stderr,
				"flowlift apply: (%d more failures not "
				"shown; -j lists all)\n",
				r->n_err - SHOW_FAILED);
		fprintf(stderr, "flowlift apply: %s\n", what);
	}
	free(r->fail);
	r->fail = NULL;
	return FL_EXIT_ERR;
}

struct queuer {
	struct be_nl *nl;
	struct plan *p;
};

/* One rule into the batch, its line and prio kept for the messages. */
static int queue_rule(const struct be_flower_filter *f, size_t i,
		      uint32_t line, void *arg)
{
	struct queuer *q = arg;
	struct plan *p = q->p;

	if (i == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		struct req *n = realloc(p->req, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->req = n;
		p->cap = cap;
	}
	p->req[i] = (struct req){.line = line, .prio = f->prio};
	p->n_rules = i + 1;
	return be_flower_nl__add(q->nl, f, i);
}

/* Everything into the free chain in one batch (leftovers of an
 * interrupted apply deleted first, in the same batch); on any failure all
 * of it is taken back. Then the switch, then the old set goes. */
static int install(const struct fl_ctx *ctx, const struct apply_args *a,
		   struct be_nl *nl, struct plan *p, struct state *s)
{
	struct results r = {.p = p, .ctx = ctx, .rules = a->rules};
	struct state added = {.want_chain = p->set_chain};
	char what[160];
	int ret;

	ret = be_flower_nl__add(nl, &p->catchall, p->n_rules);
	if (!ret)
		ret = be_nl__flush(nl, on_result, &r);
	if (ret || r.n_err) {
		/* take back what did get in: the old set stays as it was */
		if (!be_flower_nl__dump(nl, p->entry.ifindex, false,
					p->set_chain, collect_old, &added))
			delete_old(nl, &added, ctx);
		free(added.old);
		snprintf(what, sizeof(what),
			 "%d of %zu filters failed on %s; "
			 "nothing changed",
			 r.n_err - r.n_del_err, p->n_rules + 1, a->dev);
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
		ret = nlh ? be_nl__queue(nl, nlh, p->n_rules + 1) : -errno;
	} else {
		ret = be_flower_nl__add(nl, &p->entry, p->n_rules + 1);
	}
	if (!ret)
		ret = be_nl__flush(nl, on_result, &r);
	if (ret || r.n_err)
		return report_failed(&r, "switching to the new rule set "
					 "failed; the old one is still active");
	return delete_old(nl, s, ctx) ? FL_EXIT_ERR : FL_EXIT_OK;
}

/* Without --offload, the mode the file was compiled for. Its first line
 * says it (be_flower.c's header): then nothing more is read. A file
 * without that header is scanned: skip_sw on every filter line is hw,
 * skip_hw on every one sw, else both. */
#define HEADER "# flowlift flower rules for dev "

static const struct {
	const char *tail;
	enum be_offload mode;
} header_offload[] = {
	{", offload hw (skip_sw)", BE_OFFLOAD_HW},
	{", offload sw (skip_hw)", BE_OFFLOAD_SW},
	{", offload both", BE_OFFLOAD_BOTH},
};

static bool header_mode(char *line, enum be_offload *mode)
{
	size_t len;

	if (strncmp(line, HEADER, strlen(HEADER)))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	len = strlen(line);
	for (size_t i = 0; i < FL_ARRAY_SIZE(header_offload); i++) {
		size_t n = strlen(header_offload[i].tail);

		if (len > n && !strcmp(line + len - n, header_offload[i].tail)) {
			*mode = header_offload[i].mode;
			return true;
		}
	}
	return false;
}

static enum be_offload file_offload(FILE *f)
{
	enum be_offload mode;
	char *line = NULL;
	size_t cap = 0;
	int n = 0, sw = 0, hw = 0;
	bool first = true;

	while (getline(&line, &cap, f) > 0) {
		if (first && header_mode(line, &mode))
			goto out;
		first = false;
		if (strncmp(line, "filter add ", 11))
			continue;
		n++;
		hw += strstr(line, " skip_sw") != NULL;
		sw += strstr(line, " skip_hw") != NULL;
	}
	mode = !n || hw == n ? BE_OFFLOAD_HW
	       : sw == n     ? BE_OFFLOAD_SW
			     : BE_OFFLOAD_BOTH;
out:
	free(line);
	rewind(f);
	return mode;
}

static int apply(struct fl_ctx *ctx, struct apply_args *a)
{
	struct state s = {0}, left = {0};
	struct plan p = {0};
	struct reader *rd = calloc(1, sizeof(*rd));
	struct be_nl *nl = NULL;
	struct queuer q;
	uint32_t ifindex = if_nametoindex(a->dev), cur = 0, next;
	char err[1024] = "";
	FILE *f = NULL;
	ssize_t n;
	int ret;

	if (!rd)
		return fl_error(ctx, CMD, "%s", strerror(ENOMEM));
	f = fopen(a->rules, "r");
	if (!f) {
		ret = fl_error(ctx, CMD, "%s: %s", a->rules, strerror(errno));
		goto out;
	}
	if (!a->offload_set)
		a->offload = file_offload(f);
	rd->a = a;
	rd->ifindex = ifindex;
	rd->o = (struct be_opts){.dev = a->dev,
				 .offload = a->offload,
				 .ifnames = a->ifnames,
				 .n_ifnames = a->n_ifnames};
	if (a->dry_run) {
		p.set_chain = rd->o.chain = a->chain + 2;
		plan_fixed(&p, a, ifindex);
		ret = dry_run(ctx, a, f, rd, &p);
		goto out;
	}
	if (!ifindex) {
		ret = fl_error(ctx, CMD, "no device '%s'", a->dev);
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
	 * fill are ours to remove first (queued ahead of the new set) */
	left.want_chain = next;
	s.want_chain = cur;
	ret = be_flower_nl__dump(nl, ifindex, false, next, collect_old, &left);
	if (!ret && s.have_entry)
		ret = be_flower_nl__dump(nl, ifindex, false, cur, collect_old,
					 &s);
	if (!ret)
		ret = queue_del(nl, &left, TAG_DEL);
	if (ret) {
		ret = fl_error(ctx, CMD, "%s", strerror(-ret));
		goto out;
	}
	p.set_chain = rd->o.chain = next;
	plan_fixed(&p, a, ifindex);
	q = (struct queuer){.nl = nl, .p = &p};
	n = read_rules(rd, f, queue_rule, &q, err, sizeof(err));
	if (n < 0) {
		/* nothing was sent: the batch goes with the socket */
		ret = err[0] ? fl_error(ctx, CMD, "%s:%s", a->rules, err)
			     : fl_error(ctx, CMD, "%s", strerror(-n));
		goto out;
	}
	ret = install(ctx, a, nl, &p, &s);
	if (ret == FL_EXIT_OK && !ctx->json && !ctx->quiet)
		fprintf(stderr,
			"flowlift apply: %zu rules on %s in chain %u"
			"%s\n",
			p.n_rules, a->dev, next,
			s.have_entry ? " (replaced the previous set)" : "");
	else if (ret == FL_EXIT_OK && ctx->json) {
		struct fl_json *j = fl_ctx_json(ctx);

		fl_json__obj_begin(j);
		fl_json__kstr(j, "dev", a->dev);
		fl_json__ku64(j, "rules", p.n_rules);
		fl_json__ku64(j, "chain", next);
		fl_json__kbool(j, "replaced", s.have_entry);
		fl_json__obj_end(j);
		fl_json__free(j);
	}
out:
	if (f)
		fclose(f);
	plan_free(&p);
	free(s.old);
	free(left.old);
	free(rd->tab);
	free(rd);
	be_nl__close(nl);
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
