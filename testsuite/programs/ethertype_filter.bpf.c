// SPDX-License-Identifier: GPL-2.0
/* ethertype_filter: an access port that carries only IPv4, IPv6 and ARP.
 * Tagged frames (802.1Q, 802.1ad), LLDP, MPLS and everything else are
 * dropped, as are 802.3 length frames. */
#include "corpus.h"

SEC("xdp")
int ethertype_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);

	if (!eth)
		return XDP_DROP;
	switch (bpf_ntohs(eth->h_proto)) {
	case ETH_P_IP:
	case ETH_P_IPV6:
	case ETH_P_ARP:
		return XDP_PASS;
	}
	return XDP_DROP;
}
