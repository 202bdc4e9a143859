// SPDX-License-Identifier: GPL-2.0
/* xdp_vlan_tenant: tenant isolation on a trunk port. Each VLAN belongs to
 * a tenant whose IPv4 subnet it may reach; untagged and unknown-VLAN
 * frames are dropped, as are tagged frames to other tenants' subnets.
 * QinQ is not allowed on this port. */
#include "corpus.h"

struct tenant {
	__be32 net;
	__be32 mask;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u16); /* VLAN id, host order */
	__type(value, struct tenant);
} tenants SEC(".maps");

SEC("xdp")
int xdp_vlan_tenant(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct vlan_hdr *vh;
	struct tenant *t;
	struct iphdr *ip;
	__u16 vid;

	if (!eth)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q))
		return XDP_DROP;
	vh = HDR(struct vlan_hdr, eth + 1, end);
	if (!vh)
		return XDP_DROP;
	vid = bpf_ntohs(vh->tci) & 0x0fff;
	t = bpf_map_lookup_elem(&tenants, &vid);
	if (!t)
		return XDP_DROP;
	if (vh->encap_proto == bpf_htons(ETH_P_ARP))
		return XDP_PASS;
	if (vh->encap_proto != bpf_htons(ETH_P_IP))
		return XDP_DROP;
	ip = HDR(struct iphdr, vh + 1, end);
	if (!ip)
		return XDP_DROP;
	if ((ip->daddr & t->mask) != t->net)
		return XDP_DROP;
	return XDP_PASS;
}
