// SPDX-License-Identifier: Apache-2.0
/*
 * be_flower_nl.c - tc flower filters as rtnetlink messages.
 *
 * The encoding follows what iproute2's tc sends for the same rule (checked
 * by a test that captures tc's own sendmsg): tcm_info = prio << 16 |
 * htons(protocol), parent clsact ingress/egress, TCA_CHAIN when non-zero,
 * TCA_KIND "flower", and in TCA_OPTIONS one key attribute per match with
 * its mask attribute (exact L4 ports go without a mask, as tc sends them),
 * port ranges as PORT_{SRC,DST}_{MIN,MAX}, ip.frag as KEY_FLAGS, the
 * actions in TCA_FLOWER_ACT, TCA_FLOWER_FLAGS, and KEY_ETH_TYPE unless the
 * protocol is "all". The decoder reads the same back, plus what the kernel
 * adds in dumps (masks of every key, stats, tcf_t, in_hw flags).
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

#define FA(f, k, m, l, c, fl)                                         \
	{                                                             \
		.field = f, .key = k, .mask = m, .len = l, .cond = c, \
		.flags = fl                                           \
	}

const struct fa be_flower_fattrs[] = {
	FA(IR_F_NUM_VLANS, TCA_FLOWER_KEY_NUM_OF_VLANS, 0, 1, FA_ANY, 0),
	FA(IR_F_VLAN_ID, TCA_FLOWER_KEY_VLAN_ID, 0, 2, FA_ANY, FA_HOST16),
	FA(IR_F_VLAN_PCP, TCA_FLOWER_KEY_VLAN_PRIO, 0, 1, FA_ANY, 0),
	FA(IR_F_VLAN_TYPE, TCA_FLOWER_KEY_VLAN_ETH_TYPE, 0, 2, FA_ANY, 0),
	FA(IR_F_ETH_DST, TCA_FLOWER_KEY_ETH_DST, TCA_FLOWER_KEY_ETH_DST_MASK, 6,
	   FA_ANY, 0),
	FA(IR_F_ETH_SRC, TCA_FLOWER_KEY_ETH_SRC, TCA_FLOWER_KEY_ETH_SRC_MASK, 6,
	   FA_ANY, 0),
	FA(IR_F_IP_PROTO, TCA_FLOWER_KEY_IP_PROTO, 0, 1, FA_ANY, 0),
	FA(IR_F_IP_TOS, TCA_FLOWER_KEY_IP_TOS, TCA_FLOWER_KEY_IP_TOS_MASK, 1,
	   FA_ANY, 0),
	FA(IR_F_IP_TTL, TCA_FLOWER_KEY_IP_TTL, TCA_FLOWER_KEY_IP_TTL_MASK, 1,
	   FA_ANY, 0),
	FA(IR_F_IP4_SRC, TCA_FLOWER_KEY_IPV4_SRC, TCA_FLOWER_KEY_IPV4_SRC_MASK,
	   4, FA_V4, 0),
	FA(IR_F_IP4_DST, TCA_FLOWER_KEY_IPV4_DST, TCA_FLOWER_KEY_IPV4_DST_MASK,
	   4, FA_V4, 0),
	FA(IR_F_IP6_SRC, TCA_FLOWER_KEY_IPV6_SRC, TCA_FLOWER_KEY_IPV6_SRC_MASK,
	   16, FA_V6, 0),
	FA(IR_F_IP6_DST, TCA_FLOWER_KEY_IPV6_DST, TCA_FLOWER_KEY_IPV6_DST_MASK,
	   16, FA_V6, 0),
	FA(IR_F_L4_SPORT, TCA_FLOWER_KEY_TCP_SRC, TCA_FLOWER_KEY_TCP_SRC_MASK,
	   2, FA_TCP, FA_NO_EXACT_MASK),
	FA(IR_F_L4_DPORT, TCA_FLOWER_KEY_TCP_DST, TCA_FLOWER_KEY_TCP_DST_MASK,
	   2, FA_TCP, FA_NO_EXACT_MASK),
	FA(IR_F_L4_SPORT, TCA_FLOWER_KEY_UDP_SRC, TCA_FLOWER_KEY_UDP_SRC_MASK,
	   2, FA_UDP, FA_NO_EXACT_MASK),
	FA(IR_F_L4_DPORT, TCA_FLOWER_KEY_UDP_DST, TCA_FLOWER_KEY_UDP_DST_MASK,
	   2, FA_UDP, FA_NO_EXACT_MASK),
	FA(IR_F_L4_SPORT, TCA_FLOWER_KEY_SCTP_SRC, TCA_FLOWER_KEY_SCTP_SRC_MASK,
	   2, FA_SCTP, FA_NO_EXACT_MASK),
	FA(IR_F_L4_DPORT, TCA_FLOWER_KEY_SCTP_DST, TCA_FLOWER_KEY_SCTP_DST_MASK,
	   2, FA_SCTP, FA_NO_EXACT_MASK),
	FA(IR_F_TCP_FLAGS, TCA_FLOWER_KEY_TCP_FLAGS,
	   TCA_FLOWER_KEY_TCP_FLAGS_MASK, 2, FA_TCP, 0),
	FA(IR_F_ICMP_TYPE, TCA_FLOWER_KEY_ICMPV4_TYPE,
	   TCA_FLOWER_KEY_ICMPV4_TYPE_MASK, 1, FA_ICMP4, 0),
	FA(IR_F_ICMP_CODE, TCA_FLOWER_KEY_ICMPV4_CODE,
	   TCA_FLOWER_KEY_ICMPV4_CODE_MASK, 1, FA_ICMP4, 0),
	FA(IR_F_ICMP_TYPE, TCA_FLOWER_KEY_ICMPV6_TYPE,
	   TCA_FLOWER_KEY_ICMPV6_TYPE_MASK, 1, FA_ICMP6, 0),
	FA(IR_F_ICMP_CODE, TCA_FLOWER_KEY_ICMPV6_CODE,
	   TCA_FLOWER_KEY_ICMPV6_CODE_MASK, 1, FA_ICMP6, 0),
};

const size_t be_flower_n_fattrs = FL_ARRAY_SIZE(be_flower_fattrs);
#define fattrs be_flower_fattrs

static bool cond_holds(enum fa_cond c, uint16_t l3, int l4)
{
	switch (c) {
	case FA_ANY:
		return true;
	case FA_TCP:
		return l4 == 6;
	case FA_UDP:
		return l4 == 17;
	case FA_SCTP:
		return l4 == 132;
	case FA_ICMP4:
		return l4 == 1 && l3 == 0x0800;
	case FA_ICMP6:
		return l4 == 58 && l3 == 0x86dd;
	case FA_V4:
		return l3 == 0x0800;
	case FA_V6:
		return l3 == 0x86dd;
	}
	return false;
}

static const struct fa *fa_for(enum ir_field_id f, uint16_t l3, int l4)
{
	for (size_t i = 0; i < FL_ARRAY_SIZE(fattrs); i++)
		if (fattrs[i].field == f && cond_holds(fattrs[i].cond, l3, l4))
			return &fattrs[i];
	return NULL;
}

/* A nest without NLA_F_NESTED, as tc writes TCA_OPTIONS, TCA_FLOWER_ACT
 * and each action (libmnl sets the flag; the kernel accepts both). */
static struct nlattr *nest_plain(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	n->nla_type &= ~NLA_F_NESTED;
	return n;
}

static void put_val(struct nlmsghdr *nlh, uint16_t type, const struct fa *a,
		    const struct ir_val *v, enum ir_field_id f)
{
	if ((a->flags & FA_HOST16))
		mnl_attr_put_u16(nlh, type, ir_val__u64(v, f));
	else
		mnl_attr_put(nlh, type, a->len, v->b);
}

/* m under its row a (fa_for; NULL: none). */
static int put_match(struct nlmsghdr *nlh, const struct ir_match *m,
		     const struct fa *a, char *err, size_t errsz)
{
	const struct ir_field *fd = ir_field__get(m->field);

	if (m->field == IR_F_IP_FRAG && m->kind == IR_MATCH_MASK) {
		mnl_attr_put_u32(nlh, TCA_FLOWER_KEY_FLAGS,
				 htonl(ir_val__u64(&m->key, m->field)));
		mnl_attr_put_u32(nlh, TCA_FLOWER_KEY_FLAGS_MASK,
				 htonl(ir_val__u64(&m->mask, m->field)));
		return 0;
	}
	if (!a)
		return fl_err(err, errsz, -EOPNOTSUPP,
			      "flower netlink: no key for %s here", fd->name);
	if (m->kind == IR_MATCH_RANGE) {
		bool src = m->field == IR_F_L4_SPORT;

		if (m->field != IR_F_L4_SPORT && m->field != IR_F_L4_DPORT)
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "flower netlink: no range on %s",
				      fd->name);
		if (m->lo == m->hi) {
			mnl_attr_put_u16(nlh, a->key, htons(m->lo));
			return 0;
		}
		mnl_attr_put_u16(nlh,
				 src ? TCA_FLOWER_KEY_PORT_SRC_MIN
				     : TCA_FLOWER_KEY_PORT_DST_MIN,
				 htons(m->lo));
		mnl_attr_put_u16(nlh,
				 src ? TCA_FLOWER_KEY_PORT_SRC_MAX
				     : TCA_FLOWER_KEY_PORT_DST_MAX,
				 htons(m->hi));
		return 0;
	}
	if (!a->mask && !be_match_is_exact(m))
		return fl_err(err, errsz, -EOPNOTSUPP,
			      "flower netlink: %s is exact only", fd->name);
	put_val(nlh, a->key, a, &m->key, m->field);
	/* tc sends exact ports bare, except 0, which it takes as 0/0xffff */
	if (a->mask &&
	    !((a->flags & FA_NO_EXACT_MASK) && be_match_is_exact(m) &&
	      ir_val__u64(&m->key, m->field)))
		put_val(nlh, a->mask, a, &m->mask, m->field);
	return 0;
}

static int put_rewrite(struct nlmsghdr *nlh, const struct ir_rewrite *rw,
		       char *err, size_t errsz)
{
	struct tc_vlan v = {.action = TC_ACT_PIPE};
	struct nlattr *opts;

	mnl_attr_put_strz(nlh, TCA_ACT_KIND, "vlan");
	opts = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS | NLA_F_NESTED);
	switch (rw->kind) {
	case IR_RW_VLAN_POP:
		v.v_action = TCA_VLAN_ACT_POP;
		mnl_attr_put(nlh, TCA_VLAN_PARMS, sizeof(v), &v);
		break;
	case IR_RW_VLAN_PUSH:
		v.v_action = TCA_VLAN_ACT_PUSH;
		mnl_attr_put(nlh, TCA_VLAN_PARMS, sizeof(v), &v);
		mnl_attr_put_u16(nlh, TCA_VLAN_PUSH_VLAN_ID, rw->vid);
		mnl_attr_put_u16(nlh, TCA_VLAN_PUSH_VLAN_PROTOCOL,
				 htons(rw->proto ? rw->proto : 0x8100));
		mnl_attr_put_u8(nlh, TCA_VLAN_PUSH_VLAN_PRIORITY, rw->pcp);
		break;
	case IR_RW_SET_FIELD:
		if (rw->field != IR_F_VLAN_ID)
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "flower netlink: no action sets %s",
				      ir_field__get(rw->field)->name);
		v.v_action = TCA_VLAN_ACT_MODIFY;
		mnl_attr_put(nlh, TCA_VLAN_PARMS, sizeof(v), &v);
		mnl_attr_put_u16(nlh, TCA_VLAN_PUSH_VLAN_ID,
				 ir_val__u64(&rw->val, IR_F_VLAN_ID));
		break;
	}
	mnl_attr_nest_end(nlh, opts);
	return 0;
}

static int put_verdict(struct nlmsghdr *nlh, const struct be_flower_filter *f,
		       char *err, size_t errsz)
{
	const struct ir_action *a = &f->rule.action;
	struct tc_gact g = {0};
	struct tc_mirred mr = {.action = TC_ACT_STOLEN};
	struct nlattr *opts;

	switch (a->verdict) {
	case IR_ACT_DROP:
		g.action = TC_ACT_SHOT;
		break;
	case IR_ACT_PASS:
		g.action = TC_ACT_OK;
		break;
	case IR_ACT_SLOWPATH:
		if (f->goto_chain)
			g.action = TC_ACT_GOTO_CHAIN | f->goto_chain;
		else if (f->offload == BE_OFFLOAD_HW)
			g.action = TC_ACT_TRAP;
		else
			g.action = TC_ACT_GOTO_CHAIN | (f->chain + 1);
		break;
	case IR_ACT_TX:
	case IR_ACT_REDIRECT:
		mr.eaction = a->verdict == IR_ACT_REDIRECT && a->ingress
				     ? TCA_INGRESS_REDIR
				     : TCA_EGRESS_REDIR;
		mr.ifindex = a->verdict == IR_ACT_TX ? f->ifindex : a->ifindex;
		mnl_attr_put_strz(nlh, TCA_ACT_KIND, "mirred");
		opts = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS | NLA_F_NESTED);
		mnl_attr_put(nlh, TCA_MIRRED_PARMS, sizeof(mr), &mr);
		mnl_attr_nest_end(nlh, opts);
		return 0;
	default:
		return fl_err(err, errsz, -EOPNOTSUPP, "unknown verdict %d",
			      a->verdict);
	}
	mnl_attr_put_strz(nlh, TCA_ACT_KIND, "gact");
	opts = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS | NLA_F_NESTED);
	mnl_attr_put(nlh, TCA_GACT_PARMS, sizeof(g), &g);
	mnl_attr_nest_end(nlh, opts);
	return 0;
}

static int put_actions(struct nlmsghdr *nlh, const struct be_flower_filter *f,
		       char *err, size_t errsz)
{
	const struct ir_action *a = &f->rule.action;
	struct nlattr *acts = nest_plain(nlh, TCA_FLOWER_ACT);
	int ret = 0;

	for (int i = 0; !ret && i <= a->n_rewrites; i++) {
		struct nlattr *one = nest_plain(nlh, i + 1);

		if (i < a->n_rewrites)
			ret = put_rewrite(nlh, &a->rewrites[i], err, errsz);
		else
			ret = put_verdict(nlh, f, err, errsz);
		if (!ret && i == 0 && f->cookie_len)
			mnl_attr_put(nlh, TCA_ACT_COOKIE, f->cookie_len,
				     f->cookie);
		mnl_attr_nest_end(nlh, one);
	}
	mnl_attr_nest_end(nlh, acts);
	return ret;
}

/* The kernel reads IP keys only under an IP protocol and VLAN keys only
 * under a VLAN protocol or num_of_vlans >= 1 (is_vlan_key), and ignores
 * them otherwise: a filter broader than the rule. Refuse those, as tc's
 * parser and the text printer do. */
static int check_context(const struct be_flower_filter *f, uint16_t l3,
			 char *err, size_t errsz)
{
	const struct ir_rule *r = &f->rule;
	uint64_t nv = 0;
	bool vlan_ok = be_eth_is_vlan(f->protocol) ||
		       (f->protocol == ETH_P_ALL &&
			be_rule_exact(r, IR_F_NUM_VLANS, &nv) && nv >= 1);

	for (uint32_t i = 0; i < r->n_matches; i++) {
		enum ir_field_id id = r->matches[i].field;
		const struct ir_field *fd = ir_field__get(id);

		if (fd->layer >= IR_LAYER_L3 && l3 != ETH_P_IP &&
		    l3 != ETH_P_IPV6)
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "flower netlink: %s needs protocol ip "
				      "or ipv6",
				      fd->name);
		if ((id == IR_F_VLAN_ID || id == IR_F_VLAN_PCP ||
		     id == IR_F_VLAN_TYPE) &&
		    !vlan_ok)
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "flower netlink: %s needs protocol "
				      "802.1Q/802.1ad or num_of_vlans >= 1",
				      fd->name);
	}
	return 0;
}

static int put_options(struct nlmsghdr *nlh, const struct be_flower_filter *f,
		       const struct be_opts *o, char *err, size_t errsz)
{
	const struct ir_rule *r = &f->rule;
	uint16_t l3 = be_rule_l3_type(r);
	uint64_t p;
	int l4 = be_rule_exact(r, IR_F_IP_PROTO, &p) ? (int)p : -1;
	const struct ir_match *m = ir_rule__find(r, IR_F_META_IFINDEX);
	struct nlattr *nest = nest_plain(nlh, TCA_OPTIONS);
	const struct ir_match *ms[IR_MAX_MATCHES];
	const struct fa *rows[IR_MAX_MATCHES], *row_of[IR_MAX_MATCHES];
	uint32_t flags = 0;
	size_t n = 0;
	int ret = check_context(f, l3, err, errsz);

	if (ret)
		return ret;
	if (m) {
		char name[IF_NAMESIZE];

		ret = be_ifname(o, ir_val__u64(&m->key, m->field), name, err,
				errsz);
		if (ret)
			return ret;
		mnl_attr_put_strz(nlh, TCA_FLOWER_INDEV, name);
	}
	/* the matches in fattrs order (tc's): each at its row */
	for (uint32_t i = 0; i < r->n_matches; i++) {
		const struct fa *a = fa_for(r->matches[i].field, l3, l4);
		size_t j = n;

		row_of[i] = a;
		if (!a)
			continue;
		for (; j > 0 && rows[j - 1] > a; j--) {
			rows[j] = rows[j - 1];
			ms[j] = ms[j - 1];
		}
		rows[j] = a;
		ms[j] = &r->matches[i];
		n++;
	}
	for (size_t k = 0; k < n; k++) {
		ret = put_match(nlh, ms[k], rows[k], err, errsz);
		if (ret)
			return ret;
	}
	for (uint32_t i = 0; i < r->n_matches; i++) {
		enum ir_field_id id = r->matches[i].field;

		if (id == IR_F_IP_FRAG) {
			ret = put_match(nlh, &r->matches[i], row_of[i], err,
					errsz);
			if (ret)
				return ret;
		} else if (id != IR_F_ETH_TYPE && id != IR_F_META_IFINDEX &&
			   !row_of[i]) {
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "flower netlink: no key for %s",
				      ir_field__get(id)->name);
		}
	}
	ret = put_actions(nlh, f, err, errsz);
	if (ret)
		return ret;
	if (f->offload == BE_OFFLOAD_HW)
		flags = TCA_CLS_FLAGS_SKIP_SW;
	else if (f->offload == BE_OFFLOAD_SW)
		flags = TCA_CLS_FLAGS_SKIP_HW;
	mnl_attr_put_u32(nlh, TCA_FLOWER_FLAGS, flags);
	if (f->protocol != ETH_P_ALL)
		mnl_attr_put_u16(nlh, TCA_FLOWER_KEY_ETH_TYPE,
				 htons(f->protocol));
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

struct nlmsghdr *be_flower_nl__encode(void *buf, size_t size, int type,
				      uint16_t flags,
				      const struct be_flower_filter *f,
				      const struct be_opts *o, char *err,
				      size_t errsz)
{
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	int ret = 0;

	/* Every key, mask and action fits well within 4 KiB. Every byte
	 * up to nlmsg_len is written by the mnl_*put* calls (they zero the
	 * headers and the attribute padding), so buf is not cleared first. */
	if (size < 4096) {
		errno = ENOSPC;
		return NULL;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = f->ifindex;
	tcm->tcm_handle = f->handle;
	tcm->tcm_parent = TC_H_MAKE(TC_H_CLSACT, f->egress ? TC_H_MIN_EGRESS
							   : TC_H_MIN_INGRESS);
	tcm->tcm_info = TC_H_MAKE(f->prio << 16, htons(f->protocol));
	if (f->chain)
		mnl_attr_put_u32(nlh, TCA_CHAIN, f->chain);
	mnl_attr_put_strz(nlh, TCA_KIND, "flower");
	if (type == RTM_NEWTFILTER)
		ret = put_options(nlh, f, o, err, errsz);
	if (ret) {
		errno = -ret;
		return NULL;
	}
	return nlh;
}

/* Encoded straight into the batch: no copy. */
static int queue(struct be_nl *nl, int type, uint16_t flags,
		 const struct be_flower_filter *f, uint64_t tag)
{
	void *buf = be_nl__tail(nl);
	struct nlmsghdr *nlh;

	if (!buf)
		return -errno;
	nlh = be_flower_nl__encode(buf, 4096, type, flags, f, NULL, NULL, 0);
	return nlh ? be_nl__commit(nl, nlh, tag) : -errno;
}

int be_flower_nl__add(struct be_nl *nl, const struct be_flower_filter *f,
		      uint64_t tag)
{
	return queue(nl, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, f, tag);
}

int be_flower_nl__del(struct be_nl *nl, const struct be_flower_filter *f,
		      uint64_t tag)
{
	return queue(nl, RTM_DELTFILTER, 0, f, tag);
}
