// SPDX-License-Identifier: Apache-2.0
/* dscp: tc ingress drops IPv4 marked with DSCP CS1 (scavenger class) on
 * a link reserved for interactive traffic. */
#include "golden.h"

SEC("tc")
int dscp(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if ((ip->tos >> 2) == 8)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
