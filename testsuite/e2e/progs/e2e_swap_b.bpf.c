// SPDX-License-Identifier: Apache-2.0
/* e2e_swap_b.bpf.c - version B of the replace scenario: drops UDP dport 7001. */
#include "e2e_swap.h"

SEC("tc")
int e2e_swap_b(struct __sk_buff *skb)
{
	return e2e_swap(skb, 7001);
}

char LICENSE[] SEC("license") = "GPL";
