// SPDX-License-Identifier: Apache-2.0
/* hash_dst: XDP block list of IPv4 destinations in a hash map; the value
 * says whether to drop (1) or pass (0) explicitly. */
#include "golden.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __be32);
	__type(value, __u8);
} dsts SEC(".maps");

SEC("xdp")
int hash_dst(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__be32 dst;
	__u8 *v;

	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	dst = ip->daddr;
	v = bpf_map_lookup_elem(&dsts, &dst);
	if (v && *v == 1)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
