// SPDX-License-Identifier: Apache-2.0
/* state_maps: maps the program writes are state, not policy. 'policy' is
 * only read, so its entry becomes a rule; 'seen' is written by a
 * subprogram (map_update_elem) and 'hits' through a value pointer (an
 * atomic add), so every path that reads them stays in the slow path, even
 * the ones that do not write: a snapshot of their contents would be
 * stale after the next packet. */
#include "golden.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __be32);
	__type(value, __u32);
} policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __be32);
	__type(value, __u32);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __attribute__((noinline)) int remember(__be32 saddr)
{
	__u32 one = 1;

	return bpf_map_update_elem(&seen, &saddr, &one, BPF_ANY);
}

SEC("tc")
int state_maps(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 zero = 0, *p;
	__be32 addr;
	__u64 *h;

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	addr = ip->daddr;
	p = bpf_map_lookup_elem(&policy, &addr);
	if (p && *p == 2)
		return TC_ACT_SHOT;
	addr = ip->saddr;
	if (ip->protocol == IPPROTO_TCP)
		return bpf_map_lookup_elem(&seen, &addr) ? TC_ACT_OK
							 : TC_ACT_SHOT;
	h = bpf_map_lookup_elem(&hits, &zero);
	if (h && *h > 1000)
		return TC_ACT_SHOT;
	if (h)
		__sync_fetch_and_add(h, 1);
	if (ip->protocol == IPPROTO_UDP)
		remember(ip->saddr);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
