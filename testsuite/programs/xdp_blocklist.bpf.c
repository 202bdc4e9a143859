// SPDX-License-Identifier: GPL-2.0
/* xdp_blocklist: threat-feed blocklist. Exact IPv4 and IPv6 sources from
 * the feed are dropped at XDP; everything else passes. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __be32);
	__type(value, __u32); /* feed id */
} block4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct in6_addr);
	__type(value, __u32);
} block6 SEC(".maps");

SEC("xdp")
int xdp_blocklist(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);

	if (!eth)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = HDR(struct iphdr, eth + 1, end);

		if (!ip)
			return XDP_DROP;
		if (bpf_map_lookup_elem(&block4, &ip->saddr))
			return XDP_DROP;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = HDR(struct ipv6hdr, eth + 1, end);

		if (!ip6)
			return XDP_DROP;
		if (bpf_map_lookup_elem(&block6, &ip6->saddr))
			return XDP_DROP;
	}
	return XDP_PASS;
}
