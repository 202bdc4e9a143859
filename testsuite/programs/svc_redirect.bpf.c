// SPDX-License-Identifier: GPL-2.0
/* svc_redirect: service steering. Flows whose 5-tuple is in the service
 * table are redirected to the service's device; the rest go on. */
#include "corpus.h"

struct svc_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct svc_val {
	__u32 ifindex;
	__u32 flags; /* 1: to the device's ingress */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct svc_key);
	__type(value, struct svc_val);
} services SEC(".maps");

SEC("tc")
int svc_redirect(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct svc_key k;
	struct svc_val *v;
	struct iphdr *ip;
	struct udphdr *l4;

	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = HDR(struct iphdr, eth + 1, end);
	if (!ip || ip->ihl != 5)
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	if (ip->frag_off & bpf_htons(0x1fff))
		return TC_ACT_OK;
	l4 = HDR(struct udphdr, ip + 1, end);
	if (!l4)
		return TC_ACT_OK;
	__builtin_memset(&k, 0, sizeof(k));
	k.saddr = ip->saddr;
	k.daddr = ip->daddr;
	k.sport = l4->source;
	k.dport = l4->dest;
	k.proto = ip->protocol;
	v = bpf_map_lookup_elem(&services, &k);
	if (!v)
		return TC_ACT_OK;
	return bpf_redirect(v->ifindex, v->flags & 1 ? BPF_F_INGRESS : 0);
}
