// SPDX-License-Identifier: Apache-2.0
/* subprog: header parsing in a bpf-to-bpf function (not inlined); drops
 * IPv4 from 192.0.2.0/24. */
#include "golden.h"

static __noinline int parse_saddr(struct __sk_buff *skb, __u32 *saddr)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end)
		return -1;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	*saddr = bpf_ntohl(ip->saddr);
	return 0;
}

SEC("tc")
int subprog(struct __sk_buff *skb)
{
	__u32 saddr = 0;

	if (parse_saddr(skb, &saddr) < 0)
		return TC_ACT_OK;
	if ((saddr >> 8) == (0xc0000200 >> 8))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
