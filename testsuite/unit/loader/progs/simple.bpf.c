// SPDX-License-Identifier: Apache-2.0
/* One XDP program, no maps. */
#include "loader_bpf.h"

SEC("xdp")
int pass_small(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data < 60 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
