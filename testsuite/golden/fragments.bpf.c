// SPDX-License-Identifier: Apache-2.0
/* fragments: tc ingress drops IPv4 fragments outright, then drops UDP to
 * port 4789 (VXLAN from outside); the fragment check makes the port
 * match safe for targets that parse no ports of fragments. */
#include "golden.h"

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

SEC("tc")
int fragments(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(udp + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return TC_ACT_SHOT;
	if (ip->protocol == IPPROTO_UDP && udp->dest == bpf_htons(4789))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
