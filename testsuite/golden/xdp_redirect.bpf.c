// SPDX-License-Identifier: Apache-2.0
/* xdp_redirect: XDP sends IPv6 to a dedicated device (ifindex 5) and
 * passes the rest. */
#include "golden.h"

SEC("xdp")
int xdp_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return bpf_redirect(5, 0);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
