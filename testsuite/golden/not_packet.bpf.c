// SPDX-License-Identifier: Apache-2.0
/* not_packet: a socket filter is not a tc or XDP program: rejected. */
#include "golden.h"

SEC("socket")
int not_packet(struct __sk_buff *skb)
{
	return skb->len > 100 ? 0 : -1;
}

char _license[] SEC("license") = "GPL";
