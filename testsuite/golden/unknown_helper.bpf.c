// SPDX-License-Identifier: Apache-2.0
/* unknown_helper: samples one in 16 UDP packets to drop (random early
 * drop): the random helper has no rule equivalent, but TCP still lifts. */
#include "golden.h"

SEC("tc")
int unknown_helper(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->protocol == IPPROTO_TCP)
		return TC_ACT_OK;
	if (ip->protocol == IPPROTO_UDP && (bpf_get_prandom_u32() & 15) == 0)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
