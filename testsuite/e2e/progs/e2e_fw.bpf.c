// SPDX-License-Identifier: Apache-2.0
/*
 * e2e_fw.bpf.c - the end-to-end scenarios' firewall: a plain tc ingress
 * program with bounds checks at every header, so its verdict is defined for
 * truncated, fragmented, optioned and tagged frames alike.
 *
 * IPv6 and ARP are decided by skb->protocol before any packet access: the
 * paths that read the frame all carry a frame length bound, which flower
 * cannot match, so today those become slow-path carve-outs; these two give
 * the flower scenario rules that really decide (drop and pass).
 *
 *   IPv6                        drop
 *   ARP                         pass
 *   source 10.9.0.0/16          drop
 *   IPv4 with options/fragment  pass (ports unknown)
 *   TCP dport 22                drop
 *   TCP dport 80                pass
 *   UDP dport 9999              drop
 *   UDP dport 53                pass
 *   anything else               pass
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int e2e_fw(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;

	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		return TC_ACT_SHOT;
	if (skb->protocol == bpf_htons(ETH_P_ARP))
		return TC_ACT_OK;
	if ((void *)(eth + 1) > end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return TC_ACT_OK;
	if ((ip->saddr & bpf_htonl(0xffff0000)) == bpf_htonl(0x0a090000))
		return TC_ACT_SHOT;
	if (ip->ihl != 5 || (ip->frag_off & bpf_htons(0x3fff)))
		return TC_ACT_OK;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > end)
			return TC_ACT_OK;
		if (tcp->dest == bpf_htons(22))
			return TC_ACT_SHOT;
		return TC_ACT_OK;
	}
	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);

		if ((void *)(udp + 1) > end)
			return TC_ACT_OK;
		if (udp->dest == bpf_htons(9999))
			return TC_ACT_SHOT;
		return TC_ACT_OK;
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
