// SPDX-License-Identifier: Apache-2.0
/* hash_5tuple: tc ingress service table keyed by the IPv4 5-tuple; a hit
 * redirects to the backend's device, a miss passes. */
#include "golden.h"

struct flow {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct flow);
	__type(value, __u32);
} services SEC(".maps");

SEC("tc")
int hash_5tuple(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *l4 = (void *)(ip + 1);
	struct flow key = {};
	__u32 *ifindex;

	if ((void *)(l4 + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.sport = l4->source;
	key.dport = l4->dest;
	key.proto = ip->protocol;
	ifindex = bpf_map_lookup_elem(&services, &key);
	if (!ifindex)
		return TC_ACT_OK;
	return bpf_redirect(*ifindex, 0);
}

char _license[] SEC("license") = "GPL";
