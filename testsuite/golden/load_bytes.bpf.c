// SPDX-License-Identifier: Apache-2.0
/* load_bytes: reads the IPv4 header with bpf_skb_load_bytes instead of
 * direct packet access and drops packets to 203.0.113.9. */
#include "golden.h"

SEC("tc")
int load_bytes(struct __sk_buff *skb)
{
	struct iphdr ip;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, sizeof(struct ethhdr), &ip, sizeof(ip)))
		return TC_ACT_OK;
	if (ip.daddr == bpf_htonl(0xcb007109))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
