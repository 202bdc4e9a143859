// SPDX-License-Identifier: Apache-2.0
/* redirect: tc ingress steers HTTP to a proxy device (ifindex 7, egress)
 * and DNS to a local resolver's veth ingress (ifindex 9). */
#include "golden.h"

SEC("tc")
int redirect(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *l4 = (void *)(ip + 1);

	if ((void *)(l4 + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->protocol == IPPROTO_TCP && l4->dest == bpf_htons(80))
		return bpf_redirect(7, 0);
	if (ip->protocol == IPPROTO_UDP && l4->dest == bpf_htons(53))
		return bpf_redirect(9, BPF_F_INGRESS);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
