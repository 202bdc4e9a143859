// SPDX-License-Identifier: GPL-2.0
/* ip_guard: IPv4 hygiene at the edge. Drops expiring packets (TTL 0 or
 * 1), fragments, packets with IP options, and martian sources (a small
 * LPM table of reserved ranges). Everything else passes. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__type(key, struct lpm_v4);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} martians SEC(".maps");

SEC("tc")
int ip_guard(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct lpm_v4 key = { .prefixlen = 32 };
	struct iphdr *ip;

	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = HDR(struct iphdr, eth + 1, end);
	if (!ip)
		return TC_ACT_SHOT;
	if (ip->ttl <= 1)
		return TC_ACT_SHOT;
	if (ip->frag_off & bpf_htons(0x3fff))
		return TC_ACT_SHOT;
	if (ip->ihl != 5)
		return TC_ACT_SHOT;
	key.addr = ip->saddr;
	if (bpf_map_lookup_elem(&martians, &key))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}
