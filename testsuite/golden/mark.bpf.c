// SPDX-License-Identifier: Apache-2.0
/* mark: tc egress drops packets an earlier stage marked 0x10 (bit 4 of
 * skb->mark) and passes the rest. */
#include "golden.h"

SEC("tc/egress")
int mark(struct __sk_buff *skb)
{
	if (skb->mark & 0x10)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
