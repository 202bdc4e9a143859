// SPDX-License-Identifier: GPL-2.0
/* udp_port_range: a media gateway admits RTP only on its port range and
 * from its signalling peers' networks; other UDP to the range is
 * dropped, other UDP passes, TCP passes. Port range and peers come from
 * an array map filled by the control plane. */
#include "corpus.h"

struct cfg {
	__u16 lo, hi;      /* RTP port range, host order */
	__be32 peer_net;
	__be32 peer_mask;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cfg);
} config SEC(".maps");

SEC("tc")
int udp_port_range(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct udphdr *uh;
	struct iphdr *ip;
	struct cfg *c;
	__u32 zero = 0;
	__u16 d;

	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = HDR(struct iphdr, eth + 1, end);
	if (!ip || ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	uh = HDR(struct udphdr, (void *)ip + ip->ihl * 4, end);
	if (!uh)
		return TC_ACT_SHOT;
	c = bpf_map_lookup_elem(&config, &zero);
	if (!c)
		return TC_ACT_OK;
	d = bpf_ntohs(uh->dest);
	if (d < c->lo || d > c->hi)
		return TC_ACT_OK;
	return (ip->saddr & c->peer_mask) == c->peer_net ? TC_ACT_OK :
							   TC_ACT_SHOT;
}
