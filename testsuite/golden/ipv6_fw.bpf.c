// SPDX-License-Identifier: Apache-2.0
/* ipv6_fw: tc ingress IPv6 firewall: only TCP to port 22 or 443 from
 * fd00::/8 passes; other IPv6 TCP is dropped; ICMPv6 passes; non-IPv6
 * passes. */
#include "golden.h"

SEC("tc")
int ipv6_fw(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip6 + 1);

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return TC_ACT_OK;
	if ((void *)(ip6 + 1) > data_end)
		return TC_ACT_SHOT;
	if (ip6->nexthdr == IPPROTO_ICMPV6)
		return TC_ACT_OK;
	if (ip6->nexthdr != IPPROTO_TCP)
		return TC_ACT_SHOT;
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_SHOT;
	if (ip6->saddr.in6_u.u6_addr8[0] != 0xfd)
		return TC_ACT_SHOT;
	if (tcp->dest == bpf_htons(22) || tcp->dest == bpf_htons(443))
		return TC_ACT_OK;
	return TC_ACT_SHOT;
}

char _license[] SEC("license") = "GPL";
