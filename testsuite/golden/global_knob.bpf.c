// SPDX-License-Identifier: Apache-2.0
/* global_knob: a configuration constant in .rodata (set at load time by
 * the loader) selects strict mode, which drops all non-IP traffic. */
#include "golden.h"

const volatile __u32 strict = 1;

SEC("tc")
int global_knob(struct __sk_buff *skb)
{
	if (skb->protocol == bpf_htons(ETH_P_IP) ||
	    skb->protocol == bpf_htons(ETH_P_IPV6))
		return TC_ACT_OK;
	return strict ? TC_ACT_SHOT : TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
