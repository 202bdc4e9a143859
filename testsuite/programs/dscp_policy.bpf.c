// SPDX-License-Identifier: GPL-2.0
/* dscp_policy: per-destination DSCP admission. Each protected server has
 * a bitmap of the DSCP code points it accepts (best effort is always
 * accepted); packets to it with any other code point are dropped.
 * Traffic to other destinations passes. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2048);
	__type(key, __be32);
	__type(value, __u64); /* bit n: DSCP n accepted */
} servers SEC(".maps");

SEC("tc")
int dscp_policy(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct iphdr *ip;
	__u64 *allowed;
	__u8 dscp;

	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = HDR(struct iphdr, eth + 1, end);
	if (!ip)
		return TC_ACT_SHOT;
	allowed = bpf_map_lookup_elem(&servers, &ip->daddr);
	if (!allowed)
		return TC_ACT_OK;
	dscp = ip->tos >> 2;
	if (!dscp)
		return TC_ACT_OK;
	return (*allowed >> dscp) & 1 ? TC_ACT_OK : TC_ACT_SHOT;
}
