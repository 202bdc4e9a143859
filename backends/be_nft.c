// SPDX-License-Identifier: Apache-2.0
/*
 * be_nft.c - nftables netdev as an `nft -f` file.
 *
 * One table, `netdev flowlift`, re-created in the same transaction
 * (`table ...; delete table ...; table ... { }`), so loading a new rule set
 * replaces the old one atomically. One base chain on the device's ingress
 * (or egress) hook, `flags offload` unless --offload sw, and one rule per IR
 * rule in priority order, each with a counter and a comment "prio N".
 *
 * Verdicts: drop; pass -> accept; redirect/tx -> fwd to "DEV" (egress only;
 * nft has no ingress redirect). Slowpath -> accept, commented "slowpath":
 * accept ends the evaluation of this chain without deciding, so no later
 * rule can act on the packet, and it goes on to software, where the eBPF
 * program decides it (in hardware offload the NIC hands it to the host; in
 * software, Linux runs tc ingress - the eBPF program - before the netdev
 * ingress hook, so there the rules only ever see what eBPF let through).
 *
 * Fields: ip.proto is `ip protocol` for IPv4 and `meta l4proto` for IPv6
 * (the L4 protocol after extension headers, as the IR defines it);
 * ip6.nexthdr is the raw byte `@nh,48,8` (`ip6 nexthdr` would set nft's
 * protocol context and conflict with `icmpv6`/`tcp` matches); ip.tos is
 * `@nh,8,8` (IPv4) / `@nh,4,8` (IPv6 traffic class); meta.len is `meta length`,
 * which at the netdev hook counts from the network header: 14 bytes less than
 * the IR's frame length for untagged frames, 18 when the outer VLAN tag was
 * moved to the skb; a meta.len rule without eth.type becomes two lines, one for
 * each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "backends/backends_internal.h"
#include "common/common.h"

#define EMR (IR_CAP_EXACT | IR_CAP_MASK | IR_CAP_PREFIX | IR_CAP_RANGE)
#define EM (IR_CAP_EXACT | IR_CAP_MASK | IR_CAP_PREFIX)

const struct ir_caps be_nft_caps = {
	.name = "nft",
	.dissector = IR_DIS_NFT,
	.field_match =
		{
			[IR_F_META_IFINDEX] = IR_CAP_EXACT,
			[IR_F_ETH_DST] = EM,
			[IR_F_ETH_SRC] = EM,
			[IR_F_ETH_TYPE] = IR_CAP_EXACT,
			[IR_F_VLAN_ID] = EMR,
			[IR_F_VLAN_PCP] = EMR,
			[IR_F_VLAN_TYPE] = IR_CAP_EXACT,
			[IR_F_IP_PROTO] = IR_CAP_EXACT,
			[IR_F_IP_TOS] = EMR,
			[IR_F_IP_TTL] = EMR,
			[IR_F_IP_FRAG] = IR_CAP_EXACT | IR_CAP_MASK,
			[IR_F_IP4_IHL] = EMR,
			[IR_F_IP4_SRC] = EMR,
			[IR_F_IP4_DST] = EMR,
			[IR_F_IP6_SRC] = EM,
			[IR_F_IP6_DST] = EM,
			[IR_F_IP6_NEXTHDR] = EMR,
			[IR_F_L4_SPORT] = EMR,
			[IR_F_L4_DPORT] = EMR,
			[IR_F_TCP_FLAGS] = EM,
			[IR_F_ICMP_TYPE] = EMR,
			[IR_F_ICMP_CODE] = EMR,
			[IR_F_META_MARK] = EMR,
			[IR_F_META_LEN] = IR_CAP_EXACT | IR_CAP_RANGE,
		},
	/* redirect: egress only (fwd to) */
	.verdicts = 1u << IR_ACT_SLOWPATH | 1u << IR_ACT_DROP |
		    1u << IR_ACT_PASS | 1u << IR_ACT_REDIRECT | 1u << IR_ACT_TX,
	.rewrites = false,
	.prio_min = 1,
	.prio_max = UINT32_MAX,
	.max_rules = 0,
	.l4_needs_proto = true,
	.l3_needs_ethtype = true,
};

static const struct {
	uint16_t type;
	const char *name;
} eth_names[] = {
	{0x0800, "ip"},	  {0x86dd, "ip6"},    {0x0806, "arp"},
	{0x8100, "vlan"}, {0x88a8, "8021ad"},
};

static const struct {
	uint8_t proto;
	const char *name;
} l4_names[] = {
	{6, "tcp"}, {17, "udp"}, {132, "sctp"}, {1, "icmp"}, {58, "icmpv6"},
};

static const char *l4_name(uint8_t p)
{
	for (size_t i = 0; i < FL_ARRAY_SIZE(l4_names); i++)
		if (l4_names[i].proto == p)
			return l4_names[i].name;
	return NULL;
}

struct nft_ctx {
	FILE *out;
	const struct ir_rule *r;
	uint16_t l3;   /* ethertype behind the tags, 0 if unknown */
	int l4;	       /* ip.proto, -1 if not pinned */
	bool vlan;     /* outer eth.type is a VLAN TPID */
	bool l4_guard; /* printed the "not a later fragment" guard */
	bool tagged;   /* this line is for VLAN-tagged frames only */
	const struct be_opts *o;
	char *err;
	size_t errsz;
};



/* " EXPR VALUE" for match m: exact, prefix, mask or range. */
static int print_generic(struct nft_ctx *c, const char *expr, enum be_vfmt fmt,
			 const struct ir_match *m)
{
	const struct ir_field *fd = ir_field__get(m->field);
	int plen;

	fprintf(c->out, " %s ", expr);
	if (m->kind == IR_MATCH_RANGE) {
		struct ir_val lo, hi;

		if (fmt != BE_V_IP4 && fmt != BE_V_HEX)
			fmt = BE_V_DEC;
		ir_val__from_u64(&lo, m->field, m->lo);
		ir_val__from_u64(&hi, m->field, m->hi);
		be_print_val(c->out, fmt, m->field, &lo);
		if (m->lo != m->hi) {
			fputc('-', c->out);
			be_print_val(c->out, fmt, m->field, &hi);
		}
		return 0;
	}
	plen = be_match_plen(m);
	if (be_match_is_exact(m)) {
		be_print_val(c->out, fmt, m->field, &m->key);
	} else if (plen >= 0 && (fmt == BE_V_IP4 || fmt == BE_V_IP6)) {
		be_print_val(c->out, fmt, m->field, &m->key);
		fprintf(c->out, "/%d", plen);
	} else {
		if (fmt == BE_V_DEC)
			fmt = BE_V_HEX;
		fputs("& ", c->out);
		be_print_val(c->out, fmt, m->field, &m->mask);
		fputs(" == ", c->out);
		be_print_val(c->out, fmt, m->field, &m->key);
	}
	(void)fd;
	return 0;
}

static int unsupported(struct nft_ctx *c, const struct ir_match *m,
		       const char *why)
{
	return fl_err(c->err, c->errsz, -EOPNOTSUPP, "%s: %s",
		      ir_field__get(m->field)->name, why);
}

static int print_ifname(struct nft_ctx *c, const struct ir_match *m)
{
	char name[IF_NAMESIZE];
	int ret;

	if (!be_match_is_exact(m) || m->kind != IR_MATCH_MASK)
		return unsupported(c, m, "exact only");
	ret = be_ifname(c->o, ir_val__u64(&m->key, m->field), name, c->err,
			c->errsz);
	if (ret)
		return ret;
	fprintf(c->out, " meta iifname \"%s\"", name);
	return 0;
}

static int print_ethtype(struct nft_ctx *c, const struct ir_match *m,
			 const char *expr)
{
	uint64_t t = ir_val__u64(&m->key, m->field);

	if (m->kind != IR_MATCH_MASK || !be_match_is_exact(m))
		return unsupported(c, m, "exact only");
	for (size_t i = 0; i < FL_ARRAY_SIZE(eth_names); i++) {
		if (eth_names[i].type == t) {
			fprintf(c->out, " %s %s", expr, eth_names[i].name);
			return 0;
		}
	}
	fprintf(c->out, " %s 0x%04llx", expr, (unsigned long long)t);
	return 0;
}

static int print_frag(struct nft_ctx *c, const struct ir_match *m)
{
	uint64_t key = ir_val__u64(&m->key, m->field);
	uint64_t mask = ir_val__u64(&m->mask, m->field);
	const char *e = " ip frag-off & ";

	if (c->l3 != 0x0800)
		return unsupported(c, m, "IPv4 only");
	/* is_fragment: MF or offset; first: MF set and offset zero */
	if (mask == 1)
		fprintf(c->out, "%s0x3fff %s 0", e, key ? "!=" : "==");
	else if (mask == 2)
		fprintf(c->out, "%s0x3fff %s 0x2000", e, key ? "==" : "!=");
	else if (key == 3)
		fprintf(c->out, "%s0x3fff == 0x2000", e);
	else if (key == 1)
		fprintf(c->out, "%s0x1fff != 0", e);
	else if (key == 0)
		fprintf(c->out, "%s0x3fff == 0", e);
	else
		return unsupported(c, m, "first fragment without fragment");
	return 0;
}

static int print_len(struct nft_ctx *c, const struct ir_match *m)
{
	uint64_t adj = c->vlan || c->tagged ? 18 : 14, lo, hi;

	if (m->kind == IR_MATCH_RANGE) {
		lo = m->lo;
		hi = m->hi;
	} else if (be_match_is_exact(m)) {
		lo = hi = ir_val__u64(&m->key, m->field);
	} else {
		return unsupported(c, m, "exact or range only");
	}
	if (hi < adj)
		return 1; /* no such frame reaches the hook */
	lo = lo > adj ? lo - adj : 0;
	hi -= adj;
	if (lo == hi)
		fprintf(c->out, " meta length %llu", (unsigned long long)lo);
	else
		fprintf(c->out, " meta length %llu-%llu",
			(unsigned long long)lo, (unsigned long long)hi);
	return 0;
}

static int print_l4(struct nft_ctx *c, const struct ir_match *m)
{
	const char *p = c->l4 >= 0 ? l4_name(c->l4) : NULL;
	bool port = m->field == IR_F_L4_SPORT || m->field == IR_F_L4_DPORT;
	char expr[32];

	if (!p)
		return unsupported(c, m, "needs ip.proto pinned");
	if (port && c->l4 != 6 && c->l4 != 17 && c->l4 != 132)
		return unsupported(c, m, "ports need tcp, udp or sctp");
	if (m->field == IR_F_TCP_FLAGS) {
		uint64_t mask = m->kind == IR_MATCH_MASK
					? ir_val__u64(&m->mask, m->field)
					: 0xfff;

		if (c->l4 != 6)
			return unsupported(c, m, "needs tcp");
		return print_generic(
			c, mask & ~0xffull ? "@th,100,12" : "tcp flags", BE_V_HEX,
			m);
	}
	if (m->field == IR_F_ICMP_TYPE || m->field == IR_F_ICMP_CODE) {
		if (!(c->l4 == 1 && c->l3 == 0x0800) &&
		    !(c->l4 == 58 && c->l3 == 0x86dd))
			return unsupported(c, m,
					   "needs icmp (ip) or icmpv6 "
					   "(ip6)");
	}
	snprintf(expr, sizeof(expr), "%s %s", p,
		 m->field == IR_F_L4_SPORT    ? "sport"
		 : m->field == IR_F_L4_DPORT  ? "dport"
		 : m->field == IR_F_ICMP_TYPE ? "type"
					      : "code");
	return print_generic(c, expr, BE_V_DEC, m);
}

static int print_match(struct nft_ctx *c, const struct ir_match *m)
{
	bool v4 = c->l3 == 0x0800, v6 = c->l3 == 0x86dd;
	const char *l4;

	if (ir_field__get(m->field)->layer >= IR_LAYER_L3 && !v4 && !v6)
		return unsupported(c, m, "needs eth.type ip or ip6");
	/* nft's fast payload path reads the transport header of later IPv4
	 * fragments too (seen on 6.18); the IR has no L4 keys there */
	if (ir_field__get(m->field)->layer == IR_LAYER_L4 && v4 &&
	    !c->l4_guard) {
		fputs(" ip frag-off & 0x1fff == 0", c->out);
		c->l4_guard = true;
	}
	switch (m->field) {
	case IR_F_META_IFINDEX:
		return print_ifname(c, m);
	case IR_F_ETH_DST:
		return print_generic(c, "ether daddr", BE_V_MAC, m);
	case IR_F_ETH_SRC:
		return print_generic(c, "ether saddr", BE_V_MAC, m);
	case IR_F_ETH_TYPE:
		return print_ethtype(c, m, "ether type");
	case IR_F_VLAN_ID:
	case IR_F_VLAN_PCP:
		if (!c->vlan)
			return unsupported(c, m, "needs eth.type vlan");
		return print_generic(
			c, m->field == IR_F_VLAN_ID ? "vlan id" : "vlan pcp",
			BE_V_DEC, m);
	case IR_F_VLAN_TYPE:
		if (!c->vlan)
			return unsupported(c, m, "needs eth.type vlan");
		return print_ethtype(c, m, "vlan type");
	case IR_F_IP_PROTO:
		l4 = l4_name(ir_val__u64(&m->key, m->field));
		if (m->kind != IR_MATCH_MASK || !be_match_is_exact(m))
			return unsupported(c, m, "exact only");
		/* IPv4: the header's own byte; IPv6: after extension
		 * headers (the IR's ip.proto, see ir_dissect_nft.c) */
		if (l4)
			fprintf(c->out, " %s %s",
				v4 ? "ip protocol" : "meta l4proto", l4);
		else
			return print_generic(
				c, v4 ? "ip protocol" : "meta l4proto", BE_V_DEC,
				m);
		return 0;
	case IR_F_IP_TOS:
		return print_generic(c, v4 ? "@nh,8,8" : "@nh,4,8", BE_V_HEX, m);
	case IR_F_IP_TTL:
		return print_generic(c, v4 ? "ip ttl" : "ip6 hoplimit", BE_V_DEC,
				     m);
	case IR_F_IP_FRAG:
		return print_frag(c, m);
	case IR_F_IP4_IHL:
		if (!v4)
			return unsupported(c, m, "IPv4 only");
		return print_generic(c, "ip hdrlength", BE_V_DEC, m);
	case IR_F_IP4_SRC:
	case IR_F_IP4_DST:
		if (!v4)
			return unsupported(c, m, "IPv4 only");
		return print_generic(
			c, m->field == IR_F_IP4_SRC ? "ip saddr" : "ip daddr",
			BE_V_IP4, m);
	case IR_F_IP6_SRC:
	case IR_F_IP6_DST:
		if (!v6)
			return unsupported(c, m, "IPv6 only");
		if (m->kind == IR_MATCH_RANGE)
			return unsupported(c, m, "no ranges on IPv6");
		return print_generic(
			c, m->field == IR_F_IP6_SRC ? "ip6 saddr" : "ip6 daddr",
			BE_V_IP6, m);
	case IR_F_IP6_NEXTHDR:
		if (!v6)
			return unsupported(c, m, "IPv6 only");
		return print_generic(c, "@nh,48,8", BE_V_DEC, m);
	case IR_F_L4_SPORT:
	case IR_F_L4_DPORT:
	case IR_F_TCP_FLAGS:
	case IR_F_ICMP_TYPE:
	case IR_F_ICMP_CODE:
		return print_l4(c, m);
	case IR_F_META_MARK:
		return print_generic(c, "meta mark", BE_V_HEX, m);
	case IR_F_META_LEN:
		return print_len(c, m);
	default:
		return unsupported(c, m, "no nft expression");
	}
}

static int print_verdict(struct nft_ctx *c)
{
	const struct ir_action *a = &c->r->action;
	char name[IF_NAMESIZE];
	int ret;

	if (a->n_rewrites)
		return fl_err(c->err, c->errsz, -EOPNOTSUPP,
			      "nft backend has no rewrites");
	fputs(" counter", c->out);
	switch (a->verdict) {
	case IR_ACT_DROP:
		fputs(" drop", c->out);
		break;
	case IR_ACT_PASS:
		fputs(" accept", c->out);
		break;
	case IR_ACT_SLOWPATH:
		fputs(" accept", c->out);
		break;
	case IR_ACT_TX:
		fprintf(c->out, " fwd to \"%s\"", c->o->dev);
		break;
	case IR_ACT_REDIRECT:
		if (a->ingress)
			return fl_err(c->err, c->errsz, -EOPNOTSUPP,
				      "nft has no redirect to ingress");
		ret = be_ifname(c->o, a->ifindex, name, c->err, c->errsz);
		if (ret)
			return ret;
		fprintf(c->out, " fwd to \"%s\"", name);
		break;
	default:
		return fl_err(c->err, c->errsz, -EOPNOTSUPP,
			      "unknown verdict %d", a->verdict);
	}
	fprintf(c->out, " comment \"prio %u%s\"", c->r->prio,
		a->verdict == IR_ACT_SLOWPATH ? " slowpath" : "");
	return 0;
}

/* One nft line for rule c->r. variant: 0 as is; 1 and 2 for a meta.len
 * rule without eth.type, which needs one line for untagged frames (the
 * netdev hook counts from 14 bytes in) and one for tagged ones (the outer
 * tag was moved into the skb: 18). */
static int print_rule(struct nft_ctx *c, int variant)
{
	const struct ir_match *fm;
	uint64_t t, p;
	FILE *out;
	char *buf = NULL;
	size_t len = 0;
	int ret = 0;

	c->l3 = be_rule_l3_type(c->r);
	c->l4 = be_rule_exact(c->r, IR_F_IP_PROTO, &p) ? (int)p : -1;
	c->vlan = be_rule_exact(c->r, IR_F_ETH_TYPE, &t) && be_eth_is_vlan(t);
	/* ip.frag "not a fragment" or "first fragment" already implies
	 * offset 0: no guard needed */
	fm = ir_rule__find(c->r, IR_F_IP_FRAG);
	if (fm && fm->kind == IR_MATCH_MASK) {
		uint64_t k = ir_val__u64(&fm->key, fm->field);
		uint64_t mk = ir_val__u64(&fm->mask, fm->field);

		c->l4_guard = ((mk & 1) && !(k & 1)) || ((mk & 2) && (k & 2));
	} else {
		c->l4_guard = false;
	}
	out = c->out;
	c->out = open_memstream(&buf, &len);
	if (!c->out) {
		c->out = out;
		return -ENOMEM;
	}
	c->tagged = variant == 2;
	if (variant)
		fprintf(c->out, " ether type %s{ vlan, 8021ad }",
			variant == 1 ? "!= " : "");
	for (uint32_t i = 0; !ret && i < c->r->n_matches; i++)
		ret = print_match(c, &c->r->matches[i]);
	if (!ret)
		ret = print_verdict(c);
	fclose(c->out);
	c->out = out;
	if (!ret)
		fprintf(out, "\t\t%s\n", buf + (buf[0] == ' '));
	free(buf);
	return ret;
}

/* A rule no frame can trigger at the netdev hook (shorter than its
 * Ethernet header): a comment that still names it, so it reads back. */
static int print_left_out(const struct ir_rule *r, FILE *out)
{
	char buf[2048];

	if (ir_rule__snprint(r, buf, sizeof(buf), false) < 0)
		return -ENOSPC;
	fprintf(out,
		"\t\t# left out (no frame this short reaches the "
		"netdev hook): %s\n",
		buf);
	return 0;
}

static int nft_print(const struct ir_ruleset *rs, const struct be_opts *o,
		     FILE *out, char *err, size_t errsz)
{
	struct nft_ctx c = {.out = out, .o = o, .err = err, .errsz = errsz};
	const char *hook = o->egress ? "egress" : "ingress";
	size_t n = ir_ruleset__count(rs);
	int ret;

	if (!o->dev)
		return fl_err(err, errsz, -EINVAL,
			      "--target nft needs --dev DEV");
	fprintf(out, "# flowlift nft rules for dev %s %s, offload %s\n", o->dev,
		hook, o->offload == BE_OFFLOAD_SW ? "sw" : "hw");
	be_print_meta(rs, out);
	be_print_ifnames(rs, o, out);
	fprintf(out,
		"# slow path: accept (ends this chain undecided; the "
		"eBPF program on tc %s decides)\n",
		hook);
	fprintf(out, "table netdev flowlift\ndelete table netdev flowlift\n");
	fprintf(out, "table netdev flowlift {\n\tchain %s {\n", hook);
	fprintf(out, "\t\ttype filter hook %s device \"%s\" priority 0;%s\n",
		hook, o->dev,
		o->offload == BE_OFFLOAD_SW ? "" : " flags offload;");
	for (size_t i = 0; i < n; i++) {
		bool split;

		c.r = ir_ruleset__rule_c(rs, i);
		split = ir_rule__find(c.r, IR_F_META_LEN) &&
			!ir_rule__find(c.r, IR_F_ETH_TYPE);
		ret = print_rule(&c, split);
		if (ret >= 0 && split) {
			int tagged = print_rule(&c, 2);

			/* unreachable only if both are */
			ret = tagged < 0 ? tagged : ret && tagged;
		}
		if (ret == 1)
			ret = print_left_out(c.r, out);
		if (ret) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", err ? err : "");
			return fl_err(err, errsz, ret,
				      "nft: rule %zu (prio "
				      "%u): %s",
				      i, c.r->prio, msg);
		}
	}
	fprintf(out, "\t}\n}\n");
	return ferror(out) ? -EIO : 0;
}

struct ir_ruleset *be_nft_parse(FILE *f, const struct be_opts *o, char *err,
				size_t errsz);

const struct be_ops be_nft_ops = {
	.name = "nft",
	.caps = &be_nft_caps,
	.print = nft_print,
	.parse = be_nft_parse,
};
