// SPDX-License-Identifier: Apache-2.0
/* ttl: tc ingress drops IPv4 with TTL 0 or 1 and IPv6 with hop limit 0
 * or 1 (they would expire here anyway). */
#include "golden.h"

SEC("tc")
int ttl(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return TC_ACT_OK;
		return ip->ttl <= 1 ? TC_ACT_SHOT : TC_ACT_OK;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return TC_ACT_OK;
		return ip6->hop_limit <= 1 ? TC_ACT_SHOT : TC_ACT_OK;
	}
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
