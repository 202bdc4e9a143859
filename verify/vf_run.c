// SPDX-License-Identifier: Apache-2.0
/*
 * vf_run.c - the verify driver: compile, load, generate, compare.
 *
 * For each frame: the kernel's verdict (BPF_PROG_TEST_RUN) and the first
 * rule the target's dissector model matches. A rule that decides (any
 * action but slowpath) must give the kernel's verdict, and unless it
 * rewrites, the program must not have changed the frame. The rest goes to
 * the slow path and counts against coverage, never as a violation.
 *
 * How frames reach the kernel so that it sees what the real hook sees:
 *  - tc ingress: the kernel strips the outer VLAN tag into skb->vlan_tci
 *    before the program runs (skb_vlan_untag on receive), while test_run
 *    passes the frame as given; so the outer tag is stripped here before
 *    test_run and kept for the rule set (flower matches it as vlan.id).
 *    test_run cannot set skb->vlan_tci, so for programs that read it a
 *    tagged frame cannot be judged: counted apart, not as passing.
 *  - tc: test_run refuses IPv4/IPv6 frames with incomplete L3 headers
 *    (and anything under 14 bytes) with EINVAL: "not testable", counted.
 *  - XDP: the frame as is.
 * Redirect targets are not visible through test_run: a redirect is
 * checked as a verdict, and the report says so.
 *
 * After the first round, the frames that some rule decided (one per rule)
 * become bases for the malformed variants (truncations, options,
 * fragments, tags, extension headers), aimed where rules are likeliest to
 * be wrong.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends/backends.h"
#include "verify/verify.h"

#define MAX_RULE_BASES 64
#define MAX_OTHER_BASES 8 /* per kernel verdict */

struct run {
	const struct vf_opts *o;
	struct vf_report *rep;
	struct lift_object *lo;
	const struct lift_prog *prog;
	struct ir_ruleset *rs;
	struct ir_index *ix;  /* first-match index over rs */
	struct vf_kern *k;
	enum ir_dissector dis;
	enum ir_hook hook;
	bool tc;
	uint32_t *hits;       /* per rule */
	int32_t *base_of;     /* per rule: frame index in 'frames' or -1 */
	uint8_t *kv_of;       /* per first-round frame: kernel verdict + 1 */
	size_t n_kv;
	size_t n_rules;
	struct vf_kern_result kres;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *hook_name(enum ir_hook h)
{
	switch (h) {
	case IR_HOOK_TC_INGRESS:
		return "tc ingress";
	case IR_HOOK_TC_EGRESS:
		return "tc egress";
	default:
		return "xdp";
	}
}

/* A rule set in IR text (an earlier `flowlift compile` output, or one
 * written by hand) instead of a fresh compilation. */
static int read_rules(struct run *r, char *err, size_t errsz)
{
	char msg[256] = "";
	FILE *f = fopen(r->o->rules, "r");

	if (!f)
		return fl_err(err, errsz, -errno, "%s: %s", r->o->rules,
			      strerror(errno));
	r->rs = ir_ruleset__parse(f, r->o->rules, msg, sizeof(msg));
	fclose(f);
	if (!r->rs)
		return fl_err(err, errsz, -EINVAL, "%s", msg);
	return 0;
}

static int open_and_compile(struct run *r, char *err, size_t errsz)
{
	const struct vf_opts *o = r->o;
	struct lift_opts lopts = { .assume = o->assume, .diag = o->diag };
	double t0;
	int ret;

	r->lo = lift_object__open(o->obj_path, err, errsz);
	if (!r->lo)
		return -errno ? -errno : -EINVAL;
	for (size_t i = 0; i < o->n_map_specs; i++) {
		char name[128];
		const char *eq = strchr(o->map_specs[i], '=');

		if (!eq || eq == o->map_specs[i] ||
		    (size_t)(eq - o->map_specs[i]) >= sizeof(name))
			return fl_err(err, errsz, -EINVAL,
				      "--map '%s': expected NAME=FILE",
				      o->map_specs[i]);
		memcpy(name, o->map_specs[i], (size_t)(eq - o->map_specs[i]));
		name[eq - o->map_specs[i]] = 0;
		ret = lift_object__load_dump(r->lo, name, eq + 1, err, errsz);
		if (ret)
			return ret;
	}
	r->prog = lift_object__find_prog(r->lo, o->prog, err, errsz);
	if (!r->prog)
		return -ENOENT;
	if (!strcmp(o->target, "ir")) {
		r->dis = IR_DIS_NFT; /* parses every IR field */
	} else {
		const struct be_ops *be = be_find(o->target);

		if (!be || !be->caps)
			return fl_err(err, errsz, -EINVAL,
				      "unknown target '%s' (ir, flower, nft, "
				      "rteflow)", o->target);
		lopts.caps = be->caps;
		r->dis = be->caps->dissector;
	}
	t0 = now();
	if (o->rules)
		ret = read_rules(r, err, errsz);
	else
		ret = lift_compile(r->lo, r->prog, &lopts, &r->rs,
				   &r->rep->lstats, err, errsz);
	r->rep->secs_compile = now() - t0;
	if (ret)
		return ret;
	t0 = now();
	r->ix = ir_index__new(r->rs);
	if (!r->ix)
		return fl_err(err, errsz, -errno, "rule set index: %s",
			      strerror(errno));
	r->rep->secs_index = now() - t0;
	r->hook = ir_ruleset__hook(r->rs);
	r->n_rules = ir_ruleset__count(r->rs);
	r->hits = calloc(r->n_rules + 1, sizeof(*r->hits));
	r->base_of = malloc((r->n_rules + 1) * sizeof(*r->base_of));
	if (!r->hits || !r->base_of)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_rules; i++)
		r->base_of[i] = -1;
	return 0;
}

static int fill_pools(struct run *r, struct vf_pools *p)
{
	for (size_t i = 0; i < r->lo->n_progs; i++)
		vf_pools__scan_insns(p, r->lo->progs[i].insns,
				     r->lo->progs[i].n_insns);
	for (size_t i = 0; i < r->lo->n_maps; i++) {
		struct vf_keyshape shape;

		vf_kern__key_shape(r->k, r->lo->maps[i].name, &shape);
		vf_pools__scan_map(p, &r->lo->maps[i], &shape);
	}
	return 0;
}

/* The source line of the last jump the rule's path took in the lifted
 * program (the end of its last range but one: ranges are cut where the
 * path jumped; those of tail-called programs come after), else of its last
 * instruction. */
static void path_source(const struct run *r, const struct ir_rule *rule,
			char *buf, size_t size)
{
	const struct lift_line *ln;
	uint32_t n = 0, insn;

	buf[0] = 0;
	while (n < rule->prov.n_ranges && !rule->prov.ranges[n].prog)
		n++;
	if (!n)
		return;
	insn = rule->prov.ranges[n >= 2 ? n - 2 : n - 1].last;
	ln = lift_prog__line(r->prog, insn);
	if (ln && ln->file)
		snprintf(buf, size, "insn %u (%s:%u): %s", insn, ln->file,
			 ln->line, ln->text ? ln->text : "");
}

static void keep_violation(struct run *r, const struct vf_frame *f,
			   const uint8_t *kin, uint32_t klen,
			   const struct vf_kverdict *kv, const struct ir_rule *rule,
			   const char *why)
{
	struct vf_report *rep = r->rep;
	struct vf_violation *v;

	rep->n_violations++;
	if (rep->n_kept >= r->o->max_report)
		return;
	if (!rep->viol) {
		rep->viol = calloc(r->o->max_report, sizeof(*rep->viol));
		if (!rep->viol)
			return;
	}
	v = &rep->viol[rep->n_kept];
	v->frame = *f;
	v->frame.data = malloc(f->len ? f->len : 1);
	if (!v->frame.data)
		return;
	memcpy(v->frame.data, f->data, f->len);
	v->kern_len = klen;
	vf_frame__describe(f->data, f->len, v->desc, sizeof(v->desc));
	snprintf(v->kernel, sizeof(v->kernel), "%s", kv->name);
	v->kverdict = kv->verdict;
	if (ir_rule__snprint(rule, v->rule, sizeof(v->rule), true) < 0)
		snprintf(v->rule, sizeof(v->rule), "prio %u (too long to print)",
			 rule->prio);
	snprintf(v->why, sizeof(v->why), "%s", why);
	path_source(r, rule, v->source, sizeof(v->source));
	rep->n_kept++;
	(void)kin;
}

/* The first rule the target's model matches, through the index (the
 * same answer as ir_ruleset__eval); NULL: none. Its index in *ri. */
static const struct ir_rule *first_match(const struct run *r,
					 const struct ir_keys *keys,
					 size_t *ri)
{
	long i = ir_index__eval(r->ix, r->dis, keys);

	*ri = i < 0 ? r->n_rules : (size_t)i;
	return i < 0 ? NULL : ir_ruleset__rule_c(r->rs, (size_t)i);
}

/* The frame and the rule the model picks, for --frames-out. */
static void frame_out(const struct run *r, const struct vf_frame *f)
{
	struct ir_meta meta = { .ifindex = 1, .mark = r->tc ? f->mark : 0 };
	const struct ir_rule *rule;
	struct ir_keys keys;
	size_t ri;

	ir_dissect(r->dis, f->data, f->len, &meta, &keys);
	rule = first_match(r, &keys, &ri);
	for (uint32_t i = 0; i < f->len; i++)
		fprintf(r->o->frames_out, "%02x", f->data[i]);
	if (rule)
		fprintf(r->o->frames_out, "%s %u %zu %u\n", f->len ? "" : "-",
			meta.mark, ri, rule->prio);
	else
		fprintf(r->o->frames_out, "%s %u -1 -1\n", f->len ? "" : "-",
			meta.mark);
}

/* Judge frame f; idx is its index in the first-round list (or -1). */
static int judge(struct run *r, const struct vf_frame *f, int32_t idx,
		 char *err, size_t errsz)
{
	struct vf_report *rep = r->rep;
	struct ir_meta meta = { .ifindex = 1, .mark = r->tc ? f->mark : 0 };
	uint8_t kin[VF_FRAME_MAX + 64];
	uint32_t klen = f->len;
	struct vf_kverdict kv, kv2;
	struct ir_keys keys;
	const struct ir_rule *rule;
	bool tagged;
	size_t ri;
	int ret;

	rep->packets++;
	if (r->o->frames_out)
		frame_out(r, f);
	if (vf_frame__breaks(f->data, f->len, r->o->assume)) {
		rep->outside++;
		return 0;
	}
	if (f->len > sizeof(kin)) {
		rep->not_testable++;
		return 0;
	}
	memcpy(kin, f->data, f->len);
	tagged = f->len >= 14 && ((f->data[12] == 0x81 && f->data[13] == 0) ||
				  (f->data[12] == 0x88 && f->data[13] == 0xa8));
	if (tagged && r->hook == IR_HOOK_TC_INGRESS && f->len < 18) {
		/* skb_vlan_untag() cannot pull the tag: the kernel drops the
		 * frame before tc, the program never sees it. */
		rep->not_testable++;
		return 0;
	}
	if (tagged && r->hook == IR_HOOK_TC_INGRESS) {
		if (vf_kern__reads_vlan_meta(r->k)) {
			rep->vlan_meta++;
			return 0;
		}
		memmove(kin + 12, kin + 16, f->len - 16);
		klen -= 4;
	}
	ret = vf_kern__run(r->k, kin, klen, f->mark, &r->kres);
	if (ret == -EINVAL) {
		rep->not_testable++;
		return 0;
	}
	if (ret)
		return fl_err(err, errsz, ret, "BPF_PROG_TEST_RUN: %s",
			      strerror(-ret));
	ret = vf_verdict__map(vf_kern__type(r->k), r->kres.retval, &kv);
	if (ret)
		return fl_err(err, errsz, ret, "program type %u has no verdict "
			      "mapping", vf_kern__type(r->k));
	rep->tested++;
	rep->kverdicts[kv.verdict]++;
	if (idx >= 0 && (size_t)idx < r->n_kv)
		r->kv_of[idx] = (uint8_t)(kv.verdict + 1);
	ir_dissect(r->dis, f->data, f->len, &meta, &keys);
	rule = first_match(r, &keys, &ri);
	if (!rule || rule->action.verdict == IR_ACT_SLOWPATH)
		return 0;
	rep->decided++;
	r->hits[ri]++;
	if (idx >= 0 && ri < r->n_rules && r->base_of[ri] < 0)
		r->base_of[ri] = idx;
	if (!vf_verdict__agrees(rule->action.verdict, kv.verdict)) {
		bool stateful = false;

		/* Did an earlier frame change a map the program writes?
		 * Judge again against the snapshot the compiler used. */
		ret = vf_kern__restore_maps(r->k, err, errsz);
		if (ret)
			return ret;
		ret = vf_kern__run(r->k, kin, klen, f->mark, &r->kres);
		if (!ret && !vf_verdict__map(vf_kern__type(r->k),
					     r->kres.retval, &kv2) &&
		    kv2.verdict == rule->action.verdict)
			stateful = true;
		if (stateful)
			rep->n_stateful++;
		keep_violation(r, f, kin, klen, &kv, rule, stateful ?
			       "the rule's verdict differs from the kernel's "
			       "after earlier frames changed the program's "
			       "maps (it agrees on the snapshot): the rule "
			       "relies on state the program writes" :
			       "the rule's verdict differs from the kernel's");
		return 0;
	}
	if (kv.verdict != IR_ACT_DROP && !rule->action.n_rewrites &&
	    (r->kres.out_len != klen || memcmp(r->kres.out, kin, klen))) {
		keep_violation(r, f, kin, klen, &kv, rule,
			       "the program changed the frame; the rule "
			       "forwards it unchanged");
		return 0;
	}
	if (kv.verdict == IR_ACT_REDIRECT && r->kres.redirect_known) {
		bool ingress = r->kres.redirect_flags & BPF_F_INGRESS;

		if (rule->action.ifindex != r->kres.redirect_ifindex ||
		    rule->action.ingress != ingress) {
			char why[160];

			snprintf(why, sizeof(why), "the program redirects to "
				 "ifindex %u %s; the rule elsewhere",
				 r->kres.redirect_ifindex,
				 ingress ? "ingress" : "egress");
			keep_violation(r, f, kin, klen, &kv, rule, why);
			return 0;
		}
		rep->redirects_checked++;
	} else if (kv.verdict == IR_ACT_REDIRECT) {
		rep->redirects_unchecked++;
	}
	rep->agreed++;
	return 0;
}

static int judge_all(struct run *r, struct vf_frames *fs, bool first,
		     char *err, size_t errsz)
{
	for (size_t i = 0; i < fs->n; i++) {
		int ret = judge(r, &fs->v[i], first ? (int32_t)i : -1, err,
				errsz);

		if (ret)
			return ret;
	}
	return 0;
}

/* Variants of the frames rules decided (one per rule), and of a few
 * others spread over the first round. */
static int second_round(struct run *r, const struct vf_frames *fs,
			char *err, size_t errsz)
{
	struct vf_frames var = { 0 };
	size_t nb = 0;
	int ret = 0;

	for (size_t i = 0; i < r->n_rules && nb < MAX_RULE_BASES && !ret;
	     i++) {
		if (r->base_of[i] < 0 || !fs->v[r->base_of[i]].has_spec)
			continue;
		ret = vf_gen__variants(&fs->v[r->base_of[i]].spec,
				       r->o->seed ^ (i * 0x9e37u), &var);
		nb++;
	}
	/* For each kernel verdict, a few frames that got it, spread over
	 * the round: the malformed copies of a frame the program drops are
	 * where a rule set that passes too much shows. */
	for (int v = IR_ACT_DROP; v < IR_ACT__COUNT && !ret; v++) {
		size_t n = 0, k = 0, step;

		for (size_t i = 0; i < r->n_kv; i++)
			n += r->kv_of[i] == v + 1 && fs->v[i].has_spec;
		step = n / MAX_OTHER_BASES + 1;
		for (size_t i = 0; i < r->n_kv && !ret; i++) {
			if (r->kv_of[i] != v + 1 || !fs->v[i].has_spec)
				continue;
			if (k++ % step)
				continue;
			ret = vf_gen__variants(&fs->v[i].spec,
					       r->o->seed ^ (i << 20), &var);
		}
	}
	ret = ret ?: judge_all(r, &var, false, err, errsz);
	vf_frames__fini(&var);
	return ret;
}

static void finish_report(struct run *r)
{
	struct vf_report *rep = r->rep;
	size_t o = 0;

	snprintf(rep->program, sizeof(rep->program), "%s", r->prog->name);
	snprintf(rep->source, sizeof(rep->source), "%s",
		 r->o->rules ? r->o->rules : "lift_compile");
	snprintf(rep->target, sizeof(rep->target), "%s", r->o->target);
	snprintf(rep->hook, sizeof(rep->hook), "%s", hook_name(r->hook));
	rep->assume[0] = 0;
	for (unsigned int b = 1; b; b <<= 1) {
		const char *n = (r->o->assume & b) ? ir_assume__name(b) : NULL;

		if (n)
			o += (size_t)snprintf(rep->assume + o,
					      sizeof(rep->assume) - o,
					      "%s%s", o ? "," : "", n);
		if (o >= sizeof(rep->assume))
			break;
	}
	rep->rules = (uint32_t)r->n_rules;
	for (size_t i = 0; i < r->n_rules; i++)
		rep->rules_hit += r->hits[i] != 0;
	rep->coverage = rep->tested ? 100.0 * (double)rep->decided /
				      (double)rep->tested : 0;
	rep->coverage_ok = rep->coverage + 1e-9 >= r->o->min_coverage;
	rep->redirect_probe = vf_kern__has_redirect_probe(r->k);
}

/* The violating frames (those kept in full) as a pcap, for --pcap replay
 * after a fix. Written whole or not at all. */
static int save_violations(const struct vf_report *rep, const char *path,
			   char *err, size_t errsz)
{
	struct vf_frames fs = { 0 };
	struct fl_outfile out;
	int ret = 0;

	for (size_t i = 0; i < rep->n_kept && !ret; i++)
		ret = vf_frames__add_raw(&fs, rep->viol[i].frame.data,
					 rep->viol[i].frame.len,
					 rep->viol[i].frame.mark, "violation");
	ret = ret ?: fl_open_outfile(&out, path);
	if (!ret) {
		ret = vf_pcap__write(out.f, &fs);
		if (ret)
			fl_abort_outfile(&out);
		else
			ret = fl_commit_outfile(&out);
	}
	vf_frames__fini(&fs);
	if (ret)
		return fl_err(err, errsz, ret, "%s: %s", path, strerror(-ret));
	return 0;
}

int vf_verify(const struct vf_opts *o, struct vf_report *rep, char *err,
	      size_t errsz)
{
	struct run r = { .o = o, .rep = rep };
	struct vf_frames fs = { 0 };
	struct vf_pools *pools = NULL;
	double t0;
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (err && errsz)
		err[0] = 0;
	ret = open_and_compile(&r, err, errsz);
	if (ret)
		goto out;
	r.k = vf_kern__open(o->obj_path, r.lo, r.prog->name, err, errsz);
	if (!r.k) {
		ret = -errno ? -errno : -EINVAL;
		goto out;
	}
	r.tc = vf_kern__type(r.k) != BPF_PROG_TYPE_XDP;
	if (!r.tc)
		r.hook = IR_HOOK_XDP;
	t0 = now();
	if (o->pcap) {
		ret = vf_pcap__read(o->pcap, &fs, err, errsz);
	} else {
		struct vf_gen_opts g = { .seed = o->seed,
					 .n_packets = o->n_packets,
					 .with_mark = r.tc };

		pools = vf_pools__new();
		ret = pools ? fill_pools(&r, pools) : -ENOMEM;
		ret = ret ?: vf_gen__frames(pools, &g, &fs);
	}
	if (!ret) {
		r.n_kv = fs.n;
		r.kv_of = calloc(fs.n ? fs.n : 1, 1);
		if (!r.kv_of)
			ret = -ENOMEM;
	}
	ret = ret ?: judge_all(&r, &fs, true, err, errsz);
	if (!ret && !o->pcap)
		ret = second_round(&r, &fs, err, errsz);
	rep->secs_run = now() - t0;
	if (!ret)
		finish_report(&r);
	if (!ret && o->save_pcap)
		ret = save_violations(rep, o->save_pcap, err, errsz);
out:
	if (ret && err && !err[0])
		fl_err(err, errsz, ret, "%s", strerror(-ret));
	vf_frames__fini(&fs);
	vf_pools__free(pools);
	vf_kern__free(r.k);
	ir_index__free(r.ix);
	ir_ruleset__free(r.rs);
	lift_object__free(r.lo);
	free(r.hits);
	free(r.base_of);
	free(r.kv_of);
	return ret;
}

void vf_report__fini(struct vf_report *rep)
{
	for (size_t i = 0; i < rep->n_kept; i++)
		free(rep->viol[i].frame.data);
	free(rep->viol);
	rep->viol = NULL;
	rep->n_kept = 0;
}
