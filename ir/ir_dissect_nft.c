// SPDX-License-Identifier: Apache-2.0
/*
 * ir_dissect_nft.c - the nftables netdev ingress model. nft rules are
 * payload loads at offsets from the link, network or transport header plus
 * meta keys; a load past the end of the packet ends the rule ("no match"),
 * so an absent key never matches. What the model assumes the nft backend
 * emits for each field, and so what it reads:
 *
 * - eth.*: raw link-layer bytes 0-13. vlan.id/pcp/type: raw bytes 14-17,
 *   only when the outer ethertype is a VLAN TPID (nft's "vlan" expressions
 *   depend on "ether type vlan"). vlan.count: absent (nft has no tag
 *   counter).
 * - Network header fields need skb->protocol to be IPv4 or IPv6, which is
 *   the dependency nft adds for "ip ..." and "ip6 ..." in the netdev
 *   family. Before the netdev ingress hook the kernel moves the outer VLAN
 *   tag into the skb (__netif_receive_skb_core, skb_vlan_untag), so for a
 *   frame with one tag skb->protocol is the ethertype behind it and the
 *   network header starts after it: one tag still gives L3 keys (measured
 *   by the nft datapath test in testsuite/backends). Link-layer loads put
 *   the tag back (nft_payload_copy_vlan), so eth.type stays the outer
 *   TPID. A second tag stays in the data: no L3 keys. IPv4 fields and ip6.src/dst/nexthdr, tos (traffic class) and ttl
 *   (hop limit) are raw reads, each present when its bytes are there.
 *   ip.frag for IPv4 is computed from the raw frag_off field.
 * - ip.proto is "ip protocol" (raw) for IPv4 and "meta l4proto" for IPv6:
 *   the protocol after extension headers as nft_set_pktinfo_ipv6_validate
 *   finds it (ipv6_find_hdr with IP6_FH_F_AUTH: hop-by-hop, routing,
 *   destination options and fragment headers are skipped, AH ends the
 *   walk), present only when that validation succeeds; ip.frag for IPv6
 *   likewise.
 * - Transport fields need NFT_PKTINFO_L4PROTO (IPv4: version 4, ihl >= 5,
 *   tot_len within the packet and >= ihl * 4; IPv6 as above) and fragment
 *   offset 0: the first fragment of a datagram has its L4 header and nft
 *   reads it, later fragments give no transport keys. Ports are read for
 *   TCP, UDP, UDPLITE, SCTP and DCCP (the dependency "tcp dport" etc. add),
 *   tcp.flags for TCP, icmp.type/code for ICMP and ICMPv6, each when its
 *   bytes are there.
 * - meta.len is the frame length here; nft's "meta len" at netdev ingress
 *   is skb->len, which excludes the Ethernet header: the backend converts.
 */
#include <string.h>

#include "ir/ir_internal.h"

struct nft {
	const uint8_t *p;
	size_t len;
	struct ir_keys *k;
	size_t nh;      /* network header offset */
	bool l4;        /* NFT_PKTINFO_L4PROTO */
	uint8_t tprot;
	size_t thoff;
	uint16_t fragoff;
};

/* Raw load of n bytes at off into f (big-endian). */
static bool nft_load(struct nft *s, enum ir_field_id f, size_t off, size_t n)
{
	if (off > s->len || n > s->len - off)
		return false;
	ir_keys__set(s->k, f, s->p + off, n);
	return true;
}

static bool nft_has(const struct nft *s, size_t off, size_t n)
{
	return off <= s->len && n <= s->len - off;
}

static void nft_ipv4(struct nft *s)
{
	const uint8_t *h = s->p + s->nh;
	size_t l3len = s->len - s->nh;
	unsigned int ihl;
	uint16_t tot, frag;

	if (nft_has(s, s->nh, 1))
		ir_keys__set_u64(s->k, IR_F_IP4_IHL, h[0] & 0x0f);
	nft_load(s, IR_F_IP_TOS, s->nh + 1, 1);
	if (nft_has(s, s->nh + 6, 2)) {
		frag = ir_be16(h + 6);
		ir_keys__set_u64(s->k, IR_F_IP_FRAG,
				 (frag & 0x3fff ? 1u : 0u) |
				 ((frag & 0x3fff) && !(frag & 0x1fff) ? 2u : 0u));
	}
	nft_load(s, IR_F_IP_TTL, s->nh + 8, 1);
	nft_load(s, IR_F_IP_PROTO, s->nh + 9, 1);
	nft_load(s, IR_F_IP4_SRC, s->nh + 12, 4);
	nft_load(s, IR_F_IP4_DST, s->nh + 16, 4);

	/* __nft_set_pktinfo_ipv4_validate */
	if (!nft_has(s, s->nh, 20) || h[0] >> 4 != 4 || (h[0] & 0x0f) < 5)
		return;
	ihl = h[0] & 0x0f;
	tot = ir_be16(h + 2);
	if (l3len < tot || tot < ihl * 4)
		return;
	s->l4 = true;
	s->tprot = h[9];
	s->thoff = s->nh + ihl * 4;
	s->fragoff = ir_be16(h + 6) & 0x1fff;
}

static bool is_ext_hdr(uint8_t nh)
{
	return nh == IR_IPPROTO_HOPOPTS || nh == IR_IPPROTO_ROUTING ||
	       nh == IR_IPPROTO_FRAGMENT || nh == IR_IPPROTO_AH ||
	       nh == IR_IPPROTO_NONE || nh == IR_IPPROTO_DSTOPTS;
}

/* ipv6_find_hdr(skb, &thoff, -1, &fragoff, IP6_FH_F_AUTH); false on
 * error. Sets *frag when a fragment header was seen. */
static bool nft_find_hdr(struct nft *s, uint8_t *proto, size_t *thoff,
			 uint16_t *fragoff, bool *frag)
{
	size_t start = s->nh + 40;
	uint8_t nexthdr = s->p[s->nh + 6];

	*fragoff = 0;
	*frag = false;
	for (;;) {
		const uint8_t *hp = s->p + start;
		size_t hdrlen;

		if (!is_ext_hdr(nexthdr) || nexthdr == IR_IPPROTO_NONE)
			break;
		if (!nft_has(s, start, 2))
			return false;
		if (nexthdr == IR_IPPROTO_ROUTING && !nft_has(s, start, 4))
			return false;
		if (nexthdr == IR_IPPROTO_FRAGMENT) {
			uint16_t off;

			*frag = true;
			if (!nft_has(s, start + 2, 2))
				return false;
			off = ir_be16(hp + 2) & ~7;
			if (off) {
				if (is_ext_hdr(hp[0]) && hp[0] != IR_IPPROTO_NONE)
					return false; /* -ENOENT */
				*fragoff = off;
				*proto = hp[0];
				*thoff = 0; /* not set by the kernel */
				return true;
			}
			hdrlen = 8;
		} else if (nexthdr == IR_IPPROTO_AH) {
			break; /* IP6_FH_F_AUTH: AH is the transport */
		} else {
			hdrlen = ((size_t)hp[1] + 1) * 8;
		}
		nexthdr = hp[0];
		start += hdrlen;
	}
	*proto = nexthdr;
	*thoff = start;
	return true;
}

static void nft_ipv6(struct nft *s)
{
	const uint8_t *h = s->p + s->nh;
	uint16_t fragoff;
	size_t thoff;
	uint8_t proto;
	bool frag;

	if (nft_has(s, s->nh, 2))
		ir_keys__set_u64(s->k, IR_F_IP_TOS,
				 (h[0] & 0x0f) << 4 | h[1] >> 4);
	nft_load(s, IR_F_IP6_NEXTHDR, s->nh + 6, 1);
	nft_load(s, IR_F_IP_TTL, s->nh + 7, 1);
	nft_load(s, IR_F_IP6_SRC, s->nh + 8, 16);
	nft_load(s, IR_F_IP6_DST, s->nh + 24, 16);

	/* nft_set_pktinfo_ipv6_validate */
	if (!nft_has(s, s->nh, 40) || h[0] >> 4 != 6 ||
	    (size_t)ir_be16(h + 4) + 40 > s->len - s->nh)
		return;
	if (!nft_find_hdr(s, &proto, &thoff, &fragoff, &frag) ||
	    thoff > 0xffff)
		return;
	s->l4 = true;
	s->tprot = proto;
	s->thoff = thoff;
	s->fragoff = fragoff;
	ir_keys__set_u64(s->k, IR_F_IP_PROTO, proto);
	ir_keys__set_u64(s->k, IR_F_IP_FRAG,
			 (frag ? 1u : 0u) | (frag && !fragoff ? 2u : 0u));
}

static void nft_transport(struct nft *s)
{
	size_t th = s->thoff;

	if (!s->l4 || s->fragoff)
		return;
	switch (s->tprot) {
	case IR_IPPROTO_TCP:
		if (nft_has(s, th + 12, 2))
			ir_keys__set_u64(s->k, IR_F_TCP_FLAGS,
					 ir_be16(s->p + th + 12) & 0x0fff);
		/* fall through */
	case IR_IPPROTO_UDP:
	case IR_IPPROTO_UDPLITE:
	case IR_IPPROTO_SCTP:
	case IR_IPPROTO_DCCP:
		nft_load(s, IR_F_L4_SPORT, th, 2);
		nft_load(s, IR_F_L4_DPORT, th + 2, 2);
		break;
	case IR_IPPROTO_ICMP:
	case IR_IPPROTO_ICMPV6:
		nft_load(s, IR_F_ICMP_TYPE, th, 1);
		nft_load(s, IR_F_ICMP_CODE, th + 1, 1);
		break;
	}
}

void ir_dissect__nft(const uint8_t *p, size_t len, struct ir_keys *k)
{
	struct nft s = { .p = p, .len = len, .k = k, .nh = IR_ETH_HLEN };
	uint16_t type;

	nft_load(&s, IR_F_ETH_DST, 0, 6);
	nft_load(&s, IR_F_ETH_SRC, 6, 6);
	if (!nft_load(&s, IR_F_ETH_TYPE, 12, 2))
		return;
	type = ir_be16(p + 12);
	switch (type) {
	case IR_ETH_P_8021Q:
	case IR_ETH_P_8021AD:
		if (nft_has(&s, 14, 2)) {
			ir_keys__set_u64(k, IR_F_VLAN_ID, ir_be16(p + 14) & 0xfff);
			ir_keys__set_u64(k, IR_F_VLAN_PCP, p[14] >> 5);
		}
		if (!nft_load(&s, IR_F_VLAN_TYPE, 16, 2))
			return;
		s.nh = IR_ETH_HLEN + 4; /* the outer tag is in the skb */
		type = ir_be16(p + 16);
		if (type == IR_ETH_P_IP)
			nft_ipv4(&s);
		else if (type == IR_ETH_P_IPV6)
			nft_ipv6(&s);
		else
			return;
		break;
	case IR_ETH_P_IP:
		nft_ipv4(&s);
		break;
	case IR_ETH_P_IPV6:
		nft_ipv6(&s);
		break;
	default:
		return;
	}
	nft_transport(&s);
}
