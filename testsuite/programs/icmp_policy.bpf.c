// SPDX-License-Identifier: GPL-2.0
/* icmp_policy: what ICMP a host accepts. IPv4: echo and echo reply,
 * "fragmentation needed" (type 3 code 4) for PMTU discovery, time
 * exceeded; redirects, timestamps and the rest are dropped. ICMPv6:
 * errors, echo and neighbour discovery pass, the rest is dropped.
 * Non-ICMP traffic passes. */
#include "corpus.h"

static __always_inline int icmp4(struct icmphdr *ic)
{
	switch (ic->type) {
	case ICMP_ECHO:
	case ICMP_ECHOREPLY:
	case ICMP_TIME_EXCEEDED:
		return TC_ACT_OK;
	case ICMP_DEST_UNREACH:
		return ic->code == ICMP_FRAG_NEEDED ? TC_ACT_OK : TC_ACT_SHOT;
	}
	return TC_ACT_SHOT;
}

SEC("tc")
int icmp_policy(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);

	if (!eth)
		return TC_ACT_OK;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = HDR(struct iphdr, eth + 1, end);
		struct icmphdr *ic;

		if (!ip || ip->protocol != IPPROTO_ICMP)
			return TC_ACT_OK;
		if (ip->frag_off & bpf_htons(0x1fff))
			return TC_ACT_SHOT; /* ICMP is never fragmented here */
		ic = HDR(struct icmphdr, (void *)ip + ip->ihl * 4, end);
		if (!ic)
			return TC_ACT_SHOT;
		return icmp4(ic);
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = HDR(struct ipv6hdr, eth + 1, end);
		struct icmp6hdr *ic;

		if (!ip6 || ip6->nexthdr != IPPROTO_ICMPV6)
			return TC_ACT_OK;
		ic = HDR(struct icmp6hdr, ip6 + 1, end);
		if (!ic)
			return TC_ACT_SHOT;
		if (ic->icmp6_type < 128)
			return ic->icmp6_type >= 1 && ic->icmp6_type <= 4 ?
				TC_ACT_OK : TC_ACT_SHOT;
		if (ic->icmp6_type <= 129 ||
		    (ic->icmp6_type >= 133 && ic->icmp6_type <= 137))
			return TC_ACT_OK;
		return TC_ACT_SHOT;
	}
	return TC_ACT_OK;
}
