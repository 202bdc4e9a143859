// SPDX-License-Identifier: GPL-2.0
/* mark_policy: egress policy keyed by the firewall mark that the host's
 * netfilter rules set. Mark 0x100 (trusted) passes; marks 0x2xx
 * (quarantine) are dropped; unmarked SMTP is dropped (only the relay,
 * marked 0x300, may send mail); everything else passes. */
#include "corpus.h"

SEC("tc")
int mark_policy(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct iphdr *ip;
	struct tcphdr *th;
	__u32 mark = skb->mark;

	if (mark == 0x100)
		return TC_ACT_OK;
	if ((mark & 0xff00) == 0x200)
		return TC_ACT_SHOT;
	if (mark == 0x300)
		return TC_ACT_OK;
	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = HDR(struct iphdr, eth + 1, end);
	if (!ip || ip->protocol != IPPROTO_TCP || ip->ihl != 5)
		return TC_ACT_OK;
	th = HDR(struct tcphdr, ip + 1, end);
	if (!th)
		return TC_ACT_OK;
	if (th->dest == bpf_htons(25) || th->dest == bpf_htons(587))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}
