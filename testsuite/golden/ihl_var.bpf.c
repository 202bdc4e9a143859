// SPDX-License-Identifier: Apache-2.0
/* ihl_var: finds the TCP header through ihl (IPv4 options allowed) and
 * drops TCP to port 23. */
#include "golden.h"

SEC("tc")
int ihl_var(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp;
	__u32 hl;

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	hl = ip->ihl * 4;
	if (hl < sizeof(*ip))
		return TC_ACT_SHOT;
	tcp = (void *)ip + hl;
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_OK;
	if (tcp->dest == bpf_htons(23))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
