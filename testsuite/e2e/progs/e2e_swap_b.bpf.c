// SPDX-License-Identifier: Apache-2.0
/*
 * e2e_swap_b.bpf.c - version B of the replace scenario: drops broadcast IPv4
 * (UDP 7001 in swap.frames).
 */
#include "e2e_swap.h"

SEC("tc")
int e2e_swap_b(struct __sk_buff *skb)
{
	return e2e_swap(skb, 1);
}

char LICENSE[] SEC("license") = "GPL";
