// SPDX-License-Identifier: GPL-2.0
/* tailcall_chain: a dispatcher that tail-calls a per-protocol filter from
 * a prog array filled in the object itself. TCP: telnet and rsh are
 * dropped; UDP: SNMP is dropped; other protocols pass without a jump, and
 * a missing slot falls through to pass. */
#include "corpus.h"

enum { SLOT_TCP, SLOT_UDP, SLOT_MAX = 4 };

static __always_inline struct iphdr *ip4(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);

	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	return HDR(struct iphdr, eth + 1, end);
}

SEC("tc")
int filter_tcp(struct __sk_buff *skb)
{
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = ip4(skb);
	struct tcphdr *th;

	if (!ip)
		return TC_ACT_SHOT;
	th = HDR(struct tcphdr, (void *)ip + ip->ihl * 4, end);
	if (!th)
		return TC_ACT_SHOT;
	if (th->dest == bpf_htons(23) || th->dest == bpf_htons(514))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

SEC("tc")
int filter_udp(struct __sk_buff *skb)
{
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = ip4(skb);
	struct udphdr *uh;

	if (!ip)
		return TC_ACT_SHOT;
	uh = HDR(struct udphdr, (void *)ip + ip->ihl * 4, end);
	if (!uh)
		return TC_ACT_SHOT;
	if (uh->dest == bpf_htons(161) || uh->dest == bpf_htons(162))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SLOT_MAX);
	__type(key, __u32);
	__array(values, int(struct __sk_buff *));
} jump SEC(".maps") = {
	.values = {
		[SLOT_TCP] = (void *)&filter_tcp,
		[SLOT_UDP] = (void *)&filter_udp,
	},
};

SEC("tc")
int tailcall_chain(struct __sk_buff *skb)
{
	struct iphdr *ip = ip4(skb);

	if (!ip)
		return TC_ACT_OK;
	if (ip->protocol == IPPROTO_TCP)
		bpf_tail_call(skb, &jump, SLOT_TCP);
	else if (ip->protocol == IPPROTO_UDP)
		bpf_tail_call(skb, &jump, SLOT_UDP);
	return TC_ACT_OK;
}
