// SPDX-License-Identifier: Apache-2.0
/* port_range: XDP DDoS guard: UDP to ports 1000-1999 or above 60000 is
 * dropped, other UDP passes. */
#include "golden.h"

SEC("xdp")
int port_range(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u16 port;

	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	port = bpf_ntohs(udp->dest);
	if (port >= 1000 && port < 2000)
		return XDP_DROP;
	if (port > 60000)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
