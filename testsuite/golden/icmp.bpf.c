// SPDX-License-Identifier: Apache-2.0
/* icmp: XDP drops ICMP echo requests and all ICMP redirects. */
#include "golden.h"

SEC("xdp")
int icmp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct icmphdr *ic = (void *)(ip + 1);

	if ((void *)(ic + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	if (ic->type == ICMP_ECHO && ic->code == 0)
		return XDP_DROP;
	if (ic->type == ICMP_REDIRECT)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
