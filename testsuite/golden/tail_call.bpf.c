// SPDX-License-Identifier: Apache-2.0
/* tail_call: an XDP dispatcher tail-calls a per-protocol program from a
 * prog array: slot 0 handles TCP, slot 1 UDP; a missing slot passes. */
#include "golden.h"

SEC("xdp")
int tcp_part(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct tcphdr *tcp = data + sizeof(struct ethhdr) +
			     sizeof(struct iphdr);

	if ((void *)(tcp + 1) > data_end)
		return XDP_DROP;
	return tcp->dest == bpf_htons(80) ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int udp_part(struct xdp_md *ctx)
{
	return XDP_DROP;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} jmp SEC(".maps") = {
	.values = { [0] = (void *)&tcp_part, [1] = (void *)&udp_part },
};

SEC("xdp")
int tail_call(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->protocol == IPPROTO_TCP)
		bpf_tail_call(ctx, &jmp, 0);
	else if (ip->protocol == IPPROTO_UDP)
		bpf_tail_call(ctx, &jmp, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
