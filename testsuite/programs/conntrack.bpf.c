// SPDX-License-Identifier: GPL-2.0
/* conntrack: a small stateful TCP filter for a server. Outgoing SYN/ACKs
 * are not seen here; instead a SYN to an open port creates the flow entry
 * and later segments of known flows pass, unknown non-SYN segments are
 * dropped, RST removes the entry. UDP to port 53 passes, other UDP is
 * dropped; non-IPv4 passes. Almost everything depends on state. */
#include "corpus.h"

struct flow {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct flow);
	__type(value, __u64);
} flows SEC(".maps");

SEC("tc")
int conntrack(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct flow f = {};
	struct iphdr *ip;
	struct tcphdr *th;
	struct udphdr *uh;
	__u64 one = 1;

	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = HDR(struct iphdr, eth + 1, end);
	if (!ip || ip->ihl != 5)
		return TC_ACT_SHOT;
	if (ip->protocol == IPPROTO_UDP) {
		uh = HDR(struct udphdr, ip + 1, end);
		if (!uh)
			return TC_ACT_SHOT;
		return uh->dest == bpf_htons(53) ? TC_ACT_OK : TC_ACT_SHOT;
	}
	if (ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	th = HDR(struct tcphdr, ip + 1, end);
	if (!th)
		return TC_ACT_SHOT;
	f.saddr = ip->saddr;
	f.daddr = ip->daddr;
	f.sport = th->source;
	f.dport = th->dest;
	if (th->rst) {
		bpf_map_delete_elem(&flows, &f);
		return TC_ACT_OK;
	}
	if (th->syn && !th->ack) {
		if (th->dest != bpf_htons(80) && th->dest != bpf_htons(443))
			return TC_ACT_SHOT;
		bpf_map_update_elem(&flows, &f, &one, BPF_ANY);
		return TC_ACT_OK;
	}
	return bpf_map_lookup_elem(&flows, &f) ? TC_ACT_OK : TC_ACT_SHOT;
}
