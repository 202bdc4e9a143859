// SPDX-License-Identifier: Apache-2.0
/* loop_limit: matches the UDP destination port against a table of 100
 * port rules kept in an array map, one lookup per rule. The loop runs
 * longer than the lifter unrolls (64 iterations by default), so packets
 * that get that far are left to the slow path. */
#include "golden.h"

#define N_RULES 100

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, N_RULES);
	__type(key, __u32);
	__type(value, __u16);
} rules SEC(".maps");

SEC("xdp")
int loop_limit(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u16 dport;

	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	dport = bpf_ntohs(udp->dest);
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < N_RULES; i++) {
		/* a key of its own keeps i in a register, where the
		 * kernel's verifier sees it grow (with &i it is a stack
		 * slot and the verifier calls the loop infinite) */
		__u32 key = i;
		__u16 *port = bpf_map_lookup_elem(&rules, &key);

		if (port && *port == dport)
			return XDP_DROP;
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
