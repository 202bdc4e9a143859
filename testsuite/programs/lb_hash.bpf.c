// SPDX-License-Identifier: GPL-2.0
/* lb_hash: an XDP layer-4 load balancer. Packets to a virtual service
 * (VIP, port) pick a backend by a hash of the 5-tuple, get the backend's
 * MAC and address written in, and go back out (XDP_TX). Other traffic
 * passes. The backend depends on the flow: per-flow rules at best. */
#include "corpus.h"

struct vip {
	__be32 daddr;
	__be16 dport;
	__u8 proto;
	__u8 pad;
};

struct svc {
	__u32 first;  /* index of the first backend */
	__u32 count;  /* number of backends, 1..16 */
};

struct backend {
	__be32 addr;
	__u8 mac[6];
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct vip);
	__type(value, struct svc);
} vips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

static __always_inline __u32 mix(__u32 h, __u32 v)
{
	h ^= v;
	h *= 0x9e3779b1;
	return h ^ (h >> 15);
}

static __always_inline __u16 csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

SEC("xdp")
int lb_hash(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct vip k = {};
	struct backend *be;
	struct udphdr *l4;
	struct iphdr *ip;
	struct svc *s;
	__u32 h, idx, sum = 0;
	__u16 *w;
	int i;

	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = HDR(struct iphdr, eth + 1, end);
	if (!ip || ip->ihl != 5)
		return XDP_PASS;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	l4 = HDR(struct udphdr, ip + 1, end);
	if (!l4)
		return XDP_PASS;
	k.daddr = ip->daddr;
	k.dport = l4->dest;
	k.proto = ip->protocol;
	s = bpf_map_lookup_elem(&vips, &k);
	if (!s)
		return XDP_PASS;
	h = mix(mix(mix(0, ip->saddr), l4->source), l4->dest);
	idx = s->first + (s->count ? h % (s->count & 15 ? s->count & 15 : 1) :
				     0);
	be = bpf_map_lookup_elem(&backends, &idx);
	if (!be)
		return XDP_DROP;
	__builtin_memcpy(eth->h_source, eth->h_dest, 6);
	__builtin_memcpy(eth->h_dest, be->mac, 6);
	ip->daddr = be->addr;
	ip->check = 0;
	w = (__u16 *)ip;
	for (i = 0; i < 10; i++)
		sum += w[i];
	ip->check = csum_fold(sum);
	return XDP_TX;
}
