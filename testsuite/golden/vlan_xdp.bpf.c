// SPDX-License-Identifier: Apache-2.0
/* vlan_xdp: XDP sees 802.1Q tags in-line. Drop VLAN 10, drop IPv4 from
 * 10.66.0.0/16 on any VLAN, pass the rest. */
#include "golden.h"

SEC("xdp")
int vlan_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vlan_hdr *vh;
	struct iphdr *ip;
	__be16 proto;
	void *l3;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	proto = eth->h_proto;
	l3 = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		vh = l3;
		if ((void *)(vh + 1) > data_end)
			return XDP_PASS;
		if ((bpf_ntohs(vh->tci) & 0x0fff) == 10)
			return XDP_DROP;
		proto = vh->proto;
		l3 = vh + 1;
	}
	if (proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = l3;
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if ((ip->saddr & bpf_htonl(0xffff0000)) == bpf_htonl(0x0a420000))
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
