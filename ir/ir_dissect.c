// SPDX-License-Identifier: Apache-2.0
/*
 * ir_dissect.c - what a target's parser extracts from a frame, so that the
 * interpreter sees a packet the way the target will. This file holds the
 * entry point and the tc flower model; ir_dissect_nft.c and
 * ir_dissect_rte.c hold the others.
 *
 * Flower (cls_flower's fl_classify -> skb_flow_dissect(..., flags 0)) is
 * modelled on net/core/flow_dissector.c, __skb_flow_dissect, step by step:
 *
 * - The frame starts at the Ethernet header with VLAN tags in-line (no
 *   hardware tag offload), so skb->protocol, which tc compares with a
 *   filter's protocol, is the outer ethertype: 0x8100/0x88a8 when tagged.
 *   eth.type is that value. Tags are walked; vlan.{id,pcp,type} come from
 *   the first tag (vlan.type = the ethertype after it), vlan.count counts
 *   the tags outside any tunnel.
 * - IPv4 needs the 20-byte header and ihl >= 5; L4 starts at ihl * 4, so
 *   options move the ports. Any fragment sets ip.frag (bit 0 is_fragment,
 *   bit 1 first_fragment) and stops the walk: flags 0 means no
 *   FLOW_DISSECTOR_F_PARSE_1ST_FRAG, so no fragment gets L4 keys.
 * - IPv6 needs the 40-byte header; ip6.nexthdr is its next-header byte.
 *   Hop-by-hop, routing and destination options headers are skipped
 *   ((len + 1) * 8 bytes), a fragment header sets ip.frag and stops;
 *   ip.proto is where the walk ended. AH and ESP are not skipped.
 * - fl_classify dissects with FLOW_DISSECTOR_F_STOP_BEFORE_ENCAP: IPIP,
 *   IPv6-in-IP and GRE end the walk at the outer header (ip.proto 4, 41
 *   or 47, outer addresses, no ports), as the verify corpus's ip_guard
 *   showed. PPPoE session, HSR/PRP and batman-adv are link layers, not
 *   encapsulation, and are walked through: inner headers give the keys.
 *   Flower's eth_type key is compared with the protocol where
 *   the walk ended (key_basic->n_proto), and the tc filter's protocol with
 *   skb->protocol: when a tunnel changes the protocol, no rule pinning one
 *   can match. The model then clears the field that pins it (eth.type if
 *   untagged, vlan.type with one tag), which no pinned rule matches.
 * - Ports are read for TCP, UDP, UDPLITE, DCCP, SCTP and ESP (offset 0)
 *   and AH (offset 4) when 4 bytes are there; tcp.flags needs the whole
 *   20-byte TCP header with doff >= 5; icmp type/code need the whole
 *   8-byte struct icmphdr (skb_flow_get_icmp_tci); with less, both are
 *   0. Measured on Debian's 6.1 kernel (testsuite/e2e model-run): a
 *   2-byte ICMP header type 1 hits a flower "type 0" rule.
 * - At most 15 header steps (MAX_FLOW_DISSECT_HDRS).
 *
 * A key flower does not extract is absent: value zero, which is what
 * flower compares a rule's key with.
 */
#include <string.h>

#include "ir/ir_internal.h"

/* sizeof(struct icmphdr): skb_flow_get_icmp_tci reads it whole (so does
 * Debian's 6.1 kernel, measured by testsuite/e2e model-run). */
#define FL_ICMP_BYTES 8
#define FL_MAX_HDRS 15

#define ETH_P_PPP_SES 0x8864
#define ETH_P_HSR 0x892f
#define ETH_P_PRP 0x88fb
#define ETH_P_BATMAN 0x4305
#define ETH_P_MPLS_UC 0x8847
#define ETH_P_MPLS_MC 0x8848
#define IPPROTO_MPLS 137

void ir_keys__set(struct ir_keys *k, enum ir_field_id f, const uint8_t *p,
		  size_t len)
{
	memset(&k->v[f], 0, sizeof(k->v[f]));
	memcpy(k->v[f].b, p, len);
	k->present[f] = true;
}

void ir_keys__set_u64(struct ir_keys *k, enum ir_field_id f, uint64_t x)
{
	ir_val__from_u64(&k->v[f], f, x);
	k->present[f] = true;
}

void ir_keys__clear(struct ir_keys *k, enum ir_field_id f)
{
	memset(&k->v[f], 0, sizeof(k->v[f]));
	k->present[f] = false;
}

void ir_dissect(enum ir_dissector d, const uint8_t *frame, size_t len,
		const struct ir_meta *meta, struct ir_keys *out)
{
	memset(out, 0, sizeof(*out));
	ir_keys__set_u64(out, IR_F_META_IFINDEX, meta ? meta->ifindex : 0);
	ir_keys__set_u64(out, IR_F_META_MARK, meta ? meta->mark : 0);
	ir_keys__set_u64(out, IR_F_META_LEN, len > 0xffff ? 0xffff : len);
	if (!frame)
		len = 0;
	switch (d) {
	case IR_DIS_FLOWER:
		ir_dissect__flower(frame, len, out);
		break;
	case IR_DIS_NFT:
		ir_dissect__nft(frame, len, out);
		break;
	case IR_DIS_RTEFLOW:
		ir_dissect__rteflow(frame, len, out);
		break;
	}
}

enum fl_ret {
	FL_CONTINUE,
	FL_PROTO_AGAIN,
	FL_IPPROTO_AGAIN,
	FL_OUT_GOOD,
	FL_OUT_BAD,
};

struct fl {
	const uint8_t *p;
	size_t len;
	struct ir_keys *k;
	uint16_t proto;  /* ethertype being dissected */
	size_t nhoff;    /* where it starts */
	uint8_t ip_proto;
	int vlan_level;  /* tags whose keys were taken: 0, 1 (vlan), 2 (cvlan) */
	int num_hdrs;
	bool encap, is_frag, first_frag, saw_ip;
};

static bool fl_has(const struct fl *s, size_t off, size_t n)
{
	return off <= s->len && n <= s->len - off;
}

static enum fl_ret fl_vlan(struct fl *s)
{
	const uint8_t *t = s->p + s->nhoff;
	uint16_t tci;

	if (!fl_has(s, s->nhoff, 4))
		return FL_OUT_BAD;
	tci = ir_be16(t);
	s->proto = ir_be16(t + 2);
	s->nhoff += 4;
	if (!s->encap)
		ir_keys__set_u64(s->k, IR_F_NUM_VLANS,
				 ir_val__u64(&s->k->v[IR_F_NUM_VLANS],
					     IR_F_NUM_VLANS) + 1);
	if (s->vlan_level == 0) {
		ir_keys__set_u64(s->k, IR_F_VLAN_ID, tci & 0x0fff);
		ir_keys__set_u64(s->k, IR_F_VLAN_PCP, tci >> 13);
		ir_keys__set_u64(s->k, IR_F_VLAN_TYPE, s->proto);
	}
	if (s->vlan_level < 2)
		s->vlan_level++;
	return FL_PROTO_AGAIN;
}

static enum fl_ret fl_ipv4(struct fl *s)
{
	const uint8_t *h = s->p + s->nhoff;
	uint16_t frag;
	unsigned int ihl;

	if (!fl_has(s, s->nhoff, 20) || (h[0] & 0x0f) < 5)
		return FL_OUT_BAD;
	ihl = h[0] & 0x0f;
	s->saw_ip = true;
	s->nhoff += ihl * 4;
	s->ip_proto = h[9];
	ir_keys__set_u64(s->k, IR_F_IP4_IHL, ihl);
	ir_keys__set(s->k, IR_F_IP4_SRC, h + 12, 4);
	ir_keys__set(s->k, IR_F_IP4_DST, h + 16, 4);
	ir_keys__set_u64(s->k, IR_F_IP_TOS, h[1]);
	ir_keys__set_u64(s->k, IR_F_IP_TTL, h[8]);
	frag = ir_be16(h + 6);
	if (frag & 0x3fff) { /* MF or offset */
		s->is_frag = true;
		if (!(frag & 0x1fff))
			s->first_frag = true;
		return FL_OUT_GOOD; /* no PARSE_1ST_FRAG */
	}
	return FL_CONTINUE;
}

static enum fl_ret fl_ipv6(struct fl *s)
{
	const uint8_t *h = s->p + s->nhoff;

	if (!fl_has(s, s->nhoff, 40))
		return FL_OUT_BAD;
	s->saw_ip = true;
	s->ip_proto = h[6];
	s->nhoff += 40;
	ir_keys__set_u64(s->k, IR_F_IP6_NEXTHDR, h[6]);
	ir_keys__set(s->k, IR_F_IP6_SRC, h + 8, 16);
	ir_keys__set(s->k, IR_F_IP6_DST, h + 24, 16);
	ir_keys__set_u64(s->k, IR_F_IP_TOS, (h[0] & 0x0f) << 4 | h[1] >> 4);
	ir_keys__set_u64(s->k, IR_F_IP_TTL, h[7]);
	return FL_CONTINUE;
}

static enum fl_ret fl_pppoe(struct fl *s)
{
	const uint8_t *h = s->p + s->nhoff;
	uint16_t ppp;

	if (!fl_has(s, s->nhoff, 8) || h[0] != 0x11 || h[1] != 0)
		return FL_OUT_BAD;
	ppp = ir_be16(h + 6);
	if (ppp & 0x0100) {
		ppp >>= 8;
		s->nhoff += 7;
	} else {
		s->nhoff += 8;
	}
	switch (ppp) {
	case 0x21:
		s->proto = IR_ETH_P_IP;
		return FL_PROTO_AGAIN;
	case 0x57:
		s->proto = IR_ETH_P_IPV6;
		return FL_PROTO_AGAIN;
	case 0x281:
		s->proto = ETH_P_MPLS_UC;
		return FL_PROTO_AGAIN;
	case 0x283:
		s->proto = ETH_P_MPLS_MC;
		return FL_PROTO_AGAIN;
	}
	return (ppp & 0x0101) == 0x0001 ? FL_OUT_GOOD : FL_OUT_BAD;
}

static enum fl_ret fl_hsr(struct fl *s)
{
	if (!fl_has(s, s->nhoff, 6))
		return FL_OUT_BAD;
	s->proto = ir_be16(s->p + s->nhoff + 4);
	s->nhoff += 6;
	return FL_PROTO_AGAIN;
}

static enum fl_ret fl_batadv(struct fl *s)
{
	const uint8_t *h = s->p + s->nhoff;

	/* batadv_unicast_packet (10 bytes) + inner Ethernet header */
	if (!fl_has(s, s->nhoff, 24) || h[1] != 15 || h[0] != 0x40)
		return FL_OUT_BAD;
	s->proto = ir_be16(h + 22);
	s->nhoff += 24;
	s->encap = true;
	return FL_PROTO_AGAIN;
}

static enum fl_ret fl_l3(struct fl *s)
{
	switch (s->proto) {
	case IR_ETH_P_IP:
		return fl_ipv4(s);
	case IR_ETH_P_IPV6:
		return fl_ipv6(s);
	case IR_ETH_P_8021Q:
	case IR_ETH_P_8021AD:
		return fl_vlan(s);
	case ETH_P_PPP_SES:
		return fl_pppoe(s);
	case ETH_P_HSR:
	case ETH_P_PRP:
		return fl_hsr(s);
	case ETH_P_BATMAN:
		return fl_batadv(s);
	default:
		/* MPLS, ARP, TIPC, FCoE, PTP, CFM, unknown: nothing the IR
		 * has a field for, and the protocol stays. */
		return FL_OUT_BAD;
	}
}

static enum fl_ret fl_ipv6_opt(struct fl *s)
{
	const uint8_t *h = s->p + s->nhoff;

	if (s->proto != IR_ETH_P_IPV6)
		return FL_CONTINUE;
	if (!fl_has(s, s->nhoff, 2))
		return FL_OUT_BAD;
	s->ip_proto = h[0];
	s->nhoff += ((size_t)h[1] + 1) * 8;
	return FL_IPPROTO_AGAIN;
}

static enum fl_ret fl_ipv6_frag(struct fl *s)
{
	const uint8_t *h = s->p + s->nhoff;

	if (s->proto != IR_ETH_P_IPV6)
		return FL_CONTINUE;
	if (!fl_has(s, s->nhoff, 8))
		return FL_OUT_BAD;
	s->is_frag = true;
	s->nhoff += 8;
	s->ip_proto = h[0];
	if (!(ir_be16(h + 2) & 0xfff8))
		s->first_frag = true;
	return FL_OUT_GOOD;
}

static void fl_tcp(struct fl *s)
{
	const uint8_t *h = s->p + s->nhoff;

	if (!fl_has(s, s->nhoff, 20) || (h[12] >> 4) < 5)
		return;
	ir_keys__set_u64(s->k, IR_F_TCP_FLAGS, ir_be16(h + 12) & 0x0fff);
}

static void fl_icmp(struct fl *s)
{
	const uint8_t *h = s->p + s->nhoff;

	if (!fl_has(s, s->nhoff, FL_ICMP_BYTES))
		return;
	ir_keys__set_u64(s->k, IR_F_ICMP_TYPE, h[0]);
	ir_keys__set_u64(s->k, IR_F_ICMP_CODE, h[1]);
}

/* proto_ports_offset() */
static int fl_ports_offset(uint8_t ip_proto)
{
	switch (ip_proto) {
	case IR_IPPROTO_TCP:
	case IR_IPPROTO_UDP:
	case IR_IPPROTO_DCCP:
	case IR_IPPROTO_ESP:
	case IR_IPPROTO_SCTP:
	case IR_IPPROTO_UDPLITE:
		return 0;
	case IR_IPPROTO_AH:
		return 4;
	}
	return -1;
}

static void fl_ports(struct fl *s)
{
	int poff = fl_ports_offset(s->ip_proto);
	size_t off = s->nhoff + (size_t)(poff < 0 ? 0 : poff);

	if (poff < 0 || !fl_has(s, off, 4)) {
		ir_keys__clear(s->k, IR_F_L4_SPORT);
		ir_keys__clear(s->k, IR_F_L4_DPORT);
		return;
	}
	ir_keys__set(s->k, IR_F_L4_SPORT, s->p + off, 2);
	ir_keys__set(s->k, IR_F_L4_DPORT, s->p + off + 2, 2);
}

static enum fl_ret fl_l4(struct fl *s)
{
	enum fl_ret ret = FL_CONTINUE;

	switch (s->ip_proto) {
	case IR_IPPROTO_GRE:
	case IR_IPPROTO_IPIP:
	case IR_IPPROTO_IPV6:
		ret = FL_OUT_GOOD; /* FLOW_DISSECTOR_F_STOP_BEFORE_ENCAP */
		break;
	case IR_IPPROTO_HOPOPTS:
	case IR_IPPROTO_ROUTING:
	case IR_IPPROTO_DSTOPTS:
		ret = fl_ipv6_opt(s);
		break;
	case IR_IPPROTO_FRAGMENT:
		ret = fl_ipv6_frag(s);
		break;
	case IPPROTO_MPLS:
		s->proto = ETH_P_MPLS_UC;
		ret = FL_PROTO_AGAIN;
		break;
	case IR_IPPROTO_TCP:
		fl_tcp(s);
		break;
	case IR_IPPROTO_ICMP:
	case IR_IPPROTO_ICMPV6:
		fl_icmp(s);
		break;
	}
	if (!s->is_frag)
		fl_ports(s);
	return ret;
}

static bool fl_allowed(struct fl *s)
{
	return ++s->num_hdrs <= FL_MAX_HDRS;
}

/* The walk; returns with s->proto the protocol it ended on. */
static void fl_walk(struct fl *s)
{
	enum fl_ret ret;

	for (;;) {
		ret = fl_l3(s);
		if (ret == FL_PROTO_AGAIN && fl_allowed(s))
			continue;
		if (ret != FL_CONTINUE && ret != FL_IPPROTO_AGAIN)
			return;
		do {
			ret = fl_l4(s);
		} while (ret == FL_IPPROTO_AGAIN && fl_allowed(s));
		if (ret != FL_PROTO_AGAIN || !fl_allowed(s))
			return;
	}
}

void ir_dissect__flower(const uint8_t *p, size_t len, struct ir_keys *k)
{
	struct fl s = { .p = p, .len = len, .k = k, .nhoff = IR_ETH_HLEN };
	uint64_t tags;

	if (len < IR_ETH_HLEN)
		return;
	ir_keys__set(k, IR_F_ETH_DST, p, 6);
	ir_keys__set(k, IR_F_ETH_SRC, p + 6, 6);
	ir_keys__set(k, IR_F_ETH_TYPE, p + 12, 2);
	ir_keys__set_u64(k, IR_F_NUM_VLANS, 0);
	s.proto = ir_be16(p + 12);
	fl_walk(&s);
	if (s.saw_ip) {
		ir_keys__set_u64(k, IR_F_IP_PROTO, s.ip_proto);
		ir_keys__set_u64(k, IR_F_IP_FRAG,
				 (s.is_frag ? 1u : 0u) | (s.first_frag ? 2u : 0u));
	}
	/* The protocol a pinned rule compares with must be where the walk
	 * ended (key_basic->n_proto). */
	tags = ir_val__u64(&k->v[IR_F_NUM_VLANS], IR_F_NUM_VLANS);
	if (tags == 0 && s.proto != ir_be16(p + 12))
		ir_keys__clear(k, IR_F_ETH_TYPE);
	else if (tags == 1 && k->present[IR_F_VLAN_TYPE] &&
		 s.proto != ir_val__u64(&k->v[IR_F_VLAN_TYPE], IR_F_VLAN_TYPE))
		ir_keys__clear(k, IR_F_VLAN_TYPE);
}
