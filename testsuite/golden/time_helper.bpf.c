// SPDX-License-Identifier: Apache-2.0
/* time_helper: XDP drops TCP SYNs during the first second of every ten
 * (a crude time-based throttle): time has no rule equivalent. */
#include "golden.h"

SEC("xdp")
int time_helper(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);

	if ((void *)(tcp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_TCP || !tcp->syn)
		return XDP_PASS;
	if ((bpf_ktime_get_ns() / 1000000000ull) % 10 == 0)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
