// SPDX-License-Identifier: Apache-2.0
/*
 * ir_minlen.c - ir_dissect__min_len(): the shortest frame, shaped like the
 * given keys, for which a dissector yields a field. Rather than restate
 * each model's offsets (and risk disagreeing with it), it builds the
 * smallest frame of that shape and asks the model itself, by binary search
 * over the truncation length, with the IP length fields kept consistent
 * with the truncated frame. Presence only grows with length in every
 * model, so the search is exact for that shape; unknown parts of the shape
 * take their smallest form (no VLAN tag unless the keys say so, IPv4
 * without options, one 8-byte IPv6 extension header when ip6.nexthdr says
 * there is one), so the result is a lower bound for every frame the keys
 * describe.
 */
#include <string.h>

#include "ir/ir_internal.h"

#define ML_MAX 256

struct shape {
	uint8_t p[ML_MAX];
	size_t full;  /* length of the untruncated frame */
	size_t l3off; /* 0: no IP header */
	bool v6;
};

static bool kp(const struct ir_keys *k, enum ir_field_id f)
{
	return k->present[f];
}

static uint64_t ku(const struct ir_keys *k, enum ir_field_id f,
		   uint64_t dflt)
{
	return k->present[f] ? ir_val__u64(&k->v[f], f) : dflt;
}

static bool is_tpid(uint64_t t)
{
	return t == IR_ETH_P_8021Q || t == IR_ETH_P_8021AD;
}

static void put16(uint8_t *p, uint64_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The L4 protocol a frame needs for field f when the keys do not say. */
static uint8_t default_proto(enum ir_field_id f, bool v6)
{
	if (f == IR_F_ICMP_TYPE || f == IR_F_ICMP_CODE)
		return v6 ? IR_IPPROTO_ICMPV6 : IR_IPPROTO_ICMP;
	return IR_IPPROTO_TCP;
}

static size_t put_l4(uint8_t *p, uint8_t proto)
{
	memset(p, 0, 40);
	if (proto == IR_IPPROTO_TCP)
		p[12] = 0x50; /* doff 5 */
	return 40;
}

static size_t put_ipv4(struct shape *s, size_t off, const struct ir_keys *k,
		       enum ir_field_id f)
{
	uint8_t *h = s->p + off;
	unsigned int ihl = (unsigned int)ku(k, IR_F_IP4_IHL, 5);
	uint64_t frag = ku(k, IR_F_IP_FRAG, 0);
	uint8_t proto = (uint8_t)ku(k, IR_F_IP_PROTO, default_proto(f, false));

	if (ihl < 5)
		ihl = 5;
	memset(h, 0, ihl * 4);
	h[0] = (uint8_t)(0x40 | ihl);
	h[8] = 64;
	h[9] = proto;
	if (frag & 1)
		put16(h + 6, frag & 2 ? 0x2000 : 0x0001);
	return ihl * 4 + put_l4(h + ihl * 4, proto);
}

static size_t put_ipv6(struct shape *s, size_t off, const struct ir_keys *k,
		       enum ir_field_id f)
{
	uint8_t *h = s->p + off;
	uint64_t frag = ku(k, IR_F_IP_FRAG, 0);
	uint8_t proto = (uint8_t)ku(k, IR_F_IP_PROTO, default_proto(f, true));
	uint8_t next = (uint8_t)ku(k, IR_F_IP6_NEXTHDR,
				   frag & 1 ? IR_IPPROTO_FRAGMENT : proto);
	size_t n = 40;

	memset(h, 0, 40);
	h[0] = 0x60;
	h[6] = next;
	h[7] = 64;
	if (next != proto && (next == IR_IPPROTO_HOPOPTS ||
			      next == IR_IPPROTO_ROUTING ||
			      next == IR_IPPROTO_DSTOPTS ||
			      next == IR_IPPROTO_FRAGMENT)) {
		memset(h + 40, 0, 8);
		h[40] = proto;
		if (next == IR_IPPROTO_FRAGMENT && (frag & 3) == 1)
			put16(h + 42, 8); /* offset 1, a later fragment */
		n += 8;
	}
	return n + put_l4(h + n, proto);
}

/* The IP version the field or the keys imply, 0 if neither. */
static uint64_t infer_l3(const struct ir_keys *k, enum ir_field_id f)
{
	static const enum ir_field_id v4[] = { IR_F_IP4_IHL, IR_F_IP4_SRC,
					       IR_F_IP4_DST };
	static const enum ir_field_id v6[] = { IR_F_IP6_SRC, IR_F_IP6_DST,
					       IR_F_IP6_NEXTHDR };

	for (size_t i = 0; i < 3; i++) {
		if (f == v4[i] || kp(k, v4[i]))
			return IR_ETH_P_IP;
		if (f == v6[i] || kp(k, v6[i]))
			return IR_ETH_P_IPV6;
	}
	return 0;
}

/* Build the frame; v6 < 0: from the keys, else forced. */
static void build(struct shape *s, const struct ir_keys *k,
		  enum ir_field_id f, int v6)
{
	uint64_t tags = 0, l3type;
	size_t off = IR_ETH_HLEN;

	memset(s, 0, sizeof(*s));
	if (kp(k, IR_F_NUM_VLANS)) {
		tags = ku(k, IR_F_NUM_VLANS, 0);
	} else if (is_tpid(ku(k, IR_F_ETH_TYPE, 0))) {
		tags = 1 + is_tpid(ku(k, IR_F_VLAN_TYPE, 0));
	} else if (!kp(k, IR_F_ETH_TYPE) &&
		   (f == IR_F_VLAN_ID || f == IR_F_VLAN_PCP ||
		    f == IR_F_VLAN_TYPE)) {
		tags = 1;
	}
	if (tags > 15)
		tags = 15;
	if (v6 >= 0)
		l3type = v6 ? IR_ETH_P_IPV6 : IR_ETH_P_IP;
	else if (tags <= 1)
		l3type = ku(k, tags ? IR_F_VLAN_TYPE : IR_F_ETH_TYPE, 0);
	else
		l3type = 0;
	if (v6 < 0 && (!l3type || is_tpid(l3type)))
		l3type = infer_l3(k, f);
	put16(s->p + 12, tags ? ku(k, IR_F_ETH_TYPE, IR_ETH_P_8021Q) : l3type);
	if (tags && !is_tpid(ir_be16(s->p + 12)))
		put16(s->p + 12, IR_ETH_P_8021Q);
	for (uint64_t i = 0; i < tags; i++, off += 4)
		put16(s->p + off + 2, i + 1 < tags ? IR_ETH_P_8021Q : l3type);
	s->full = off;
	if (l3type == IR_ETH_P_IP) {
		s->l3off = off;
		s->full += put_ipv4(s, off, k, f);
	} else if (l3type == IR_ETH_P_IPV6) {
		s->l3off = off;
		s->v6 = true;
		s->full += put_ipv6(s, off, k, f);
	}
}

static bool present_at(enum ir_dissector d, struct shape *s, size_t len,
		       enum ir_field_id f)
{
	struct ir_keys out;

	if (s->l3off && len > s->l3off) {
		size_t l3len = len - s->l3off;

		if (s->v6)
			put16(s->p + s->l3off + 4, l3len > 40 ? l3len - 40 : 0);
		else
			put16(s->p + s->l3off + 2, l3len);
	}
	ir_dissect(d, s->p, len, NULL, &out);
	return out.present[f];
}

static uint32_t search(enum ir_dissector d, struct shape *s,
		       enum ir_field_id f)
{
	size_t lo = 0, hi = s->full;

	if (!present_at(d, s, hi, f))
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (present_at(d, s, mid, f))
			hi = mid;
		else
			lo = mid + 1;
	}
	return (uint32_t)lo;
}

uint32_t ir_dissect__min_len(enum ir_dissector d, const struct ir_keys *k,
			     enum ir_field_id f)
{
	const struct ir_field *fd = ir_field__get(f);
	struct shape s;
	uint32_t a, b;

	if (!fd || fd->layer == IR_LAYER_META)
		return 0;
	build(&s, k, f, -1);
	if (s.l3off || fd->layer == IR_LAYER_L2)
		return search(d, &s, f);
	/* The keys do not say which IP version: the smaller of both. */
	build(&s, k, f, 0);
	a = search(d, &s, f);
	build(&s, k, f, 1);
	b = search(d, &s, f);
	return !a ? b : !b ? a : a < b ? a : b;
}
