// SPDX-License-Identifier: Apache-2.0
/*
 * be_flower_nl_dec.c - decode tc flower filter messages (our own requests,
 * tc's, and the kernel's dump replies) back into be_flower_filter, describe
 * them for --dry-run, and dump the filters on a device with their stats.
 *
 * A filter with a key or action flowlift does not model is refused
 * (-EOPNOTSUPP naming the attribute), never read as a looser rule.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/gen_stats.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_gact.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/tc_act/tc_vlan.h>

#include "backends/backends_internal.h"
#include "common/common.h"

#define USER_HZ_MS 10 /* tcf_t is in clock_t ticks, USER_HZ = 100 */

static const struct {
	uint16_t type;
	const char *name;
} attr_names[] = {
#define N(x)          \
	{             \
		x, #x \
	}
	N(TCA_FLOWER_CLASSID),
	N(TCA_FLOWER_INDEV),
	N(TCA_FLOWER_ACT),
	N(TCA_FLOWER_KEY_ETH_DST),
	N(TCA_FLOWER_KEY_ETH_DST_MASK),
	N(TCA_FLOWER_KEY_ETH_SRC),
	N(TCA_FLOWER_KEY_ETH_SRC_MASK),
	N(TCA_FLOWER_KEY_ETH_TYPE),
	N(TCA_FLOWER_KEY_IP_PROTO),
	N(TCA_FLOWER_KEY_IPV4_SRC),
	N(TCA_FLOWER_KEY_IPV4_SRC_MASK),
	N(TCA_FLOWER_KEY_IPV4_DST),
	N(TCA_FLOWER_KEY_IPV4_DST_MASK),
	N(TCA_FLOWER_KEY_IPV6_SRC),
	N(TCA_FLOWER_KEY_IPV6_SRC_MASK),
	N(TCA_FLOWER_KEY_IPV6_DST),
	N(TCA_FLOWER_KEY_IPV6_DST_MASK),
	N(TCA_FLOWER_KEY_TCP_SRC),
	N(TCA_FLOWER_KEY_TCP_DST),
	N(TCA_FLOWER_KEY_UDP_SRC),
	N(TCA_FLOWER_KEY_UDP_DST),
	N(TCA_FLOWER_FLAGS),
	N(TCA_FLOWER_KEY_VLAN_ID),
	N(TCA_FLOWER_KEY_VLAN_PRIO),
	N(TCA_FLOWER_KEY_VLAN_ETH_TYPE),
	N(TCA_FLOWER_KEY_TCP_SRC_MASK),
	N(TCA_FLOWER_KEY_TCP_DST_MASK),
	N(TCA_FLOWER_KEY_UDP_SRC_MASK),
	N(TCA_FLOWER_KEY_UDP_DST_MASK),
	N(TCA_FLOWER_KEY_SCTP_SRC_MASK),
	N(TCA_FLOWER_KEY_SCTP_DST_MASK),
	N(TCA_FLOWER_KEY_SCTP_SRC),
	N(TCA_FLOWER_KEY_SCTP_DST),
	N(TCA_FLOWER_KEY_FLAGS),
	N(TCA_FLOWER_KEY_FLAGS_MASK),
	N(TCA_FLOWER_KEY_ICMPV4_CODE),
	N(TCA_FLOWER_KEY_ICMPV4_CODE_MASK),
	N(TCA_FLOWER_KEY_ICMPV4_TYPE),
	N(TCA_FLOWER_KEY_ICMPV4_TYPE_MASK),
	N(TCA_FLOWER_KEY_ICMPV6_CODE),
	N(TCA_FLOWER_KEY_ICMPV6_CODE_MASK),
	N(TCA_FLOWER_KEY_ICMPV6_TYPE),
	N(TCA_FLOWER_KEY_ICMPV6_TYPE_MASK),
	N(TCA_FLOWER_KEY_TCP_FLAGS),
	N(TCA_FLOWER_KEY_TCP_FLAGS_MASK),
	N(TCA_FLOWER_KEY_IP_TOS),
	N(TCA_FLOWER_KEY_IP_TOS_MASK),
	N(TCA_FLOWER_KEY_IP_TTL),
	N(TCA_FLOWER_KEY_IP_TTL_MASK),
	N(TCA_FLOWER_IN_HW_COUNT),
	N(TCA_FLOWER_KEY_PORT_SRC_MIN),
	N(TCA_FLOWER_KEY_PORT_SRC_MAX),
	N(TCA_FLOWER_KEY_PORT_DST_MIN),
	N(TCA_FLOWER_KEY_PORT_DST_MAX),
	N(TCA_FLOWER_KEY_NUM_OF_VLANS),
#undef N
};

const char *be_flower_nl__attr_name(uint16_t type)
{
	for (size_t i = 0; i < FL_ARRAY_SIZE(attr_names); i++)
		if (attr_names[i].type == type)
			return attr_names[i].name;
	return NULL;
}

static int parse_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t t = mnl_attr_get_type(a);

	if (t <= TCA_FLOWER_MAX)
		tb[t] = a;
	return MNL_CB_OK;
}

static void get_val(const struct nlattr *a, const struct fa *fa,
		    struct ir_val *v, enum ir_field_id f)
{
	memset(v, 0, sizeof(*v));
	if ((fa->flags & FA_HOST16))
		ir_val__from_u64(v, f, mnl_attr_get_u16(a));
	else
		memcpy(v->b, mnl_attr_get_payload(a), fa->len);
}

static bool mask_is_zero(const struct ir_val *v)
{
	for (size_t i = 0; i < IR_VAL_MAX; i++)
		if (v->b[i])
			return false;
	return true;
}

static int decode_keys(const struct nlattr **tb, bool *used,
		       const struct be_opts *o, struct ir_rule *r, char *err,
		       size_t errsz)
{
	struct ir_match m;
	int ret;

	for (size_t i = 0; i < be_flower_n_fattrs; i++) {
		const struct fa *fa = &be_flower_fattrs[i];

		if (!tb[fa->key])
			continue;
		if (mnl_attr_get_payload_len(tb[fa->key]) < fa->len ||
		    (fa->mask && tb[fa->mask] &&
		     mnl_attr_get_payload_len(tb[fa->mask]) < fa->len))
			return fl_err(err, errsz, -EINVAL, "short %s",
				      be_flower_nl__attr_name(fa->key));
		memset(&m, 0, sizeof(m));
		m.field = fa->field;
		m.kind = IR_MATCH_MASK;
		get_val(tb[fa->key], fa, &m.key, fa->field);
		if (fa->mask && tb[fa->mask]) {
			get_val(tb[fa->mask], fa, &m.mask, fa->field);
			used[fa->mask] = true;
		} else {
			ir_val__from_u64(&m.mask, fa->field, ~0ull);
		}
		for (size_t b = 0; b < IR_VAL_MAX; b++)
			m.key.b[b] &= m.mask.b[b];
		used[fa->key] = true;
		if (fa->mask && mask_is_zero(&m.mask))
			continue; /* all-zero mask: the kernel's "any" */
		ret = be_rule_add(r, &m, err, errsz);
		if (ret)
			return ret;
	}
	for (int src = 0; src < 2; src++) {
		uint16_t lo = src ? TCA_FLOWER_KEY_PORT_SRC_MIN
				  : TCA_FLOWER_KEY_PORT_DST_MIN;

		if (!tb[lo] || !tb[lo + 1])
			continue;
		ir_match__range(&m, src ? IR_F_L4_SPORT : IR_F_L4_DPORT,
				ntohs(mnl_attr_get_u16(tb[lo])),
				ntohs(mnl_attr_get_u16(tb[lo + 1])));
		used[lo] = used[lo + 1] = true;
		ret = be_rule_add(r, &m, err, errsz);
		if (ret)
			return ret;
	}
	if (tb[TCA_FLOWER_KEY_FLAGS]) {
		uint32_t k = ntohl(mnl_attr_get_u32(tb[TCA_FLOWER_KEY_FLAGS]));
		uint32_t mk = tb[TCA_FLOWER_KEY_FLAGS_MASK]
				      ? ntohl(mnl_attr_get_u32(
						tb[TCA_FLOWER_KEY_FLAGS_MASK]))
				      : 3;

		if (k & ~3u || mk & ~3u)
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "flower key flags 0x%x/0x%x", k, mk);
		memset(&m, 0, sizeof(m));
		m.field = IR_F_IP_FRAG;
		ir_val__from_u64(&m.key, IR_F_IP_FRAG, k & mk);
		ir_val__from_u64(&m.mask, IR_F_IP_FRAG, mk);
		used[TCA_FLOWER_KEY_FLAGS] = used[TCA_FLOWER_KEY_FLAGS_MASK] =
			true;
		if (mk && (ret = be_rule_add(r, &m, err, errsz)))
			return ret;
	}
	if (tb[TCA_FLOWER_INDEV]) {
		const char *name = mnl_attr_get_str(tb[TCA_FLOWER_INDEV]);
		uint32_t ifi = be_ifindex(o, name);

		if (!ifi)
			return fl_err(err, errsz, -ENODEV, "indev '%s' unknown",
				      name);
		ir_match__exact(&m, IR_F_META_IFINDEX, ifi);
		used[TCA_FLOWER_INDEV] = true;
		return be_rule_add(r, &m, err, errsz);
	}
	return 0;
}

static const struct nlattr *nested(const struct nlattr *a, uint16_t type)
{
	const struct nlattr *c;

	mnl_attr_for_each_nested(c,
				 a) if (mnl_attr_get_type(c) == type) return c;
	return NULL;
}

static void decode_stats(const struct nlattr *act, struct be_flower_filter *f)
{
	const struct nlattr *st = nested(act, TCA_ACT_STATS);
	const struct nlattr *opts = nested(act, TCA_ACT_OPTIONS);
	const struct nlattr *b = st ? nested(st, TCA_STATS_BASIC) : NULL;
	const struct nlattr *tm = opts ? nested(opts, 1 /* *_TM */) : NULL;

	if (b && mnl_attr_get_payload_len(b) >= 12) {
		struct gnet_stats_basic gb;

		memcpy(&gb, mnl_attr_get_payload(b), 12);
		f->bytes = gb.bytes;
		f->packets = gb.packets;
	}
	if (tm && mnl_attr_get_payload_len(tm) >= sizeof(struct tcf_t)) {
		struct tcf_t t;

		memcpy(&t, mnl_attr_get_payload(tm), sizeof(t));
		f->installed_ms = t.install * USER_HZ_MS;
		f->lastused_ms = t.lastuse * USER_HZ_MS;
	}
}

static int decode_action(const struct nlattr *act, struct be_flower_filter *f,
			 bool last, char *err, size_t errsz)
{
	const struct nlattr *kind = nested(act, TCA_ACT_KIND);
	const struct nlattr *opts = nested(act, TCA_ACT_OPTIONS);
	const struct nlattr *p = opts ? nested(opts, 2 /* *_PARMS */) : NULL;
	struct ir_action *a = &f->rule.action;
	const char *k = kind ? mnl_attr_get_str(kind) : "";

	if (!p)
		return fl_err(err, errsz, -EINVAL, "action '%s' without parms",
			      k);
	if (!strcmp(k, "vlan") && !last &&
	    mnl_attr_get_payload_len(p) >= sizeof(struct tc_vlan)) {
		const struct tc_vlan *v = mnl_attr_get_payload(p);
		const struct nlattr *id = nested(opts, TCA_VLAN_PUSH_VLAN_ID);
		const struct nlattr *pr =
			nested(opts, TCA_VLAN_PUSH_VLAN_PROTOCOL);
		const struct nlattr *pc =
			nested(opts, TCA_VLAN_PUSH_VLAN_PRIORITY);
		struct ir_rewrite *rw;

		if (a->n_rewrites >= IR_MAX_REWRITES)
			return fl_err(err, errsz, -E2BIG, "too many actions");
		rw = &a->rewrites[a->n_rewrites++];
		memset(rw, 0, sizeof(*rw));
		if (v->v_action == TCA_VLAN_ACT_POP) {
			rw->kind = IR_RW_VLAN_POP;
		} else if (v->v_action == TCA_VLAN_ACT_PUSH && id) {
			rw->kind = IR_RW_VLAN_PUSH;
			rw->vid = mnl_attr_get_u16(id);
			rw->proto = pr ? ntohs(mnl_attr_get_u16(pr)) : 0x8100;
			rw->pcp = pc ? mnl_attr_get_u8(pc) : 0;
		} else if (v->v_action == TCA_VLAN_ACT_MODIFY && id && !pc) {
			rw->kind = IR_RW_SET_FIELD;
			rw->field = IR_F_VLAN_ID;
			ir_val__from_u64(&rw->val, IR_F_VLAN_ID,
					 mnl_attr_get_u16(id));
			ir_val__from_u64(&rw->mask, IR_F_VLAN_ID, 0xfff);
		} else {
			return fl_err(err, errsz, -EOPNOTSUPP, "vlan action %d",
				      v->v_action);
		}
		return 0;
	}
	if (!last)
		return fl_err(err, errsz, -EOPNOTSUPP,
			      "action '%s' before the verdict", k);
	if (!strcmp(k, "gact") &&
	    mnl_attr_get_payload_len(p) >= sizeof(struct tc_gact)) {
		const struct tc_gact *g = mnl_attr_get_payload(p);

		if (g->action == TC_ACT_SHOT)
			a->verdict = IR_ACT_DROP;
		else if (g->action == TC_ACT_OK)
			a->verdict = IR_ACT_PASS;
		else if (g->action == TC_ACT_TRAP)
			a->verdict = IR_ACT_SLOWPATH;
		else if (TC_ACT_EXT_CMP(g->action, TC_ACT_GOTO_CHAIN)) {
			a->verdict = IR_ACT_SLOWPATH;
			f->goto_chain = g->action & TC_ACT_EXT_VAL_MASK;
		} else
			return fl_err(err, errsz, -EOPNOTSUPP, "gact action %d",
				      g->action);
		return 0;
	}
	if (!strcmp(k, "mirred") &&
	    mnl_attr_get_payload_len(p) >= sizeof(struct tc_mirred)) {
		const struct tc_mirred *m = mnl_attr_get_payload(p);

		if (m->eaction != TCA_EGRESS_REDIR &&
		    m->eaction != TCA_INGRESS_REDIR)
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "mirred eaction %d", m->eaction);
		if (m->eaction == TCA_EGRESS_REDIR &&
		    m->ifindex == f->ifindex) {
			a->verdict = IR_ACT_TX;
		} else {
			a->verdict = IR_ACT_REDIRECT;
			a->ifindex = m->ifindex;
			a->ingress = m->eaction == TCA_INGRESS_REDIR;
		}
		return 0;
	}
	return fl_err(err, errsz, -EOPNOTSUPP, "action '%s'", k);
}

static int decode_actions(const struct nlattr *acts, struct be_flower_filter *f,
			  char *err, size_t errsz)
{
	const struct nlattr *act, *ck;
	int n = 0, i = 0, ret;

	mnl_attr_for_each_nested(act, acts) n++;
	if (!n)
		return fl_err(err, errsz, -EINVAL, "filter without actions");
	mnl_attr_for_each_nested(act, acts)
	{
		if (i == 0) {
			ck = nested(act, TCA_ACT_COOKIE);
			if (ck &&
			    mnl_attr_get_payload_len(ck) <= BE_COOKIE_MAX) {
				f->cookie_len = mnl_attr_get_payload_len(ck);
				memcpy(f->cookie, mnl_attr_get_payload(ck),
				       f->cookie_len);
			}
			decode_stats(act, f);
		}
		ret = decode_action(act, f, ++i == n, err, errsz);
		if (ret)
			return ret;
	}
	return 0;
}

/* Options the decoder reads as a whole, beside the key table. */
static const uint16_t handled[] = {
	TCA_FLOWER_ACT,
	TCA_FLOWER_FLAGS,
	TCA_FLOWER_KEY_ETH_TYPE,
	TCA_FLOWER_IN_HW_COUNT,
	TCA_FLOWER_CLASSID,
};

int be_flower_nl__decode(const struct nlmsghdr *nlh, const struct be_opts *o,
			 struct be_flower_filter *f, char *err, size_t errsz)
{
	const struct nlattr *tb[TCA_FLOWER_MAX + 1] = {0};
	const struct nlattr *a, *kind = NULL, *opts = NULL;
	bool used[TCA_FLOWER_MAX + 1] = {0};
	const struct tcmsg *tcm;
	struct ir_match m;
	uint32_t flags;
	int ret;

	memset(f, 0, sizeof(*f));
	ir_rule__init(&f->rule);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*tcm))
		return fl_err(err, errsz, -EINVAL, "short tc message");
	tcm = mnl_nlmsg_get_payload(nlh);
	f->ifindex = tcm->tcm_ifindex;
	f->egress = TC_H_MIN(tcm->tcm_parent) == TC_H_MIN_EGRESS;
	f->prio = TC_H_MAJ(tcm->tcm_info) >> 16;
	f->protocol = ntohs(TC_H_MIN(tcm->tcm_info));
	f->handle = tcm->tcm_handle;
	f->rule.prio = f->prio;
	mnl_attr_for_each(a, nlh, sizeof(*tcm))
	{
		if (mnl_attr_get_type(a) == TCA_KIND)
			kind = a;
		else if (mnl_attr_get_type(a) == TCA_OPTIONS)
			opts = a;
		else if (mnl_attr_get_type(a) == TCA_CHAIN)
			f->chain = mnl_attr_get_u32(a);
	}
	if (!kind || strcmp(mnl_attr_get_str(kind), "flower"))
		return fl_err(err, errsz, -ENOENT, "not a flower filter");
	if (f->protocol != ETH_P_ALL) {
		ir_match__exact(&m, IR_F_ETH_TYPE, f->protocol);
		ret = be_rule_add(&f->rule, &m, err, errsz);
		if (ret)
			return ret;
	}
	if (!opts)
		return 0; /* a delete or a bare reply */
	if (mnl_attr_parse_nested(opts, parse_cb, tb) < 0)
		return fl_err(err, errsz, -EINVAL, "bad flower options");
	ret = decode_keys(tb, used, o, &f->rule, err, errsz);
	if (ret)
		return ret;
	for (size_t i = 0; i < FL_ARRAY_SIZE(handled); i++)
		used[handled[i]] = true;
	for (uint16_t t = 1; t <= TCA_FLOWER_MAX; t++) {
		const char *n = be_flower_nl__attr_name(t);

		if (tb[t] && !used[t])
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "flower attribute %s (%u) not modelled",
				      n ? n : "?", t);
	}
	flags = tb[TCA_FLOWER_FLAGS] ? mnl_attr_get_u32(tb[TCA_FLOWER_FLAGS])
				     : 0;
	f->offload = flags & TCA_CLS_FLAGS_SKIP_SW   ? BE_OFFLOAD_HW
		     : flags & TCA_CLS_FLAGS_SKIP_HW ? BE_OFFLOAD_SW
						     : BE_OFFLOAD_BOTH;
	f->in_hw = flags & TCA_CLS_FLAGS_IN_HW;
	if (!tb[TCA_FLOWER_ACT])
		return fl_err(err, errsz, -EINVAL, "filter without actions");
	return decode_actions(tb[TCA_FLOWER_ACT], f, err, errsz);
}

/* Where an attribute sits: its name and whether it nests. */
enum dlvl { D_TOP, D_OPTS, D_ACTS, D_ACT, D_ACTOPTS };

static const char *level_name(enum dlvl l, uint16_t t, bool *nest,
			      enum dlvl *sub)
{
	static const char *const top[] = {[TCA_KIND] = "TCA_KIND",
					  [TCA_OPTIONS] = "TCA_OPTIONS",
					  [TCA_CHAIN] = "TCA_CHAIN"};
	static const char *const act[] = {[TCA_ACT_KIND] = "TCA_ACT_KIND",
					  [TCA_ACT_OPTIONS] = "TCA_ACT_OPTIONS",
					  [TCA_ACT_COOKIE] = "TCA_ACT_COOKIE",
					  [TCA_ACT_STATS] = "TCA_ACT_STATS"};

	*nest = false;
	switch (l) {
	case D_TOP:
		*nest = t == TCA_OPTIONS;
		*sub = D_OPTS;
		return t < FL_ARRAY_SIZE(top) ? top[t] : NULL;
	case D_OPTS:
		*nest = t == TCA_FLOWER_ACT;
		*sub = D_ACTS;
		return be_flower_nl__attr_name(t);
	case D_ACTS:
		*nest = true;
		*sub = D_ACT;
		return "action";
	case D_ACT:
		*nest = t == TCA_ACT_OPTIONS;
		*sub = D_ACTOPTS;
		return t < FL_ARRAY_SIZE(act) ? act[t] : NULL;
	case D_ACTOPTS:
		return t == 2 ? "PARMS" : t == 1 ? "TM" : NULL;
	}
	return NULL;
}

static void describe_attrs(const struct nlattr *first, const void *end,
			   int depth, enum dlvl lvl, FILE *out)
{
	const struct nlattr *a;

	for (a = first; (const char *)a + sizeof(*a) <= (const char *)end &&
			a->nla_len >= sizeof(*a) &&
			(const char *)a + a->nla_len <= (const char *)end;
	     a = (const struct nlattr *)((const char *)a +
					 MNL_ALIGN(a->nla_len))) {
		uint16_t t = mnl_attr_get_type(a);
		const uint8_t *p = mnl_attr_get_payload(a);
		uint16_t len = mnl_attr_get_payload_len(a);
		enum dlvl sub = D_TOP;
		bool nest;
		const char *n = level_name(lvl, t, &nest, &sub);

		fprintf(out, "%*s%s (%u) len %u", depth * 2, "", n ? n : "attr",
			t, len);
		if (nest && len >= sizeof(*a)) {
			fputc('\n', out);
			describe_attrs(mnl_attr_get_payload(a), p + len,
				       depth + 1, sub, out);
			continue;
		}
		fputc(' ', out);
		if (len && p[len - 1] == 0 && n && strstr(n, "KIND"))
			fprintf(out, "\"%s\"", (const char *)p);
		else
			for (uint16_t i = 0; i < len; i++)
				fprintf(out, "%02x", p[i]);
		fputc('\n', out);
	}
}

void be_flower_nl__describe(const struct nlmsghdr *nlh, const struct be_opts *o,
			    FILE *out)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	struct be_flower_filter f;
	char err[256] = "", rule[1024];
	int ret;

	fprintf(out,
		"%s flags 0x%x ifindex %d parent %x:%x prio %u "
		"protocol 0x%04x handle 0x%x\n",
		nlh->nlmsg_type == RTM_NEWTFILTER   ? "RTM_NEWTFILTER"
		: nlh->nlmsg_type == RTM_DELTFILTER ? "RTM_DELTFILTER"
						    : "RTM_GETTFILTER",
		nlh->nlmsg_flags, tcm->tcm_ifindex,
		TC_H_MAJ(tcm->tcm_parent) >> 16, TC_H_MIN(tcm->tcm_parent),
		TC_H_MAJ(tcm->tcm_info) >> 16, ntohs(TC_H_MIN(tcm->tcm_info)),
		tcm->tcm_handle);
	ret = be_flower_nl__decode(nlh, o, &f, err, sizeof(err));
	if (ret) {
		fprintf(out, "  (not decoded: %s)\n", err);
	} else if (nlh->nlmsg_type == RTM_NEWTFILTER &&
		   ir_rule__snprint(&f.rule, rule, sizeof(rule), false) >= 0) {
		char ck[2 * BE_COOKIE_MAX + 1];

		fl_hex(f.cookie, f.cookie_len, ck);
		if (f.goto_chain)
			fprintf(out, "  rule: %s (goto chain %u)\n", rule,
				f.goto_chain);
		else
			fprintf(out, "  rule: %s\n", rule);
		fprintf(out, "  chain %u offload %s cookie %s\n", f.chain,
			f.offload == BE_OFFLOAD_HW   ? "hw (skip_sw)"
			: f.offload == BE_OFFLOAD_SW ? "sw (skip_hw)"
						     : "both",
			f.cookie_len ? ck : "-");
	}
	describe_attrs(mnl_nlmsg_get_payload_offset(nlh, sizeof(*tcm)),
		       (const char *)nlh + nlh->nlmsg_len, 1, D_TOP, out);
}

struct dump_ctx {
	const struct be_opts *o;
	be_flower_dump_fn cb;
	void *arg;
	uint32_t chain;
};

static int dump_one(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *d = arg;
	struct be_flower_filter f;
	char err[256];

	if (nlh->nlmsg_type != RTM_NEWTFILTER)
		return 0;
	/* The per-prio head entries (no handle) and filters flowlift does
	 * not model are skipped: they are not ours. */
	if (be_flower_nl__decode(nlh, d->o, &f, err, sizeof(err)) ||
	    !f.handle || f.chain != d->chain)
		return 0;
	return d->cb(&f, d->arg);
}

int be_flower_nl__dump(struct be_nl *nl, uint32_t ifindex, bool egress,
		       uint32_t chain, be_flower_dump_fn cb, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump_ctx d = {.cb = cb, .arg = arg, .chain = chain};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tcm;

	nlh->nlmsg_type = RTM_GETTFILTER;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = TC_H_MAKE(TC_H_CLSACT, egress ? TC_H_MIN_EGRESS
							: TC_H_MIN_INGRESS);
	mnl_attr_put_u32(nlh, TCA_CHAIN, chain);
	return be_nl__dump(nl, nlh, dump_one, &d);
}
