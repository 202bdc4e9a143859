// SPDX-License-Identifier: Apache-2.0
/*
 * pass_dis.c - what a rule says about frames under one target's dissector.
 *
 * In abstract key space two rules overlap when their matches do; under a
 * real parser many such pairs can never meet, because one rule forces a
 * header to be missing (a short frame, ip4.ihl below 5, a fragment, an
 * ethertype with no IP behind it) while the other needs a key of that
 * header present. A key is needed present when the rule cannot match
 * without it: under flower, whose missing keys read as zero, when its
 * match excludes zero; under nftables and rte_flow, whose missing keys never
 * match, whenever the rule matches the field at all.
 *
 * For each rule pass_dis__info() records the keys it needs, the keys no
 * frame it matches can have (from the models' documented parse: flower
 * stops at a short or ihl<5 IPv4 header and takes no L4 keys from any
 * fragment; nft takes no L4 keys from a later fragment or from ihl<5;
 * rte_flow parses no IPv4 item with ihl<5 and no L4 item of a fragment;
 * an ethertype none of them parses further gives no L3/L4 keys; all of
 * them read the tag behind a VLAN TPID, nft the IP header behind one tag
 * and rte_flow behind one or more; a wrong "absent" here would make
 * legalise drop a rule as matching nothing and let a later rule decide
 * its frames), and the frame lengths it allows: at least the length at
 * which the dissector yields its deepest needed key
 * (ir_dissect__min_len(), asked with the rule's own needed exact keys as
 * the frame's shape, which makes it a lower bound for every frame the rule
 * matches), at most its meta.len bound (and, under well-formed traffic,
 * pass_dis_wf_floor()).
 * pass_dis__overlap() is then "the matches overlap, and neither
 * rule forces absent a key the other needs, and the length windows meet";
 * every "no" is a proof that no frame matches both under that dissector.
 */
#include <string.h>

#include "compiler/pass.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86dd

static bool is_layer(enum ir_field_id f, enum ir_layer l)
{
	return ir_field__get(f)->layer == l;
}

static uint32_t bit(enum ir_field_id f)
{
	return 1u << f;
}

static uint32_t layer_mask(enum ir_layer l)
{
	uint32_t m = 0;
	enum ir_field_id f;

	for (f = 0; f < IR_F__COUNT; f++)
		if (is_layer(f, l))
			m |= bit(f);
	return m;
}

bool pass_dis_needs(enum ir_dissector d, const struct ir_match *m)
{
	if (is_layer(m->field, IR_LAYER_META))
		return false;
	return d != IR_DIS_FLOWER || !pass_match_accepts_zero(m);
}

/* Does every value m accepts satisfy (v & mask) == want? Small fields. */
static bool forces(const struct ir_match *m, uint64_t mask, uint64_t want)
{
	uint64_t v, max = pass_field_max(m->field);
	struct ir_match one;

	for (v = 0; v <= max && v < 256; v++) {
		ir_match__exact(&one, m->field, v);
		if (pass_match_overlap(m, &one) && (v & mask) != want)
			return false;
	}
	return true;
}

/* Does m accept no value in [lo, hi]? */
static bool rejects(const struct ir_match *m, uint64_t lo, uint64_t hi)
{
	struct ir_match r;

	pass_match_from_interval(&r, m->field, lo, hi);
	return !pass_match_overlap(m, &r);
}

static bool exact_is(const struct ir_rule *r, enum ir_field_id f,
		     uint64_t v)
{
	const struct ir_match *m = ir_rule__find(r, f);

	return m && m->kind == IR_MATCH_MASK && pass_match_is_exact(m) &&
	       ir_val__u64(&m->key, f) == v;
}

/* Is a later fragment (no L4 header) excluded by r? */
static bool no_later_frag(const struct ir_rule *r)
{
	const struct ir_match *m = ir_rule__find(r, IR_F_IP_FRAG);
	struct ir_match one;

	if (!m)
		return false;
	ir_match__exact(&one, IR_F_IP_FRAG, 1);
	return !pass_match_overlap(m, &one);
}

/* Under well-formed traffic, the least length of an untagged frame r
 * matches: its IP header is whole, and so is the L4 header of a TCP, UDP
 * or ICMP packet that is not a later fragment. */
uint32_t pass_dis_wf_floor(const struct ir_rule *r)
{
	static const uint8_t l4len[256] = { [1] = 8, [6] = 20, [17] = 8,
					    [58] = 8 };
	const struct ir_match *m = ir_rule__find(r, IR_F_IP_PROTO);
	uint32_t len;

	if (exact_is(r, IR_F_ETH_TYPE, 0x0800))
		len = 14 + 20;
	else if (exact_is(r, IR_F_ETH_TYPE, 0x86dd))
		len = 14 + 40;
	else
		return 14;
	m = ir_rule__find(r, IR_F_IP4_IHL);
	if (m && m->kind == IR_MATCH_MASK && pass_match_is_exact(m) &&
	    ir_val__u64(&m->key, IR_F_IP4_IHL) > 5)
		len += (ir_val__u64(&m->key, IR_F_IP4_IHL) - 5) * 4;
	m = ir_rule__find(r, IR_F_IP_PROTO);
	if (m && m->kind == IR_MATCH_MASK && pass_match_is_exact(m) &&
	    no_later_frag(r))
		len += l4len[ir_val__u64(&m->key, IR_F_IP_PROTO) & 0xff];
	return len;
}

bool pass_dis_ip4_parsed(enum ir_dissector d, unsigned int assume,
			 const struct ir_rule *r, enum ir_field_id skip)
{
	bool eth4 = exact_is(r, IR_F_ETH_TYPE, ETH_P_IP);
	uint32_t i;

	if (eth4 && (assume & IR_ASSUME_WELL_FORMED))
		return true;
	for (i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];
		enum ir_field_id f = m->field;

		if (f == skip || !pass_dis_needs(d, m))
			continue;
		/* Set in the same step as ihl, by every model. */
		if (f == IR_F_IP4_SRC || f == IR_F_IP4_DST)
			return true;
		/* Untagged IPv4: any L3/L4 key comes from parsing the IPv4
		 * header first (flower, rte_flow; nft reads raw bytes). */
		if (eth4 && d != IR_DIS_NFT &&
		    (is_layer(f, IR_LAYER_L3) || is_layer(f, IR_LAYER_L4)))
			return true;
	}
	return false;
}

/* Ethertypes after which a model parses on. Every model reads the tag
 * behind a VLAN TPID (nft: raw bytes 14-17, and the L3 header behind one
 * tag, which the kernel moved into the skb before the hook). */
static bool parses_on(enum ir_dissector d, uint64_t et)
{
	static const uint16_t fl[] = { 0x0800, 0x86dd, 0x8100, 0x88a8,
				       0x8864, 0x892f, 0x88fb, 0x4305 };
	size_t i, n = d == IR_DIS_FLOWER ? 8 : 4;

	for (i = 0; i < n; i++)
		if (fl[i] == et)
			return true;
	return false;
}

static uint32_t absent_keys(enum ir_dissector d, const struct ir_rule *r)
{
	const uint32_t l3 = layer_mask(IR_LAYER_L3), l4 = layer_mask(IR_LAYER_L4);
	const uint32_t vlan = bit(IR_F_VLAN_ID) | bit(IR_F_VLAN_PCP) |
			      bit(IR_F_VLAN_TYPE);
	const struct ir_match *m;
	uint32_t abs = 0;

	if (d == IR_DIS_NFT)
		abs |= bit(IR_F_NUM_VLANS);
	m = ir_rule__find(r, IR_F_ETH_TYPE);
	if (m && m->kind == IR_MATCH_MASK && pass_match_is_exact(m)) {
		uint64_t et = ir_val__u64(&m->key, IR_F_ETH_TYPE);

		if (et && !parses_on(d, et))
			abs |= l3 | l4 | vlan;
		/* Only flower finds tags behind another header (HSR,
		 * batman-adv). */
		if (et && et != 0x8100 && et != 0x88a8 && d != IR_DIS_FLOWER)
			abs |= vlan;
		/* Behind the tag: nft parses IP only, rte_flow IP or more
		 * tags. */
		m = ir_rule__find(r, IR_F_VLAN_TYPE);
		if ((et == 0x8100 || et == 0x88a8) && d != IR_DIS_FLOWER && m &&
		    m->kind == IR_MATCH_MASK && pass_match_is_exact(m)) {
			et = ir_val__u64(&m->key, IR_F_VLAN_TYPE);
			if (et != ETH_P_IP && et != ETH_P_IPV6 &&
			    (d == IR_DIS_NFT || (et != 0x8100 && et != 0x88a8)))
				abs |= l3 | l4;
		}
	}
	m = ir_rule__find(r, IR_F_IP4_IHL);
	if (m && rejects(m, 5, 15)) {
		/* flower and rte_flow parse no IPv4 header with ihl < 5; nft
		 * reads the raw bytes but validates no L4 header. */
		if (d == IR_DIS_NFT)
			abs |= l4;
		else if (exact_is(r, IR_F_ETH_TYPE, ETH_P_IP))
			abs |= l3 | l4;
		else
			abs |= bit(IR_F_IP4_IHL) | bit(IR_F_IP4_SRC) |
			       bit(IR_F_IP4_DST);
	}
	m = ir_rule__find(r, IR_F_IP_FRAG);
	if (m && ((d != IR_DIS_NFT && forces(m, 1, 1)) ||
		  (d == IR_DIS_NFT && forces(m, 3, 1))))
		abs |= l4;
	return abs;
}

void pass_dis__info(enum ir_dissector d, unsigned int assume,
		    const struct ir_rule *r, struct pass_dis_info *out)
{
	struct ir_keys shape;
	uint64_t lo, hi;
	uint32_t i, len;

	memset(out, 0, sizeof(*out));
	memset(&shape, 0, sizeof(shape));
	out->max_len = (uint32_t)pass_field_max(IR_F_META_LEN);
	for (i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];

		if (m->field == IR_F_META_LEN &&
		    pass_match_interval(m, &lo, &hi)) {
			out->min_len = (uint32_t)lo;
			out->max_len = (uint32_t)hi;
		}
		if (!pass_dis_needs(d, m))
			continue;
		out->needs |= bit(m->field);
		if (m->kind == IR_MATCH_MASK && pass_match_is_exact(m)) {
			shape.v[m->field] = m->key;
			shape.present[m->field] = true;
		}
	}
	for (i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];

		if (!(out->needs & bit(m->field)))
			continue;
		len = ir_dissect__min_len(d, &shape, m->field);
		if (len > out->min_len)
			out->min_len = len;
	}
	if ((assume & IR_ASSUME_WELL_FORMED) &&
	    pass_dis_wf_floor(r) > out->min_len)
		out->min_len = pass_dis_wf_floor(r);
	out->absent = absent_keys(d, r);
	out->empty = (out->absent & out->needs) || out->min_len > out->max_len;
}

bool pass_dis__overlap(const struct ir_rule *a, const struct pass_dis_info *ia,
		       const struct ir_rule *b, const struct pass_dis_info *ib)
{
	if (ia->empty || ib->empty)
		return false;
	if ((ia->absent & ib->needs) || (ib->absent & ia->needs))
		return false;
	if (ia->min_len > ib->max_len || ib->min_len > ia->max_len)
		return false;
	return pass_rules_overlap(a, b);
}
