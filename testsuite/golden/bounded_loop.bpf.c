// SPDX-License-Identifier: Apache-2.0
/* bounded_loop: XDP drops UDP to any port of a small block list kept in
 * read-only data, scanned with a bounded loop. */
#include "golden.h"

static const volatile __u16 blocked[4] = { 53, 123, 161, 1900 };

SEC("xdp")
int bounded_loop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u16 dport;

	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	dport = bpf_ntohs(udp->dest);
	for (int i = 0; i < 4; i++)
		if (dport == blocked[i])
			return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
