// SPDX-License-Identifier: Apache-2.0
/*
 * e2e_swap_a.bpf.c - version A of the replace scenario: drops unicast IPv4
 * (UDP 7000 in swap.frames).
 */
#include "e2e_swap.h"

SEC("tc")
int e2e_swap_a(struct __sk_buff *skb)
{
	return e2e_swap(skb, 0);
}

char LICENSE[] SEC("license") = "GPL";
