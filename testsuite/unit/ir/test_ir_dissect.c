// SPDX-License-Identifier: Apache-2.0
/*
 * test_ir_dissect.c - the dissector models on real frame bytes (tagged and
 * QinQ, IPv4 options, fragments, truncation at each header boundary, IPv6
 * extension headers, ICMP, tunnels, other ethertypes), the interpreter's
 * first-match and absent-key semantics per dissector, and min_len.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "testsuite/fl_check.h"

struct fb {
	uint8_t b[512];
	size_t n;
	size_t l3; /* offset of the last IP header, to fix lengths */
	bool v6;
};

static void put(struct fb *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put8(struct fb *f, unsigned int x)
{
	f->b[f->n++] = (uint8_t)x;
}

static void put16(struct fb *f, unsigned int x)
{
	put8(f, x >> 8);
	put8(f, x);
}

static void eth(struct fb *f, unsigned int type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	f->n = 0;
	put(f, macs, 12);
	put16(f, type);
}

static void vlan(struct fb *f, unsigned int tci, unsigned int next)
{
	put16(f, tci);
	put16(f, next);
}

/* IPv4 10.0.0.1 -> 10.0.0.2, tos 0x10, ttl 64; ihl words, options
 * zero-filled (NOPs would be 1s; the dissectors do not read them). */
static void ipv4(struct fb *f, unsigned int ihl, unsigned int frag,
		 unsigned int proto, unsigned int src_last)
{
	f->l3 = f->n;
	f->v6 = false;
	put8(f, 0x40 | ihl);
	put8(f, 0x10);
	put16(f, 0); /* tot_len: fixed by done() */
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put(f, (uint8_t[]){ 10, 0, 0, src_last }, 4);
	put(f, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	for (unsigned int i = 5; i < ihl; i++)
		put(f, (uint8_t[4]){ 0 }, 4);
}

/* IPv6 fd00::1 -> fd00::2, traffic class 0xb8, hop limit 7. */
static void ipv6(struct fb *f, unsigned int next, unsigned int src_last)
{
	uint8_t a[16] = { 0xfd };

	f->l3 = f->n;
	f->v6 = true;
	put16(f, 0x6b80);
	put16(f, 0);
	put16(f, 0); /* payload length: fixed by done() */
	put8(f, next);
	put8(f, 7);
	a[15] = (uint8_t)src_last;
	put(f, a, 16);
	a[15] = 2;
	put(f, a, 16);
}

static void ext6(struct fb *f, unsigned int next, unsigned int len8)
{
	put8(f, next);
	put8(f, len8);
	for (unsigned int i = 2; i < (len8 + 1) * 8; i++)
		put8(f, i == 2 ? 1 : 0); /* a PadN option, then pad */
}

static void frag6(struct fb *f, unsigned int next, unsigned int off,
		  bool mf)
{
	put8(f, next);
	put8(f, 0);
	put16(f, off << 3 | mf);
	put16(f, 0xabcd);
	put16(f, 0x0001);
}

static void tcp(struct fb *f, unsigned int sport, unsigned int dport,
		unsigned int flags)
{
	put16(f, sport);
	put16(f, dport);
	put(f, (uint8_t[8]){ 0, 0, 0, 1, 0, 0, 0, 0 }, 8);
	put16(f, 0x5000 | flags);
	put(f, (uint8_t[6]){ 0xff, 0xff }, 6);
}

static void udp(struct fb *f, unsigned int sport, unsigned int dport)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 8);
	put16(f, 0);
}

static void icmp(struct fb *f, unsigned int type, unsigned int code)
{
	put(f, (uint8_t[8]){ (uint8_t)type, (uint8_t)code, 0, 0, 0, 1, 0, 1 },
	    8);
}

/* Fix the last IP header's length to cover the rest of the frame. */
static void done(struct fb *f)
{
	size_t l = f->n - f->l3;

	if (!f->l3)
		return;
	if (f->v6)
		l -= 40;
	f->b[f->l3 + (f->v6 ? 4 : 2)] = (uint8_t)(l >> 8);
	f->b[f->l3 + (f->v6 ? 5 : 3)] = (uint8_t)l;
}

enum frame {
	FR_V4_TCP, FR_V4_VLAN_TCP, FR_V4_QINQ_TCP, FR_V4_OPTS_TCP,
	FR_V4_FIRST_FRAG, FR_V4_LATER_FRAG, FR_V4_ICMP, FR_V4_UDP, FR_ARP,
	FR_V6_TCP, FR_V6_HOP_TCP, FR_V6_HOP_FRAG1_TCP, FR_V6_DST_FRAGN_TCP,
	FR_V6_ICMP, FR_V4_IPIP_TCP, FR_V6_IN_V4, FR_V4_GRE_V4_UDP,
	FR_V4_BAD_IHL, FR_V4_ESP,
};

static void build(struct fb *f, enum frame fr)
{
	memset(f, 0, sizeof(*f));
	switch (fr) {
	case FR_V4_TCP:
		eth(f, 0x0800);
		ipv4(f, 5, 0, 6, 1);
		tcp(f, 1234, 80, 0x012);
		break;
	case FR_V4_VLAN_TCP:
		eth(f, 0x8100);
		vlan(f, 3 << 13 | 100, 0x0800);
		ipv4(f, 5, 0, 6, 1);
		tcp(f, 1234, 80, 0x002);
		break;
	case FR_V4_QINQ_TCP:
		eth(f, 0x88a8);
		vlan(f, 1 << 13 | 10, 0x8100);
		vlan(f, 20, 0x0800);
		ipv4(f, 5, 0, 6, 1);
		tcp(f, 1234, 80, 0x002);
		break;
	case FR_V4_OPTS_TCP:
		eth(f, 0x0800);
		ipv4(f, 7, 0, 6, 1);
		tcp(f, 1234, 443, 0x010);
		break;
	case FR_V4_FIRST_FRAG:
		eth(f, 0x0800);
		ipv4(f, 5, 0x2000, 6, 1);
		tcp(f, 1234, 80, 0x002);
		break;
	case FR_V4_LATER_FRAG:
		eth(f, 0x0800);
		ipv4(f, 5, 0x0010, 6, 1);
		tcp(f, 1234, 80, 0x002); /* payload that looks like TCP */
		break;
	case FR_V4_ICMP:
		eth(f, 0x0800);
		ipv4(f, 5, 0, 1, 1);
		icmp(f, 8, 0);
		break;
	case FR_V4_UDP:
		eth(f, 0x0800);
		ipv4(f, 5, 0x4000, 17, 1); /* DF is not a fragment */
		udp(f, 5353, 53);
		break;
	case FR_ARP:
		eth(f, 0x0806);
		put(f, (uint8_t[28]){ 0, 1, 8, 0, 6, 4, 0, 1 }, 28);
		break;
	case FR_V6_TCP:
		eth(f, 0x86dd);
		ipv6(f, 6, 1);
		tcp(f, 1234, 80, 0x002);
		break;
	case FR_V6_HOP_TCP:
		eth(f, 0x86dd);
		ipv6(f, 0, 1);
		ext6(f, 6, 0);
		tcp(f, 1234, 80, 0x002);
		break;
	case FR_V6_HOP_FRAG1_TCP:
		eth(f, 0x86dd);
		ipv6(f, 0, 1);
		ext6(f, 44, 1);
		frag6(f, 6, 0, true);
		tcp(f, 1234, 80, 0x002);
		break;
	case FR_V6_DST_FRAGN_TCP:
		eth(f, 0x86dd);
		ipv6(f, 60, 1);
		ext6(f, 44, 0);
		frag6(f, 6, 185, false);
		tcp(f, 1234, 80, 0x002);
		break;
	case FR_V6_ICMP:
		eth(f, 0x86dd);
		ipv6(f, 58, 1);
		icmp(f, 128, 0);
		break;
	case FR_V4_IPIP_TCP:
		eth(f, 0x0800);
		ipv4(f, 5, 0, 4, 1);
		done(f);
		ipv4(f, 5, 0, 6, 99);
		tcp(f, 1111, 2222, 0x002);
		break;
	case FR_V6_IN_V4:
		eth(f, 0x0800);
		ipv4(f, 5, 0, 41, 1);
		done(f);
		ipv6(f, 17, 9);
		udp(f, 1, 2);
		break;
	case FR_V4_GRE_V4_UDP:
		eth(f, 0x0800);
		ipv4(f, 5, 0, 47, 1);
		done(f);
		put16(f, 0x2000); /* key present */
		put16(f, 0x0800);
		put(f, (uint8_t[4]){ 0, 0, 0, 42 }, 4);
		ipv4(f, 5, 0, 17, 77);
		udp(f, 3333, 4444);
		break;
	case FR_V4_BAD_IHL:
		eth(f, 0x0800);
		ipv4(f, 5, 0, 6, 1);
		f->b[14] = 0x44;
		tcp(f, 1234, 80, 0x002);
		break;
	case FR_V4_ESP:
		eth(f, 0x0800);
		ipv4(f, 5, 0, 50, 1);
		put(f, (uint8_t[8]){ 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1 }, 8);
		break;
	}
	done(f);
}

#define A (-1) /* absent */
#define MAXE 16

static const struct dcase {
	const char *name;
	enum ir_dissector d;
	enum frame fr;
	size_t cut; /* 0: whole frame */
	struct {
		enum ir_field_id f;
		long long v;
	} e[MAXE];
} dcases[] = {
	/* flower */
	{ "flower v4 tcp", IR_DIS_FLOWER, FR_V4_TCP, 0,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_NUM_VLANS, 0 },
	    { IR_F_VLAN_ID, A }, { IR_F_IP_PROTO, 6 }, { IR_F_IP_TOS, 0x10 },
	    { IR_F_IP_TTL, 64 }, { IR_F_IP_FRAG, 0 }, { IR_F_IP4_IHL, 5 },
	    { IR_F_IP4_SRC, 0x0a000001 }, { IR_F_IP4_DST, 0x0a000002 },
	    { IR_F_L4_SPORT, 1234 }, { IR_F_L4_DPORT, 80 },
	    { IR_F_TCP_FLAGS, 0x012 }, { IR_F_ICMP_TYPE, A },
	    { IR_F_IP6_NEXTHDR, A }, { IR_F_META_LEN, 54 } } },
	{ "flower vlan", IR_DIS_FLOWER, FR_V4_VLAN_TCP, 0,
	  { { IR_F_ETH_TYPE, 0x8100 }, { IR_F_VLAN_ID, 100 },
	    { IR_F_VLAN_PCP, 3 }, { IR_F_VLAN_TYPE, 0x0800 },
	    { IR_F_NUM_VLANS, 1 }, { IR_F_IP4_SRC, 0x0a000001 },
	    { IR_F_L4_DPORT, 80 }, { IR_F_TCP_FLAGS, 0x002 } } },
	{ "flower qinq", IR_DIS_FLOWER, FR_V4_QINQ_TCP, 0,
	  { { IR_F_ETH_TYPE, 0x88a8 }, { IR_F_VLAN_ID, 10 },
	    { IR_F_VLAN_PCP, 1 }, { IR_F_VLAN_TYPE, 0x8100 },
	    { IR_F_NUM_VLANS, 2 }, { IR_F_IP_PROTO, 6 },
	    { IR_F_L4_DPORT, 80 } } },
	{ "flower ipv4 options", IR_DIS_FLOWER, FR_V4_OPTS_TCP, 0,
	  { { IR_F_IP4_IHL, 7 }, { IR_F_L4_SPORT, 1234 },
	    { IR_F_L4_DPORT, 443 }, { IR_F_TCP_FLAGS, 0x010 } } },
	{ "flower first fragment", IR_DIS_FLOWER, FR_V4_FIRST_FRAG, 0,
	  { { IR_F_IP_FRAG, 3 }, { IR_F_IP_PROTO, 6 },
	    { IR_F_IP4_SRC, 0x0a000001 }, { IR_F_L4_SPORT, A },
	    { IR_F_L4_DPORT, A }, { IR_F_TCP_FLAGS, A } } },
	{ "flower later fragment", IR_DIS_FLOWER, FR_V4_LATER_FRAG, 0,
	  { { IR_F_IP_FRAG, 1 }, { IR_F_IP_PROTO, 6 }, { IR_F_L4_DPORT, A },
	    { IR_F_TCP_FLAGS, A } } },
	{ "flower DF is no fragment", IR_DIS_FLOWER, FR_V4_UDP, 0,
	  { { IR_F_IP_FRAG, 0 }, { IR_F_IP_PROTO, 17 },
	    { IR_F_L4_SPORT, 5353 }, { IR_F_L4_DPORT, 53 },
	    { IR_F_TCP_FLAGS, A } } },
	{ "flower icmp", IR_DIS_FLOWER, FR_V4_ICMP, 0,
	  { { IR_F_IP_PROTO, 1 }, { IR_F_ICMP_TYPE, 8 }, { IR_F_ICMP_CODE, 0 },
	    { IR_F_L4_DPORT, A } } },
	{ "flower icmp 8 bytes", IR_DIS_FLOWER, FR_V4_ICMP, 42,
	  { { IR_F_ICMP_TYPE, 8 }, { IR_F_ICMP_CODE, 0 } } },
	/* struct icmphdr is read whole (6.1 measured in the guest) */
	{ "flower icmp 7 bytes", IR_DIS_FLOWER, FR_V4_ICMP, 41,
	  { { IR_F_ICMP_TYPE, A }, { IR_F_ICMP_CODE, A } } },
	{ "flower icmp 1 byte", IR_DIS_FLOWER, FR_V4_ICMP, 35,
	  { { IR_F_ICMP_TYPE, A }, { IR_F_ICMP_CODE, A } } },
	{ "flower arp", IR_DIS_FLOWER, FR_ARP, 0,
	  { { IR_F_ETH_TYPE, 0x0806 }, { IR_F_ETH_DST, 0x020000000001 },
	    { IR_F_ETH_SRC, 0x020000000002 }, { IR_F_IP_PROTO, A },
	    { IR_F_IP4_SRC, A }, { IR_F_L4_DPORT, A } } },
	{ "flower cut 13", IR_DIS_FLOWER, FR_V4_TCP, 13,
	  { { IR_F_ETH_DST, A }, { IR_F_ETH_TYPE, A }, { IR_F_IP_PROTO, A },
	    { IR_F_META_LEN, 13 } } },
	{ "flower cut 14", IR_DIS_FLOWER, FR_V4_TCP, 14,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_IP_PROTO, A },
	    { IR_F_IP4_SRC, A } } },
	{ "flower cut 33", IR_DIS_FLOWER, FR_V4_TCP, 33,
	  { { IR_F_IP4_SRC, A }, { IR_F_IP_TTL, A }, { IR_F_IP_FRAG, A } } },
	{ "flower cut 34", IR_DIS_FLOWER, FR_V4_TCP, 34,
	  { { IR_F_IP4_SRC, 0x0a000001 }, { IR_F_IP_PROTO, 6 },
	    { IR_F_L4_SPORT, A }, { IR_F_L4_DPORT, A } } },
	{ "flower cut 37", IR_DIS_FLOWER, FR_V4_TCP, 37,
	  { { IR_F_L4_SPORT, A }, { IR_F_L4_DPORT, A } } },
	{ "flower cut 38", IR_DIS_FLOWER, FR_V4_TCP, 38,
	  { { IR_F_L4_DPORT, 80 }, { IR_F_TCP_FLAGS, A } } },
	{ "flower cut 53", IR_DIS_FLOWER, FR_V4_TCP, 53,
	  { { IR_F_L4_DPORT, 80 }, { IR_F_TCP_FLAGS, A } } },
	{ "flower cut in vlan tag", IR_DIS_FLOWER, FR_V4_VLAN_TCP, 17,
	  { { IR_F_ETH_TYPE, 0x8100 }, { IR_F_VLAN_ID, A },
	    { IR_F_NUM_VLANS, 0 }, { IR_F_IP_PROTO, A } } },
	{ "flower cut in options", IR_DIS_FLOWER, FR_V4_OPTS_TCP, 40,
	  { { IR_F_IP4_IHL, 7 }, { IR_F_IP4_SRC, 0x0a000001 },
	    { IR_F_L4_DPORT, A } } },
	{ "flower v6 tcp", IR_DIS_FLOWER, FR_V6_TCP, 0,
	  { { IR_F_ETH_TYPE, 0x86dd }, { IR_F_IP6_NEXTHDR, 6 },
	    { IR_F_IP_PROTO, 6 }, { IR_F_IP_TOS, 0xb8 }, { IR_F_IP_TTL, 7 },
	    { IR_F_IP_FRAG, 0 }, { IR_F_IP4_SRC, A }, { IR_F_L4_DPORT, 80 },
	    { IR_F_TCP_FLAGS, 0x002 } } },
	{ "flower v6 hop-by-hop", IR_DIS_FLOWER, FR_V6_HOP_TCP, 0,
	  { { IR_F_IP6_NEXTHDR, 0 }, { IR_F_IP_PROTO, 6 },
	    { IR_F_L4_DPORT, 80 }, { IR_F_TCP_FLAGS, 0x002 } } },
	{ "flower v6 hop + first fragment", IR_DIS_FLOWER, FR_V6_HOP_FRAG1_TCP,
	  0,
	  { { IR_F_IP6_NEXTHDR, 0 }, { IR_F_IP_PROTO, 6 }, { IR_F_IP_FRAG, 3 },
	    { IR_F_L4_DPORT, A }, { IR_F_TCP_FLAGS, A } } },
	{ "flower v6 dstopts + later fragment", IR_DIS_FLOWER,
	  FR_V6_DST_FRAGN_TCP, 0,
	  { { IR_F_IP6_NEXTHDR, 60 }, { IR_F_IP_PROTO, 6 },
	    { IR_F_IP_FRAG, 1 }, { IR_F_L4_DPORT, A } } },
	{ "flower v6 cut in hop-by-hop", IR_DIS_FLOWER, FR_V6_HOP_TCP, 55,
	  { { IR_F_IP6_NEXTHDR, 0 }, { IR_F_IP_PROTO, 0 },
	    { IR_F_L4_DPORT, A } } },
	{ "flower v6 cut 53", IR_DIS_FLOWER, FR_V6_TCP, 53,
	  { { IR_F_IP6_NEXTHDR, A }, { IR_F_IP_PROTO, A },
	    { IR_F_ETH_TYPE, 0x86dd } } },
	{ "flower icmpv6", IR_DIS_FLOWER, FR_V6_ICMP, 0,
	  { { IR_F_IP_PROTO, 58 }, { IR_F_ICMP_TYPE, 128 },
	    { IR_F_ICMP_CODE, 0 } } },
	/* cls_flower stops before encapsulation: the outer header's keys */
	{ "flower ipip", IR_DIS_FLOWER, FR_V4_IPIP_TCP, 0,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_IP4_SRC, 0x0a000001 },
	    { IR_F_IP_PROTO, 4 }, { IR_F_L4_DPORT, A },
	    { IR_F_NUM_VLANS, 0 } } },
	{ "flower 6in4", IR_DIS_FLOWER, FR_V6_IN_V4, 0,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_IP4_SRC, 0x0a000001 },
	    { IR_F_IP6_NEXTHDR, A }, { IR_F_IP_PROTO, 41 },
	    { IR_F_L4_DPORT, A } } },
	{ "flower gre", IR_DIS_FLOWER, FR_V4_GRE_V4_UDP, 0,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_IP4_SRC, 0x0a000001 },
	    { IR_F_IP_PROTO, 47 }, { IR_F_L4_SPORT, A },
	    { IR_F_L4_DPORT, A } } },
	{ "flower ihl 4", IR_DIS_FLOWER, FR_V4_BAD_IHL, 0,
	  { { IR_F_IP4_SRC, A }, { IR_F_IP_PROTO, A }, { IR_F_L4_DPORT, A } } },
	{ "flower esp spi as ports", IR_DIS_FLOWER, FR_V4_ESP, 0,
	  { { IR_F_IP_PROTO, 50 }, { IR_F_L4_SPORT, 0xdead },
	    { IR_F_L4_DPORT, 0xbeef } } },
	/* nft */
	{ "nft v4 tcp", IR_DIS_NFT, FR_V4_TCP, 0,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_NUM_VLANS, A },
	    { IR_F_VLAN_ID, A }, { IR_F_IP_PROTO, 6 }, { IR_F_IP_TOS, 0x10 },
	    { IR_F_IP_TTL, 64 }, { IR_F_IP_FRAG, 0 }, { IR_F_IP4_IHL, 5 },
	    { IR_F_IP4_SRC, 0x0a000001 }, { IR_F_L4_SPORT, 1234 },
	    { IR_F_L4_DPORT, 80 }, { IR_F_TCP_FLAGS, 0x012 },
	    { IR_F_ICMP_TYPE, A }, { IR_F_META_LEN, 54 } } },
	/* The kernel moves the outer tag into the skb before the netdev
	 * hook: nft sees IP behind one tag (test_be_nft_datapath). */
	{ "nft vlan: l3 behind one tag", IR_DIS_NFT, FR_V4_VLAN_TCP, 0,
	  { { IR_F_ETH_TYPE, 0x8100 }, { IR_F_VLAN_ID, 100 },
	    { IR_F_VLAN_PCP, 3 }, { IR_F_VLAN_TYPE, 0x0800 },
	    { IR_F_IP4_SRC, 0x0a000001 }, { IR_F_IP_PROTO, 6 },
	    { IR_F_L4_DPORT, 80 }, { IR_F_NUM_VLANS, A } } },
	{ "nft first fragment has l4", IR_DIS_NFT, FR_V4_FIRST_FRAG, 0,
	  { { IR_F_IP_FRAG, 3 }, { IR_F_L4_DPORT, 80 },
	    { IR_F_TCP_FLAGS, 0x002 } } },
	{ "nft later fragment", IR_DIS_NFT, FR_V4_LATER_FRAG, 0,
	  { { IR_F_IP_FRAG, 1 }, { IR_F_IP_PROTO, 6 }, { IR_F_L4_DPORT, A },
	    { IR_F_TCP_FLAGS, A } } },
	{ "nft options", IR_DIS_NFT, FR_V4_OPTS_TCP, 0,
	  { { IR_F_IP4_IHL, 7 }, { IR_F_L4_DPORT, 443 } } },
	{ "nft truncated: tot_len too long", IR_DIS_NFT, FR_V4_TCP, 40,
	  { { IR_F_IP4_DST, 0x0a000002 }, { IR_F_IP_PROTO, 6 },
	    { IR_F_L4_DPORT, A } } },
	{ "nft raw reads", IR_DIS_NFT, FR_V4_TCP, 24,
	  { { IR_F_IP_PROTO, 6 }, { IR_F_IP_TTL, 64 }, { IR_F_IP4_SRC, A } } },
	{ "nft bad ihl: raw only", IR_DIS_NFT, FR_V4_BAD_IHL, 0,
	  { { IR_F_IP4_IHL, 4 }, { IR_F_IP4_SRC, 0x0a000001 },
	    { IR_F_L4_DPORT, A } } },
	{ "nft udp ports", IR_DIS_NFT, FR_V4_UDP, 0,
	  { { IR_F_L4_SPORT, 5353 }, { IR_F_TCP_FLAGS, A } } },
	{ "nft icmp", IR_DIS_NFT, FR_V4_ICMP, 0,
	  { { IR_F_ICMP_TYPE, 8 }, { IR_F_ICMP_CODE, 0 },
	    { IR_F_L4_DPORT, A } } },
	{ "nft esp: no ports", IR_DIS_NFT, FR_V4_ESP, 0,
	  { { IR_F_IP_PROTO, 50 }, { IR_F_L4_SPORT, A } } },
	{ "nft v6 hop-by-hop", IR_DIS_NFT, FR_V6_HOP_TCP, 0,
	  { { IR_F_IP6_NEXTHDR, 0 }, { IR_F_IP_PROTO, 6 },
	    { IR_F_IP_TOS, 0xb8 }, { IR_F_IP_TTL, 7 }, { IR_F_IP_FRAG, 0 },
	    { IR_F_L4_DPORT, 80 } } },
	{ "nft v6 first fragment", IR_DIS_NFT, FR_V6_HOP_FRAG1_TCP, 0,
	  { { IR_F_IP_PROTO, 6 }, { IR_F_IP_FRAG, 3 },
	    { IR_F_L4_DPORT, 80 } } },
	{ "nft v6 later fragment", IR_DIS_NFT, FR_V6_DST_FRAGN_TCP, 0,
	  { { IR_F_IP_PROTO, 6 }, { IR_F_IP_FRAG, 1 }, { IR_F_L4_DPORT, A } } },
	{ "nft v6 truncated: no l4proto", IR_DIS_NFT, FR_V6_HOP_TCP, 70,
	  { { IR_F_IP6_NEXTHDR, 0 }, { IR_F_IP6_SRC, 0xfd00000000000000 }, { IR_F_IP_PROTO, A },
	    { IR_F_L4_DPORT, A } } },
	{ "nft icmpv6", IR_DIS_NFT, FR_V6_ICMP, 0,
	  { { IR_F_IP_PROTO, 58 }, { IR_F_ICMP_TYPE, 128 } } },
	{ "nft arp", IR_DIS_NFT, FR_ARP, 0,
	  { { IR_F_ETH_TYPE, 0x0806 }, { IR_F_IP_PROTO, A } } },
	{ "nft cut 11", IR_DIS_NFT, FR_V4_TCP, 11,
	  { { IR_F_ETH_DST, 0x020000000001 }, { IR_F_ETH_SRC, A },
	    { IR_F_ETH_TYPE, A } } },
	/* rte_flow */
	{ "rte v4 tcp", IR_DIS_RTEFLOW, FR_V4_TCP, 0,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_NUM_VLANS, 0 },
	    { IR_F_IP_PROTO, 6 }, { IR_F_IP4_SRC, 0x0a000001 },
	    { IR_F_L4_DPORT, 80 }, { IR_F_TCP_FLAGS, 0x012 } } },
	{ "rte qinq", IR_DIS_RTEFLOW, FR_V4_QINQ_TCP, 0,
	  { { IR_F_ETH_TYPE, 0x88a8 }, { IR_F_VLAN_ID, 10 },
	    { IR_F_VLAN_TYPE, 0x8100 }, { IR_F_NUM_VLANS, 2 },
	    { IR_F_L4_DPORT, 80 } } },
	{ "rte options", IR_DIS_RTEFLOW, FR_V4_OPTS_TCP, 0,
	  { { IR_F_IP4_IHL, 7 }, { IR_F_L4_DPORT, 443 } } },
	{ "rte cut in options", IR_DIS_RTEFLOW, FR_V4_OPTS_TCP, 40,
	  { { IR_F_IP4_SRC, A }, { IR_F_IP_PROTO, A } } },
	{ "rte first fragment", IR_DIS_RTEFLOW, FR_V4_FIRST_FRAG, 0,
	  { { IR_F_IP_FRAG, 3 }, { IR_F_L4_DPORT, A } } },
	{ "rte udp needs 8 bytes", IR_DIS_RTEFLOW, FR_V4_UDP, 41,
	  { { IR_F_IP_PROTO, 17 }, { IR_F_L4_DPORT, A } } },
	{ "rte v6 ext headers not skipped", IR_DIS_RTEFLOW, FR_V6_HOP_TCP, 0,
	  { { IR_F_IP6_NEXTHDR, 0 }, { IR_F_IP_PROTO, 0 },
	    { IR_F_L4_DPORT, A } } },
	{ "rte v6 tcp", IR_DIS_RTEFLOW, FR_V6_TCP, 0,
	  { { IR_F_IP_PROTO, 6 }, { IR_F_L4_DPORT, 80 } } },
	{ "rte ipip not decapsulated", IR_DIS_RTEFLOW, FR_V4_IPIP_TCP, 0,
	  { { IR_F_IP4_SRC, 0x0a000001 }, { IR_F_IP_PROTO, 4 },
	    { IR_F_L4_DPORT, A } } },
	{ "rte icmpv6", IR_DIS_RTEFLOW, FR_V6_ICMP, 0,
	  { { IR_F_ICMP_TYPE, 128 } } },
};

START_TEST(test_dissect)
{
	const struct dcase *c = &dcases[_i];
	struct ir_meta meta = { .ifindex = 3, .mark = 0x2a };
	struct ir_keys k;
	struct fb f;

	build(&f, c->fr);
	ir_dissect(c->d, f.b, c->cut ? c->cut : f.n, &meta, &k);
	ck_assert(k.present[IR_F_META_IFINDEX]);
	ck_assert_uint_eq(ir_val__u64(&k.v[IR_F_META_IFINDEX],
				      IR_F_META_IFINDEX), 3);
	ck_assert_uint_eq(ir_val__u64(&k.v[IR_F_META_MARK], IR_F_META_MARK),
			  0x2a);
	for (int i = 0; i < MAXE && (i == 0 || c->e[i].f); i++) {
		enum ir_field_id fid = c->e[i].f;
		const char *name = ir_field__get(fid)->name;

		if (c->e[i].v == A) {
			ck_assert_msg(!k.present[fid], "%s: %s present",
				      c->name, name);
			for (size_t j = 0; j < IR_VAL_MAX; j++)
				ck_assert_msg(!k.v[fid].b[j],
					      "%s: absent %s not zero",
					      c->name, name);
			continue;
		}
		ck_assert_msg(k.present[fid], "%s: %s absent", c->name, name);
		ck_assert_msg(ir_val__u64(&k.v[fid], fid) ==
				      (uint64_t)c->e[i].v,
			      "%s: %s = 0x%llx, want 0x%llx", c->name, name,
			      (unsigned long long)ir_val__u64(&k.v[fid], fid),
			      (unsigned long long)c->e[i].v);
	}
}
END_TEST

/* No dissector reads past the end, whatever the cut (valgrind/ASan). */
START_TEST(test_dissect_every_cut)
{
	for (int fr = FR_V4_TCP; fr <= FR_V4_ESP; fr++) {
		struct fb f;

		build(&f, fr);
		for (size_t cut = 0; cut <= f.n; cut++) {
			for (int d = IR_DIS_FLOWER; d <= IR_DIS_RTEFLOW; d++) {
				uint8_t *copy = malloc(cut ? cut : 1);
				struct ir_keys k;

				memcpy(copy, f.b, cut);
				ir_dissect(d, copy, cut, NULL, &k);
				free(copy);
				ck_assert_uint_eq(ir_val__u64(&k.v[IR_F_META_LEN],
							      IR_F_META_LEN),
						  cut);
			}
		}
	}
}
END_TEST

static struct ir_ruleset *rules(const char *text)
{
	char err[256] = "";
	struct ir_ruleset *rs = ir_ruleset__parse_str(text, err, sizeof(err));

	ck_assert_msg(rs != NULL, "%s", err);
	return rs;
}

static const struct {
	const char *name;
	enum ir_dissector d;
	enum frame fr;
	size_t cut;
	int want_prio; /* -1: slow path */
} ecases[] = {
	{ "dport 80 tcp", IR_DIS_FLOWER, FR_V4_TCP, 0, 1 },
	{ "later frag reads dport 0 (flower)", IR_DIS_FLOWER, FR_V4_LATER_FRAG,
	  0, 2 },
	{ "later frag: absent never matches (nft)", IR_DIS_NFT,
	  FR_V4_LATER_FRAG, 0, 4 },
	{ "later frag: absent never matches (rte)", IR_DIS_RTEFLOW,
	  FR_V4_LATER_FRAG, 0, 4 },
	{ "first frag has dport in nft", IR_DIS_NFT, FR_V4_FIRST_FRAG, 0, 1 },
	{ "first frag has none in flower", IR_DIS_FLOWER, FR_V4_FIRST_FRAG, 0,
	  2 },
	{ "range", IR_DIS_FLOWER, FR_V4_OPTS_TCP, 0, 3 },
	{ "arp: flower reads proto 0", IR_DIS_FLOWER, FR_ARP, 0, 2 },
	{ "arp: nft has no proto", IR_DIS_NFT, FR_ARP, 0, 6 },
	{ "vlan frame: flower has l4", IR_DIS_FLOWER, FR_V4_VLAN_TCP, 0, 1 },
	{ "vlan frame: nft has l4 behind one tag", IR_DIS_NFT, FR_V4_VLAN_TCP,
	  0, 1 },
	{ "icmp", IR_DIS_NFT, FR_V4_ICMP, 0, 4 },
	{ "v6: no ip4.src", IR_DIS_NFT, FR_V6_ICMP, 0, 6 },
};

static const char eval_rules[] =
	"# flowlift-ir 1\n"
	"prio 1 ip.proto=6 l4.dport=80 -> drop\n"
	"prio 2 l4.dport=0 -> pass\n"
	"prio 3 l4.dport=400-500 -> tx\n"
	"prio 4 eth.type=0x0800 ip4.src=10.0.0.1 -> redirect(5,egress)\n"
	"prio 5 eth.type=0x8100 -> drop\n"
	"prio 6 any -> slowpath\n";

START_TEST(test_eval)
{
	struct ir_ruleset *rs = rules(eval_rules);
	const struct ir_rule *r;
	struct ir_keys k;
	struct fb f;

	build(&f, ecases[_i].fr);
	ir_dissect(ecases[_i].d, f.b, ecases[_i].cut ? ecases[_i].cut : f.n,
		   NULL, &k);
	r = ir_ruleset__eval(rs, ecases[_i].d, &k);
	ck_assert_ptr_nonnull(r);
	ck_assert_msg((int)r->prio == ecases[_i].want_prio, "%s: prio %u",
		      ecases[_i].name, r->prio);
	ir_ruleset__free(rs);
}
END_TEST

START_TEST(test_eval_first_match_and_empty)
{
	struct ir_ruleset *rs = rules("# flowlift-ir 1\n"
				      "prio 1 ip.proto=17 -> drop\n"
				      "prio 7 ip.proto=6 -> pass @path=1\n"
				      "prio 7 l4.dport=80 -> tx @path=2\n");
	struct ir_ruleset *empty = rules("# flowlift-ir 1\n");
	struct ir_rule any;
	const struct ir_rule *r;
	struct ir_keys k;
	struct fb f;

	build(&f, FR_V4_TCP);
	ir_dissect(IR_DIS_FLOWER, f.b, f.n, NULL, &k);
	r = ir_ruleset__eval(rs, IR_DIS_FLOWER, &k);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->prov.path, 1);
	ck_assert(ir_rule__matches(ir_ruleset__rule_c(rs, 2), IR_DIS_NFT, &k));
	ck_assert(!ir_rule__matches(ir_ruleset__rule_c(rs, 0), IR_DIS_NFT, &k));
	ck_assert_ptr_null(ir_ruleset__eval(empty, IR_DIS_FLOWER, &k));
	ir_rule__init(&any);
	memset(&k, 0, sizeof(k));
	for (int d = IR_DIS_FLOWER; d <= IR_DIS_RTEFLOW; d++)
		ck_assert(ir_rule__matches(&any, d, &k));
	ir_ruleset__free(rs);
	ir_ruleset__free(empty);
}
END_TEST

static const struct {
	const char *name;
	enum ir_dissector d;
	enum ir_field_id f;
	struct {
		enum ir_field_id f;
		uint64_t v;
	} k[4];
	uint32_t want;
} mcases[] = {
	{ "flower dport", IR_DIS_FLOWER, IR_F_L4_DPORT,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_IP_PROTO, 6 } }, 38 },
	{ "flower dport tagged", IR_DIS_FLOWER, IR_F_L4_DPORT,
	  { { IR_F_ETH_TYPE, 0x8100 }, { IR_F_VLAN_TYPE, 0x0800 },
	    { IR_F_IP_PROTO, 17 } }, 42 },
	{ "flower dport ihl 6", IR_DIS_FLOWER, IR_F_L4_DPORT,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_IP_PROTO, 6 },
	    { IR_F_IP4_IHL, 6 } }, 42 },
	{ "flower tcp flags", IR_DIS_FLOWER, IR_F_TCP_FLAGS,
	  { { IR_F_ETH_TYPE, 0x0800 } }, 54 },
	{ "flower ip4.src", IR_DIS_FLOWER, IR_F_IP4_SRC,
	  { { IR_F_ETH_TYPE, 0x0800 } }, 34 },
	{ "flower icmp", IR_DIS_FLOWER, IR_F_ICMP_TYPE,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_IP_PROTO, 1 } }, 42 },
	{ "flower fragment: no dport", IR_DIS_FLOWER, IR_F_L4_DPORT,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_IP_PROTO, 6 },
	    { IR_F_IP_FRAG, 3 } }, 0 },
	{ "flower icmp: no dport", IR_DIS_FLOWER, IR_F_L4_DPORT,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_IP_PROTO, 1 } }, 0 },
	{ "flower v6 dport", IR_DIS_FLOWER, IR_F_L4_DPORT,
	  { { IR_F_ETH_TYPE, 0x86dd }, { IR_F_IP_PROTO, 6 } }, 58 },
	{ "flower v6 ext dport", IR_DIS_FLOWER, IR_F_L4_DPORT,
	  { { IR_F_ETH_TYPE, 0x86dd }, { IR_F_IP_PROTO, 6 },
	    { IR_F_IP6_NEXTHDR, 0 } }, 66 },
	{ "flower either version", IR_DIS_FLOWER, IR_F_L4_DPORT,
	  { { IR_F_IP_PROTO, 6 } }, 38 },
	{ "flower eth.dst", IR_DIS_FLOWER, IR_F_ETH_DST, { { 0 } }, 14 },
	{ "flower vlan.id", IR_DIS_FLOWER, IR_F_VLAN_ID, { { 0 } }, 18 },
	{ "flower vlan.id untagged", IR_DIS_FLOWER, IR_F_VLAN_ID,
	  { { IR_F_ETH_TYPE, 0x0800 } }, 0 },
	{ "nft dport", IR_DIS_NFT, IR_F_L4_DPORT,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_IP_PROTO, 6 } }, 38 },
	{ "nft first fragment dport", IR_DIS_NFT, IR_F_L4_DPORT,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_IP_PROTO, 6 },
	    { IR_F_IP_FRAG, 3 } }, 38 },
	{ "nft ip4.src", IR_DIS_NFT, IR_F_IP4_SRC,
	  { { IR_F_ETH_TYPE, 0x0800 } }, 30 },
	{ "nft eth.dst", IR_DIS_NFT, IR_F_ETH_DST, { { 0 } }, 6 },
	{ "nft vlan.id", IR_DIS_NFT, IR_F_VLAN_ID,
	  { { IR_F_ETH_TYPE, 0x8100 } }, 16 },
	{ "nft tagged ip4.src", IR_DIS_NFT, IR_F_IP4_SRC,
	  { { IR_F_ETH_TYPE, 0x8100 }, { IR_F_VLAN_TYPE, 0x0800 } }, 34 },
	{ "nft v6 proto", IR_DIS_NFT, IR_F_IP_PROTO,
	  { { IR_F_ETH_TYPE, 0x86dd }, { IR_F_IP_PROTO, 17 } }, 54 },
	{ "rte udp dport", IR_DIS_RTEFLOW, IR_F_L4_DPORT,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_IP_PROTO, 17 } }, 42 },
	{ "rte ihl 15", IR_DIS_RTEFLOW, IR_F_IP4_SRC,
	  { { IR_F_ETH_TYPE, 0x0800 }, { IR_F_IP4_IHL, 15 } }, 74 },
	{ "meta", IR_DIS_FLOWER, IR_F_META_MARK, { { 0 } }, 0 },
};

START_TEST(test_min_len)
{
	struct ir_keys k;
	uint32_t got;

	memset(&k, 0, sizeof(k));
	for (int i = 0; i < 4 && mcases[_i].k[i].f; i++) {
		ir_val__from_u64(&k.v[mcases[_i].k[i].f], mcases[_i].k[i].f,
				 mcases[_i].k[i].v);
		k.present[mcases[_i].k[i].f] = true;
	}
	got = ir_dissect__min_len(mcases[_i].d, &k, mcases[_i].f);
	ck_assert_msg(got == mcases[_i].want, "%s: %u, want %u",
		      mcases[_i].name, got, mcases[_i].want);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ir_dissect");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_dissect, 0,
			    sizeof(dcases) / sizeof(dcases[0]));
	tcase_add_test(tc, test_dissect_every_cut);
	tcase_add_loop_test(tc, test_eval, 0,
			    sizeof(ecases) / sizeof(ecases[0]));
	tcase_add_test(tc, test_eval_first_match_and_empty);
	tcase_add_loop_test(tc, test_min_len, 0,
			    sizeof(mcases) / sizeof(mcases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fl_check_run(suite());
}
