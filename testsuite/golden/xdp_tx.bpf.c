// SPDX-License-Identifier: Apache-2.0
/* xdp_tx: a link-test reflector: frames of the local experimental
 * ethertype 0x88b5 go back out of the port they came in on, unchanged. */
#include "golden.h"

SEC("xdp")
int xdp_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(0x88b5))
		return XDP_TX;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
