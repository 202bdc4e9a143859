// SPDX-License-Identifier: GPL-2.0
/* subprog_loop: bpf-to-bpf calls and a bounded loop. A parser subprogram
 * finds the L4 destination port; a second subprogram scans a short list
 * of blocked ports kept in .rodata (set by the loader at deploy time);
 * matching TCP and UDP packets are dropped. */
#include "corpus.h"

#define N_BLOCKED 8

const volatile __u16 blocked[N_BLOCKED] = { 21, 23, 69, 111, 445, 2049,
					    3389, 5900 };

struct l4info {
	__u16 dport;
	__u8 proto;
	__u8 ok;
};

static __noinline int parse(struct __sk_buff *skb, struct l4info *out)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct iphdr *ip;
	struct udphdr *l4;

	out->ok = 0;
	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	ip = HDR(struct iphdr, eth + 1, end);
	if (!ip || ip->ihl < 5)
		return 0;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return 0;
	l4 = HDR(struct udphdr, (void *)ip + ip->ihl * 4, end);
	if (!l4)
		return -1;
	out->dport = bpf_ntohs(l4->dest);
	out->proto = ip->protocol;
	out->ok = 1;
	return 0;
}

static __noinline int is_blocked(__u16 port)
{
	int i;

	for (i = 0; i < N_BLOCKED; i++)
		if (blocked[i] == port)
			return 1;
	return 0;
}

SEC("tc")
int subprog_loop(struct __sk_buff *skb)
{
	struct l4info li = {};

	if (parse(skb, &li) < 0)
		return TC_ACT_SHOT;
	if (!li.ok)
		return TC_ACT_OK;
	return is_blocked(li.dport) ? TC_ACT_SHOT : TC_ACT_OK;
}
