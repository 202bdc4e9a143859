// SPDX-License-Identifier: Apache-2.0
/* ifindex: one program shared by several devices: IPv6 is dropped on the
 * uplink (ifindex 2) only. */
#include "golden.h"

SEC("tc")
int ifindex(struct __sk_buff *skb)
{
	if (skb->ingress_ifindex == 2 &&
	    skb->protocol == bpf_htons(ETH_P_IPV6))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
