// SPDX-License-Identifier: Apache-2.0
/* tcp_flags: XDP drops TCP segments with impossible flag combinations
 * (SYN+FIN, SYN+RST, no flags at all), passes the rest. */
#include "golden.h"

SEC("xdp")
int tcp_flags(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);

	if ((void *)(tcp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	if (tcp->syn && tcp->fin)
		return XDP_DROP;
	if (tcp->syn && tcp->rst)
		return XDP_DROP;
	if (!tcp->syn && !tcp->ack && !tcp->rst && !tcp->fin && !tcp->psh &&
	    !tcp->urg)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
