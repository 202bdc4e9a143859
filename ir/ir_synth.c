// SPDX-License-Identifier: Apache-2.0
/*
 * ir_synth.c - the inverse of the dissector: build a wire frame whose keys,
 * as target d parses them, are the ones asked for. diff uses it to turn a
 * point of a difference region into a witness packet a developer can send;
 * every frame it returns has been dissected again and checked, so a witness
 * is never a frame the target would see differently.
 */
#include <errno.h>
#include <string.h>

#include "ir/ir_internal.h"

struct synth {
	const struct ir_keys *k;
	uint8_t *p;
	size_t cap, len;
};

static bool has(const struct synth *s, enum ir_field_id f)
{
	return s->k->present[f];
}

static uint64_t get(const struct synth *s, enum ir_field_id f, uint64_t dflt)
{
	return has(s, f) ? ir_val__u64(&s->k->v[f], f) : dflt;
}

static uint8_t *put(struct synth *s, size_t n)
{
	uint8_t *at;

	if (s->len + n > s->cap)
		return NULL;
	at = s->p + s->len;
	memset(at, 0, n);
	s->len += n;
	return at;
}

static void be16(uint8_t *p, uint64_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static bool any_of(const struct synth *s, const enum ir_field_id *fs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (has(s, fs[i]))
			return true;
	return false;
}

/* The L3 ethertype the keys call for, when eth.type leaves it open. */
static uint16_t pick_l3(const struct synth *s)
{
	static const enum ir_field_id v6[] = { IR_F_IP6_SRC, IR_F_IP6_DST,
					       IR_F_IP6_NEXTHDR };
	uint64_t proto = get(s, IR_F_IP_PROTO, 0);

	if (any_of(s, v6, 3) || proto == IR_IPPROTO_ICMPV6)
		return IR_ETH_P_IPV6;
	return IR_ETH_P_IP;
}

static uint8_t pick_proto(const struct synth *s, bool v6)
{
	static const enum ir_field_id l4[] = { IR_F_L4_SPORT, IR_F_L4_DPORT };

	if (has(s, IR_F_IP_PROTO))
		return (uint8_t)get(s, IR_F_IP_PROTO, 0);
	if (has(s, IR_F_TCP_FLAGS))
		return IR_IPPROTO_TCP;
	if (has(s, IR_F_ICMP_TYPE) || has(s, IR_F_ICMP_CODE))
		return v6 ? IR_IPPROTO_ICMPV6 : IR_IPPROTO_ICMP;
	return any_of(s, l4, 2) ? IR_IPPROTO_TCP : IR_IPPROTO_UDP;
}

static int synth_l4(struct synth *s, uint8_t proto)
{
	uint8_t *h;

	switch (proto) {
	case IR_IPPROTO_TCP:
		h = put(s, 20);
		if (!h)
			return -ENOSPC;
		be16(h, get(s, IR_F_L4_SPORT, 40000));
		be16(h + 2, get(s, IR_F_L4_DPORT, 80));
		be16(h + 12, 0x5000 | (get(s, IR_F_TCP_FLAGS, 0x002) & 0xfff));
		be16(h + 14, 0xffff);
		return 0;
	case IR_IPPROTO_UDP:
	case IR_IPPROTO_UDPLITE:
	case IR_IPPROTO_SCTP:
		h = put(s, proto == IR_IPPROTO_SCTP ? 12 : 8);
		if (!h)
			return -ENOSPC;
		be16(h, get(s, IR_F_L4_SPORT, 40000));
		be16(h + 2, get(s, IR_F_L4_DPORT, 53));
		if (proto != IR_IPPROTO_SCTP)
			be16(h + 4, 8);
		return 0;
	case IR_IPPROTO_ICMP:
	case IR_IPPROTO_ICMPV6:
		h = put(s, 8);
		if (!h)
			return -ENOSPC;
		h[0] = (uint8_t)get(s, IR_F_ICMP_TYPE,
				    proto == IR_IPPROTO_ICMP ? 8 : 128);
		h[1] = (uint8_t)get(s, IR_F_ICMP_CODE, 0);
		return 0;
	default:
		return 0; /* no L4 header to speak of */
	}
}

static uint16_t csum16(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += ir_be16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int synth_ip4(struct synth *s)
{
	unsigned int ihl = (unsigned int)get(s, IR_F_IP4_IHL, 5);
	uint64_t frag = get(s, IR_F_IP_FRAG, 0);
	uint8_t proto = pick_proto(s, false);
	size_t off = s->len;
	uint8_t *h;
	int err;

	if (ihl < 5)
		return -EOPNOTSUPP;
	h = put(s, ihl * 4);
	if (!h)
		return -ENOSPC;
	h[0] = (uint8_t)(0x40 | ihl);
	h[1] = (uint8_t)get(s, IR_F_IP_TOS, 0);
	be16(h + 4, 0x1234);
	if (frag & 1) /* first fragment: MF; later one: an offset */
		be16(h + 6, frag & 2 ? 0x2000 : 0x0001);
	h[8] = (uint8_t)get(s, IR_F_IP_TTL, 64);
	h[9] = proto;
	if (has(s, IR_F_IP4_SRC))
		memcpy(h + 12, s->k->v[IR_F_IP4_SRC].b, 4);
	else
		memcpy(h + 12, "\xc0\x00\x02\x01", 4);
	if (has(s, IR_F_IP4_DST))
		memcpy(h + 16, s->k->v[IR_F_IP4_DST].b, 4);
	else
		memcpy(h + 16, "\xc0\x00\x02\x02", 4);
	for (unsigned int i = 20; i < ihl * 4; i++)
		h[i] = 1; /* NOP options */
	err = (frag & 3) == 1 ? 0 : synth_l4(s, proto);
	if (err)
		return err;
	h = s->p + off;
	be16(h + 2, s->len - off);
	be16(h + 10, csum16(h, ihl * 4));
	return 0;
}

static int synth_ip6(struct synth *s)
{
	uint8_t proto = pick_proto(s, true);
	uint8_t first = (uint8_t)get(s, IR_F_IP6_NEXTHDR, proto);
	unsigned int tc = (unsigned int)get(s, IR_F_IP_TOS, 0);
	size_t off = s->len;
	uint8_t *h;
	int err;

	h = put(s, 40);
	if (!h)
		return -ENOSPC;
	h[0] = (uint8_t)(0x60 | tc >> 4);
	h[1] = (uint8_t)(tc << 4);
	h[6] = first;
	h[7] = (uint8_t)get(s, IR_F_IP_TTL, 64);
	if (has(s, IR_F_IP6_SRC))
		memcpy(h + 8, s->k->v[IR_F_IP6_SRC].b, 16);
	else
		h[8] = 0xfd, h[23] = 1;
	if (has(s, IR_F_IP6_DST))
		memcpy(h + 24, s->k->v[IR_F_IP6_DST].b, 16);
	else
		h[24] = 0xfd, h[39] = 2;
	if (first != proto) {
		uint8_t *x;

		/* One extension header the dissectors step over. */
		if (first != IR_IPPROTO_HOPOPTS && first != IR_IPPROTO_ROUTING &&
		    first != IR_IPPROTO_DSTOPTS)
			return -EOPNOTSUPP;
		x = put(s, 8);
		if (!x)
			return -ENOSPC;
		x[0] = proto;
		if (first == IR_IPPROTO_ROUTING)
			x[2] = 0; /* routing type 0, segments left 0 */
		else
			x[2] = 1; /* PadN */
		x[3] = first == IR_IPPROTO_ROUTING ? 0 : 4;
	}
	err = synth_l4(s, proto);
	if (err)
		return err;
	be16(s->p + off + 4, s->len - off - 40);
	return 0;
}

static int synth_l2(struct synth *s, uint16_t *l3)
{
	uint64_t et = get(s, IR_F_ETH_TYPE, 0);
	uint64_t tags = get(s, IR_F_NUM_VLANS, 0);
	uint8_t *h = put(s, 12);

	if (!h)
		return -ENOSPC;
	if (has(s, IR_F_ETH_DST))
		memcpy(h, s->k->v[IR_F_ETH_DST].b, 6);
	else
		memcpy(h, "\x02\x00\x00\x00\x00\x02", 6);
	if (has(s, IR_F_ETH_SRC))
		memcpy(h + 6, s->k->v[IR_F_ETH_SRC].b, 6);
	else
		memcpy(h + 6, "\x02\x00\x00\x00\x00\x01", 6);
	if (!has(s, IR_F_ETH_TYPE) &&
	    (has(s, IR_F_VLAN_ID) || has(s, IR_F_VLAN_PCP) ||
	     has(s, IR_F_VLAN_TYPE) || tags))
		et = IR_ETH_P_8021Q;
	if (et == IR_ETH_P_8021Q || et == IR_ETH_P_8021AD) {
		uint64_t inner = get(s, IR_F_VLAN_TYPE, 0);

		if (has(s, IR_F_NUM_VLANS) && tags != 1 && tags != 2)
			return -EOPNOTSUPP;
		h = put(s, 4);
		if (!h)
			return -ENOSPC;
		be16(h, et);
		be16(h + 2, get(s, IR_F_VLAN_PCP, 0) << 13 |
				    get(s, IR_F_VLAN_ID, 100));
		if (tags == 2) {
			h = put(s, 4);
			if (!h)
				return -ENOSPC;
			be16(h, IR_ETH_P_8021Q);
			be16(h + 2, 200);
		}
		et = inner ? inner : pick_l3(s);
	} else if (!has(s, IR_F_ETH_TYPE)) {
		et = pick_l3(s);
	}
	h = put(s, 2);
	if (!h)
		return -ENOSPC;
	be16(h, et);
	*l3 = (uint16_t)et;
	return 0;
}

/* Every key asked for came out of the frame as asked. */
static bool frame_has_keys(const struct ir_keys *want, enum ir_dissector d,
			   const uint8_t *frame, size_t len)
{
	struct ir_meta meta = {
		.ifindex = (uint32_t)ir_val__u64(&want->v[IR_F_META_IFINDEX],
						 IR_F_META_IFINDEX),
		.mark = (uint32_t)ir_val__u64(&want->v[IR_F_META_MARK],
					      IR_F_META_MARK),
	};
	struct ir_keys got;

	ir_dissect(d, frame, len, &meta, &got);
	for (int f = 0; f < IR_F__COUNT; f++) {
		if (!want->present[f])
			continue;
		if (memcmp(&got.v[f], &want->v[f], sizeof(got.v[f])))
			return false;
		/* Under flower an absent key reads as zero, which is what
		 * was asked for; elsewhere it must really be there. */
		if (!got.present[f] && d != IR_DIS_FLOWER)
			return false;
	}
	return true;
}

int ir_keys__synth(const struct ir_keys *want, enum ir_dissector d,
		   uint8_t *frame, size_t cap)
{
	struct synth s = { .k = want, .p = frame, .cap = cap };
	uint16_t l3 = 0;
	int err;

	err = synth_l2(&s, &l3);
	if (!err && l3 == IR_ETH_P_IP)
		err = synth_ip4(&s);
	else if (!err && l3 == IR_ETH_P_IPV6)
		err = synth_ip6(&s);
	if (err)
		return err;
	if (has(&s, IR_F_META_LEN)) {
		uint64_t want_len = get(&s, IR_F_META_LEN, 0);

		if (want_len < s.len)
			return -EOPNOTSUPP;
		if (!put(&s, want_len - s.len))
			return -ENOSPC;
	}
	if (!frame_has_keys(want, d, frame, s.len))
		return -EOPNOTSUPP;
	return (int)s.len;
}
