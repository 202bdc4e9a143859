// SPDX-License-Identifier: GPL-2.0
/* container_acl: ingress ACL in front of a container's veth. Sources on
 * the deny list are dropped, sources not on the allow list are dropped,
 * and TCP/UDP traffic must go to an exposed port. Non-IPv4 passes. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct lpm_v4);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} deny_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__type(key, struct lpm_v4);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} allow_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u16); /* host order */
	__type(value, __u8);
} exposed_ports SEC(".maps");

SEC("tc")
int container_acl(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct lpm_v4 key = { .prefixlen = 32 };
	struct iphdr *ip;
	struct udphdr *l4;
	__u16 port;

	if (!eth)
		return TC_ACT_SHOT;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = HDR(struct iphdr, eth + 1, end);
	if (!ip)
		return TC_ACT_SHOT;
	key.addr = ip->saddr;
	if (bpf_map_lookup_elem(&deny_src, &key))
		return TC_ACT_SHOT;
	if (!bpf_map_lookup_elem(&allow_src, &key))
		return TC_ACT_SHOT;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	l4 = HDR(struct udphdr, (void *)ip + ip->ihl * 4, end);
	if (!l4)
		return TC_ACT_SHOT;
	port = bpf_ntohs(l4->dest);
	return bpf_map_lookup_elem(&exposed_ports, &port) ? TC_ACT_OK :
							     TC_ACT_SHOT;
}
