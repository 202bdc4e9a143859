// SPDX-License-Identifier: Apache-2.0
/* mac_block: XDP drops frames whose source MAC is in a hash set. */
#include "golden.h"

struct mac {
	__u8 addr[ETH_ALEN];
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct mac);
	__type(value, __u8);
} blocked SEC(".maps");

SEC("xdp")
int mac_block(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct mac key = {};

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	__builtin_memcpy(key.addr, eth->h_source, ETH_ALEN);
	if (bpf_map_lookup_elem(&blocked, &key))
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
