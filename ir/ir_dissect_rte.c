// SPDX-License-Identifier: Apache-2.0
/*
 * ir_dissect_rte.c - the DPDK rte_flow model: a NIC parser as rte_flow
 * pattern items (eth / vlan / ipv4 / ipv6 / tcp / udp / sctp / icmp /
 * icmp6) see it. There is no rte_flow datapath to test against here, so
 * the choices are the conservative reading of the rte_flow documentation,
 * and a header that is missing makes every item on it fail: absent keys
 * never match.
 *
 * - eth needs the 14-byte header; eth.type is the outer ethertype (the TPID
 *   when tagged), as the eth item's "type" field matches it.
 * - vlan items: up to 15 tags are walked; vlan.{id,pcp,type} come from the
 *   outer tag (type = inner_type), vlan.count is the number of tags (the
 *   eth item's has_vlan / vlan item's has_more_vlan express 0 vs more).
 * - ipv4 needs version 4, ihl >= 5 and the whole ihl * 4 header; L4 starts
 *   after the options. Any fragment (MF or offset) gives ip.frag and no L4
 *   items: a NIC does not match L4 items on fragments.
 * - ipv6 needs version 6 and the 40-byte header; ip.proto and ip6.nexthdr
 *   are both the fixed header's next-header byte (the ipv6 item's
 *   hdr.proto); extension headers are not skipped, so a packet with any has
 *   no L4 items. A fragment header sets ip.frag (when its 8 bytes are
 *   there).
 * - L4 items need their whole header: tcp 20 bytes (doff >= 5), udp 8,
 *   sctp 12, icmp 8, icmp6 4. Ports only for TCP, UDP and SCTP.
 * - No tunnel is decapsulated: rte_flow matches tunnels with explicit
 *   items, which the IR does not have.
 */
#include <string.h>

#include "ir/ir_internal.h"

#define RTE_MAX_TAGS 15

static bool rte_has(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}

static void rte_l4(const uint8_t *p, size_t len, size_t th, uint8_t proto,
		   bool v6, struct ir_keys *k)
{
	static const struct {
		uint8_t proto;
		uint8_t hlen;
	} l4[] = {
		{ IR_IPPROTO_TCP, 20 }, { IR_IPPROTO_UDP, 8 },
		{ IR_IPPROTO_SCTP, 12 }, { IR_IPPROTO_ICMP, 8 },
		{ IR_IPPROTO_ICMPV6, 4 },
	};
	size_t i;

	for (i = 0; i < sizeof(l4) / sizeof(l4[0]); i++)
		if (l4[i].proto == proto)
			break;
	if (i == sizeof(l4) / sizeof(l4[0]) || !rte_has(len, th, l4[i].hlen))
		return;
	if ((proto == IR_IPPROTO_ICMP && v6) ||
	    (proto == IR_IPPROTO_ICMPV6 && !v6))
		return; /* icmp item under ipv4, icmp6 under ipv6 */
	switch (proto) {
	case IR_IPPROTO_TCP:
		if (p[th + 12] >> 4 < 5)
			return;
		ir_keys__set_u64(k, IR_F_TCP_FLAGS, ir_be16(p + th + 12) & 0xfff);
		/* fall through */
	case IR_IPPROTO_UDP:
	case IR_IPPROTO_SCTP:
		ir_keys__set(k, IR_F_L4_SPORT, p + th, 2);
		ir_keys__set(k, IR_F_L4_DPORT, p + th + 2, 2);
		break;
	default:
		ir_keys__set_u64(k, IR_F_ICMP_TYPE, p[th]);
		ir_keys__set_u64(k, IR_F_ICMP_CODE, p[th + 1]);
	}
}

static void rte_ipv4(const uint8_t *p, size_t len, size_t nh,
		     struct ir_keys *k)
{
	const uint8_t *h = p + nh;
	unsigned int ihl;
	uint16_t frag;

	if (!rte_has(len, nh, 20) || h[0] >> 4 != 4 || (h[0] & 0xf) < 5)
		return;
	ihl = h[0] & 0x0f;
	if (!rte_has(len, nh, ihl * 4))
		return;
	frag = ir_be16(h + 6);
	ir_keys__set_u64(k, IR_F_IP4_IHL, ihl);
	ir_keys__set_u64(k, IR_F_IP_TOS, h[1]);
	ir_keys__set_u64(k, IR_F_IP_FRAG,
			 (frag & 0x3fff ? 1u : 0u) |
			 ((frag & 0x3fff) && !(frag & 0x1fff) ? 2u : 0u));
	ir_keys__set_u64(k, IR_F_IP_TTL, h[8]);
	ir_keys__set_u64(k, IR_F_IP_PROTO, h[9]);
	ir_keys__set(k, IR_F_IP4_SRC, h + 12, 4);
	ir_keys__set(k, IR_F_IP4_DST, h + 16, 4);
	if (!(frag & 0x3fff))
		rte_l4(p, len, nh + ihl * 4, h[9], false, k);
}

static void rte_ipv6(const uint8_t *p, size_t len, size_t nh,
		     struct ir_keys *k)
{
	const uint8_t *h = p + nh;
	unsigned int frag = 0;

	if (!rte_has(len, nh, 40) || h[0] >> 4 != 6)
		return;
	ir_keys__set_u64(k, IR_F_IP_TOS, (h[0] & 0x0f) << 4 | h[1] >> 4);
	ir_keys__set_u64(k, IR_F_IP_TTL, h[7]);
	ir_keys__set_u64(k, IR_F_IP_PROTO, h[6]);
	ir_keys__set_u64(k, IR_F_IP6_NEXTHDR, h[6]);
	ir_keys__set(k, IR_F_IP6_SRC, h + 8, 16);
	ir_keys__set(k, IR_F_IP6_DST, h + 24, 16);
	if (h[6] == IR_IPPROTO_FRAGMENT) {
		if (!rte_has(len, nh + 40, 8))
			return;
		frag = 1u | ((ir_be16(h + 42) & 0xfff8) ? 0u : 2u);
	}
	ir_keys__set_u64(k, IR_F_IP_FRAG, frag);
	rte_l4(p, len, nh + 40, h[6], true, k);
}

void ir_dissect__rteflow(const uint8_t *p, size_t len, struct ir_keys *k)
{
	size_t nh = IR_ETH_HLEN;
	unsigned int tags = 0;
	uint16_t type;

	if (len < IR_ETH_HLEN)
		return;
	ir_keys__set(k, IR_F_ETH_DST, p, 6);
	ir_keys__set(k, IR_F_ETH_SRC, p + 6, 6);
	ir_keys__set(k, IR_F_ETH_TYPE, p + 12, 2);
	type = ir_be16(p + 12);
	while (type == IR_ETH_P_8021Q || type == IR_ETH_P_8021AD) {
		if (tags == RTE_MAX_TAGS || !rte_has(len, nh, 4))
			return; /* vlan.count absent too: the parse failed */
		if (!tags) {
			ir_keys__set_u64(k, IR_F_VLAN_ID, ir_be16(p + nh) & 0xfff);
			ir_keys__set_u64(k, IR_F_VLAN_PCP, p[nh] >> 5);
			ir_keys__set(k, IR_F_VLAN_TYPE, p + nh + 2, 2);
		}
		type = ir_be16(p + nh + 2);
		nh += 4;
		tags++;
	}
	ir_keys__set_u64(k, IR_F_NUM_VLANS, tags);
	if (type == IR_ETH_P_IP)
		rte_ipv4(p, len, nh, k);
	else if (type == IR_ETH_P_IPV6)
		rte_ipv6(p, len, nh, k);
}
