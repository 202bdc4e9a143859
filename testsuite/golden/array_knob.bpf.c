// SPDX-License-Identifier: Apache-2.0
/* array_knob: an XDP filter whose behaviour is set by an array map of
 * configuration knobs: [0] = drop all UDP, [1] = the one TCP port to
 * allow (0: allow all). */
#include "golden.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} config SEC(".maps");

static __always_inline __u32 knob(__u32 i)
{
	__u32 *v = bpf_map_lookup_elem(&config, &i);

	return v ? *v : 0;
}

SEC("xdp")
int array_knob(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	__u32 port;

	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->protocol == IPPROTO_UDP && knob(0))
		return XDP_DROP;
	if (ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	port = knob(1);
	if (!port)
		return XDP_PASS;
	if ((void *)(tcp + 1) > data_end)
		return XDP_DROP;
	return tcp->dest == bpf_htons(port) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
