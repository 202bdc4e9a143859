// SPDX-License-Identifier: Apache-2.0
/* stateful: counts packets per IPv4 source in a hash map and drops a
 * source after 100 packets: the counting path depends on state, so it
 * stays in the slow path; non-IPv4 passes. */
#include "golden.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tc")
int stateful(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u64 one = 1, *n;
	__u32 src;

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	src = ip->saddr;
	n = bpf_map_lookup_elem(&counts, &src);
	if (!n) {
		bpf_map_update_elem(&counts, &src, &one, BPF_ANY);
		return TC_ACT_OK;
	}
	if (*n >= 100)
		return TC_ACT_SHOT;
	__sync_fetch_and_add(n, 1);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
