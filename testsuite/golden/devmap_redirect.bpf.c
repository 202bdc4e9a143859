// SPDX-License-Identifier: Apache-2.0
/* devmap_redirect: XDP forwarding by destination MAC's last byte: the
 * devmap slot of that byte holds the egress device; empty slots pass. */
#include "golden.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

SEC("xdp")
int devmap_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	return bpf_redirect_map(&ports, eth->h_dest[5] & 3, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
