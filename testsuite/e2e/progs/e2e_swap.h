/* SPDX-License-Identifier: Apache-2.0 */
/*
 * e2e_swap.h - the two versions of the replace-under-traffic scenario's
 * program: version A drops UDP dport 7000 and passes 7001, version B the
 * other way round; everything else passes in both. A packet therefore
 * tells which version's rules decided it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

static __always_inline int e2e_swap(struct __sk_buff *skb, __u16 drop_port)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->ihl != 5 ||
	    (ip->frag_off & bpf_htons(0x3fff)) || ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end)
		return TC_ACT_OK;
	if (udp->dest == bpf_htons(drop_port))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}
