// SPDX-License-Identifier: Apache-2.0
/*
 * be_rteflow.c - DPDK rte_flow as testpmd `flow create` commands.
 *
 *   flow create PORT group G priority P ingress pattern eth / ipv4 src spec
 *       10.0.0.0 src prefix 8 / tcp dst is 80 / end actions drop / end
 *
 * Priorities: rte_flow_attr.priority, lowest value first within a group,
 * the same direction as the IR (and tc); the IR prio plus prio_base is
 * printed as is, in group G (be_opts.chain).
 * Matches: "is" for exact, "spec/mask" for masks, "spec/prefix" for
 * prefixes, "spec/last" for ranges.
 * Verdicts: drop -> drop; slowpath -> rss (exactly what a miss gets: the
 * application's RSS queues, where the eBPF program runs); pass -> mark id 1
 * / rss (the application may skip the program for mark 1). Redirect and tx
 * have no portable rte_flow form from an ifindex (DPDK ports are not
 * netdevs), so the caps leave them out.
 * AGE: when the rule set's meta has "idle-timeout: SECONDS" (per-flow rule
 * sets from the agent), every rule gets `age timeout SECONDS`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "backends/backends_internal.h"
#include "common/common.h"

#define EMR (IR_CAP_EXACT | IR_CAP_MASK | IR_CAP_PREFIX | IR_CAP_RANGE)

const struct ir_caps be_rteflow_caps = {
	.name = "rteflow",
	.dissector = IR_DIS_RTEFLOW,
	.field_match =
		{
			[IR_F_ETH_DST] = EMR,
			[IR_F_ETH_SRC] = EMR,
			[IR_F_ETH_TYPE] = IR_CAP_EXACT,
			[IR_F_VLAN_ID] = EMR,
			[IR_F_VLAN_PCP] = EMR,
			[IR_F_VLAN_TYPE] = IR_CAP_EXACT,
			[IR_F_IP_PROTO] = EMR,
			[IR_F_IP_TOS] = EMR,
			[IR_F_IP_TTL] = EMR,
			[IR_F_IP_FRAG] = IR_CAP_EXACT | IR_CAP_MASK,
			[IR_F_IP4_IHL] = EMR,
			[IR_F_IP4_SRC] = EMR,
			[IR_F_IP4_DST] = EMR,
			[IR_F_IP6_SRC] =
				IR_CAP_EXACT | IR_CAP_MASK | IR_CAP_PREFIX,
			[IR_F_IP6_DST] =
				IR_CAP_EXACT | IR_CAP_MASK | IR_CAP_PREFIX,
			[IR_F_IP6_NEXTHDR] = EMR,
			[IR_F_L4_SPORT] = EMR,
			[IR_F_L4_DPORT] = EMR,
			[IR_F_TCP_FLAGS] = IR_CAP_EXACT | IR_CAP_MASK,
			[IR_F_ICMP_TYPE] = EMR,
			[IR_F_ICMP_CODE] = EMR,
		},
	.verdicts =
		1u << IR_ACT_SLOWPATH | 1u << IR_ACT_DROP | 1u << IR_ACT_PASS,
	.rewrites = false,
	.prio_min = 0,
	.prio_max = 65535,
	.max_rules = 0,
	.l4_needs_proto = true,
	.l3_needs_ethtype = true,
};


struct rf_ctx {
	FILE *out;
	const struct ir_rule *r;
	char *err;
	size_t errsz;
	uint64_t printed; /* 1 << field for every field an item carried */
};


/* " NAME is V" / " NAME spec V NAME mask M" / prefix / spec..last. */
static void print_field(struct rf_ctx *c, const char *name, enum be_vfmt fmt,
			const struct ir_match *m)
{
	int plen = be_match_plen(m);

	if (m->kind == IR_MATCH_RANGE) {
		if (m->lo == m->hi)
			fprintf(c->out, " %s is %llu", name,
				(unsigned long long)m->lo);
		else
			fprintf(c->out, " %s spec %llu %s last %llu", name,
				(unsigned long long)m->lo, name,
				(unsigned long long)m->hi);
		return;
	}
	fprintf(c->out, " %s %s ", name, be_match_is_exact(m) ? "is" : "spec");
	be_print_val(c->out, fmt, m->field, &m->key);
	if (be_match_is_exact(m))
		return;
	if (plen >= 0 && (fmt == BE_V_IP4 || fmt == BE_V_IP6)) {
		fprintf(c->out, " %s prefix %d", name, plen);
		return;
	}
	fprintf(c->out, " %s mask ", name);
	be_print_val(c->out, fmt == BE_V_DEC ? BE_V_HEX : fmt, m->field, &m->mask);
}

static int print_frag(struct rf_ctx *c, const struct ir_match *m)
{
	uint64_t key = ir_val__u64(&m->key, m->field);
	uint64_t mask = ir_val__u64(&m->mask, m->field);
	const char *f = "fragment_offset";

	if (mask == 1 && !key)
		fprintf(c->out, " %s spec 0 %s mask 0x3fff", f, f);
	else if (mask == 1)
		fprintf(c->out, " %s spec 1 %s last 0x3fff %s mask 0x3fff", f,
			f, f);
	else if (key & 2)
		fprintf(c->out, " %s spec 0x2000 %s mask 0x3fff", f, f);
	else if (mask == 3 && key == 1)
		fprintf(c->out, " %s spec 1 %s last 0x1fff %s mask 0x1fff", f,
			f, f);
	else if (mask == 3 && !key)
		fprintf(c->out, " %s spec 0 %s mask 0x3fff", f, f);
	else
		return fl_err(c->err, c->errsz, -EOPNOTSUPP,
			      "ip.frag %llu/%llu has no "
			      "fragment_offset form",
			      (unsigned long long)key,
			      (unsigned long long)mask);
	return 0;
}

/* ihl is the low nibble of the version_ihl byte: always masked. */
static void print_ihl(struct rf_ctx *c, const struct ir_match *m)
{
	const char *f = "version_ihl";
	uint64_t lo, hi, mask = 0xf;

	if (m->kind == IR_MATCH_RANGE) {
		lo = m->lo;
		hi = m->hi;
	} else {
		lo = hi = ir_val__u64(&m->key, m->field);
		mask = ir_val__u64(&m->mask, m->field);
	}
	fprintf(c->out, " %s spec 0x%llx", f, (unsigned long long)lo);
	if (hi != lo)
		fprintf(c->out, " %s last 0x%llx", f, (unsigned long long)hi);
	fprintf(c->out, " %s mask 0x%llx", f, (unsigned long long)mask);
}

/* Fields of one pattern item, in IR order. */
struct rf_item_field {
	enum ir_field_id field;
	const char *name;
	enum be_vfmt fmt;
};

/* Do two matches on one-byte fields say the same thing? */
static bool same_byte(const struct ir_match *a, const struct ir_match *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == IR_MATCH_RANGE)
		return a->lo == b->lo && a->hi == b->hi;
	return a->key.b[0] == b->key.b[0] && a->mask.b[0] == b->mask.b[0];
}

static int print_item(struct rf_ctx *c, const char *item,
		      const struct rf_item_field *fs, size_t n)
{
	fprintf(c->out, " %s", item);
	for (size_t i = 0; i < n; i++) {
		const struct ir_match *m = ir_rule__find(c->r, fs[i].field);
		int ret;

		if (!m)
			continue;
		c->printed |= 1ull << fs[i].field;
		if (fs[i].field == IR_F_IP6_NEXTHDR &&
		    ir_rule__find(c->r, IR_F_IP_PROTO)) {
			/* one byte, already printed as ip.proto */
			if (!same_byte(m, ir_rule__find(c->r, IR_F_IP_PROTO)))
				return fl_err(c->err, c->errsz, -EOPNOTSUPP,
					      "ip.proto and ip6.nexthdr differ "
					      "on one byte");
			continue;
		}
		if (fs[i].field == IR_F_IP_FRAG) {
			ret = print_frag(c, m);
			if (ret)
				return ret;
			continue;
		}
		if (fs[i].field == IR_F_IP4_IHL) {
			print_ihl(c, m);
			continue;
		}
		if (fs[i].field == IR_F_TCP_FLAGS && m->kind == IR_MATCH_MASK &&
		    ir_val__u64(&m->mask, m->field) & ~0xffull)
			return fl_err(c->err, c->errsz, -EOPNOTSUPP,
				      "tcp flags beyond the low 8 "
				      "bits");
		print_field(c, fs[i].name, fs[i].fmt, m);
	}
	fputs(" /", c->out);
	return 0;
}

static const struct rf_item_field eth_f[] = {
	{IR_F_ETH_DST, "dst", BE_V_MAC},
	{IR_F_ETH_SRC, "src", BE_V_MAC},
	{IR_F_ETH_TYPE, "type", BE_V_HEX},
};
static const struct rf_item_field vlan_f[] = {
	{IR_F_VLAN_ID, "vid", BE_V_DEC},
	{IR_F_VLAN_PCP, "pcp", BE_V_DEC},
	{IR_F_VLAN_TYPE, "inner_type", BE_V_HEX},
};
static const struct rf_item_field ip4_f[] = {
	{IR_F_IP4_IHL, "version_ihl", BE_V_HEX},
	{IR_F_IP_TOS, "tos", BE_V_HEX},
	{IR_F_IP_FRAG, "fragment_offset", BE_V_HEX},
	{IR_F_IP_TTL, "ttl", BE_V_DEC},
	{IR_F_IP_PROTO, "proto", BE_V_DEC},
	{IR_F_IP4_SRC, "src", BE_V_IP4},
	{IR_F_IP4_DST, "dst", BE_V_IP4},
};
static const struct rf_item_field ip6_f[] = {
	{IR_F_IP_TOS, "tc", BE_V_HEX},
	{IR_F_IP_PROTO, "proto", BE_V_DEC},
	{IR_F_IP_TTL, "hop", BE_V_DEC},
	{IR_F_IP6_SRC, "src", BE_V_IP6},
	{IR_F_IP6_DST, "dst", BE_V_IP6},
	/* the ipv6 item's hdr.proto is the fixed header's byte: ip.proto in
	 * the rte_flow model too (no extension headers are skipped) */
	{IR_F_IP6_NEXTHDR, "proto", BE_V_DEC},
};
static const struct rf_item_field l4_f[] = {
	{IR_F_L4_SPORT, "src", BE_V_DEC},
	{IR_F_L4_DPORT, "dst", BE_V_DEC},
	{IR_F_TCP_FLAGS, "flags", BE_V_HEX},
};
static const struct rf_item_field icmp_f[] = {
	{IR_F_ICMP_TYPE, "type", BE_V_DEC},
	{IR_F_ICMP_CODE, "code", BE_V_DEC},
};

static int print_pattern(struct rf_ctx *c)
{
	uint16_t l3 = be_rule_l3_type(c->r);
	uint64_t t = 0, p = 0;
	bool has_p = be_rule_exact(c->r, IR_F_IP_PROTO, &p);
	int ret;

	for (uint32_t i = 0; i < c->r->n_matches; i++) {
		const struct ir_match *m = &c->r->matches[i];

		if (!be_caps_has(&be_rteflow_caps, m->field))
			return fl_err(c->err, c->errsz, -EOPNOTSUPP,
				      "no item field for %s",
				      ir_field__get(m->field)->name);
		if (ir_field__get(m->field)->layer >= IR_LAYER_L3 &&
		    l3 != 0x0800 && l3 != 0x86dd)
			return fl_err(c->err, c->errsz, -EOPNOTSUPP,
				      "%s needs eth.type ipv4/ipv6",
				      ir_field__get(m->field)->name);
	}
	fputs(" pattern", c->out);
	ret = print_item(c, "eth", eth_f, FL_ARRAY_SIZE(eth_f));
	/* a vlan item matches tagged frames only, as the IR's vlan.* keys
	 * exist only for them */
	if (!ret &&
	    ((be_rule_exact(c->r, IR_F_ETH_TYPE, &t) && be_eth_is_vlan(t)) ||
	     ir_rule__find(c->r, IR_F_VLAN_ID) ||
	     ir_rule__find(c->r, IR_F_VLAN_PCP) ||
	     ir_rule__find(c->r, IR_F_VLAN_TYPE)))
		ret = print_item(c, "vlan", vlan_f, FL_ARRAY_SIZE(vlan_f));
	if (!ret && l3 == 0x0800)
		ret = print_item(c, "ipv4", ip4_f, FL_ARRAY_SIZE(ip4_f));
	else if (!ret && l3 == 0x86dd)
		ret = print_item(c, "ipv6", ip6_f, FL_ARRAY_SIZE(ip6_f));
	if (ret || !has_p)
		goto l4_done;
	if (p == 6 || p == 17 || p == 132)
		ret = print_item(c,
				 p == 6	   ? "tcp"
				 : p == 17 ? "udp"
					   : "sctp",
				 l4_f, FL_ARRAY_SIZE(l4_f) - (p != 6));
	else if ((p == 1 && l3 == 0x0800) || (p == 58 && l3 == 0x86dd))
		ret = print_item(c, p == 1 ? "icmp" : "icmp6", icmp_f,
				 FL_ARRAY_SIZE(icmp_f));
l4_done:
	if (ret)
		return ret;
	for (uint32_t i = 0; i < c->r->n_matches; i++) {
		enum ir_field_id f = c->r->matches[i].field;

		if (ir_field__get(f)->layer == IR_LAYER_L4 &&
		    !(has_p &&
		      (p == 6 || p == 17 || p == 132 ||
		       (p == 1 && l3 == 0x0800) || (p == 58 && l3 == 0x86dd))))
			return fl_err(c->err, c->errsz, -EOPNOTSUPP,
				      "%s needs ip.proto tcp, udp, "
				      "sctp, icmp or icmpv6",
				      ir_field__get(f)->name);
		if (f == IR_F_TCP_FLAGS && p != 6)
			return fl_err(c->err, c->errsz, -EOPNOTSUPP,
				      "tcp.flags needs tcp");
		if ((f == IR_F_ICMP_TYPE || f == IR_F_ICMP_CODE) && p != 1 &&
		    p != 58)
			return fl_err(c->err, c->errsz, -EOPNOTSUPP,
				      "icmp fields need icmp");
	}
	/* never a broader pattern than the rule: every match was printed */
	for (uint32_t i = 0; i < c->r->n_matches; i++) {
		enum ir_field_id f = c->r->matches[i].field;

		if (!(c->printed & (1ull << f)))
			return fl_err(c->err, c->errsz, -EOPNOTSUPP,
				      "no pattern item carries %s here",
				      ir_field__get(f)->name);
	}
	fputs(" end", c->out);
	return 0;
}

static int print_actions(struct rf_ctx *c, unsigned long age)
{
	const struct ir_action *a = &c->r->action;

	if (a->n_rewrites)
		return fl_err(c->err, c->errsz, -EOPNOTSUPP,
			      "rteflow backend has no rewrites");
	fputs(" actions", c->out);
	if (age)
		fprintf(c->out, " age timeout %lu /", age);
	switch (a->verdict) {
	case IR_ACT_DROP:
		fputs(" drop /", c->out);
		break;
	case IR_ACT_SLOWPATH:
		fputs(" rss /", c->out);
		break;
	case IR_ACT_PASS:
		fputs(" mark id 1 / rss /", c->out);
		break;
	default:
		return fl_err(c->err, c->errsz, -EOPNOTSUPP,
			      "rteflow has no %s action",
			      a->verdict == IR_ACT_TX ? "tx" : "redirect");
	}
	fputs(" end", c->out);
	return 0;
}

static int rteflow_print(const struct ir_ruleset *rs, const struct be_opts *o,
			 FILE *out, char *err, size_t errsz)
{
	struct rf_ctx c = {.out = out, .err = err, .errsz = errsz};
	const char *idle = ir_ruleset__meta(rs, "idle-timeout");
	size_t n = ir_ruleset__count(rs), n_dup;
	unsigned long age = idle ? strtoul(idle, NULL, 10) : 0;
	bool *dup = be_duplicates(rs, &n_dup);
	int ret = 0;

	if (!dup)
		return -ENOMEM;
	fprintf(out, "# flowlift rte_flow rules for port %u group %u\n",
		o->port, o->chain);
	be_print_meta(rs, out);
	/* the same pattern twice in a group is refused by PMDs (EEXIST) */
	if (n_dup)
		fprintf(out,
			"# duplicates: %zu rules with the matches of an "
			"earlier rule left out (they never match)\n",
			n_dup);
	fprintf(out, "# slow path: rss (as a miss: the eBPF program in the "
		     "application decides); pass: mark id 1 / rss\n");
	for (size_t i = 0; i < n && !ret; i++) {
		uint64_t prio;
		char *buf = NULL;
		size_t len = 0;

		if (dup[i])
			continue;
		c.r = ir_ruleset__rule_c(rs, i);
		c.printed = 0;
		prio = (uint64_t)c.r->prio + o->prio_base;
		c.out = open_memstream(&buf, &len);
		if (!c.out) {
			ret = -ENOMEM;
			break;
		}
		fprintf(c.out, "flow create %u group %u priority %llu ingress",
			o->port, o->chain, (unsigned long long)prio);
		ret = prio > UINT32_MAX ? -ERANGE : print_pattern(&c);
		if (!ret)
			ret = print_actions(&c, age);
		fclose(c.out);
		if (!ret)
			fputs(buf, out);
		free(buf);
		if (ret) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s",
				 err && err[0] ? err : "priority out of range");
			ret = fl_err(err, errsz, ret,
				     "rteflow: rule %zu (prio "
				     "%u): %s",
				     i, c.r->prio, msg);
			break;
		}
		fputc('\n', out);
	}
	free(dup);
	return ret ? ret : ferror(out) ? -EIO : 0;
}

struct ir_ruleset *be_rteflow_parse(FILE *f, const struct be_opts *o, char *err,
				    size_t errsz);

const struct be_ops be_rteflow_ops = {
	.name = "rteflow",
	.caps = &be_rteflow_caps,
	.print = rteflow_print,
	.parse = be_rteflow_parse,
};
