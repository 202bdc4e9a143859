// SPDX-License-Identifier: Apache-2.0
/* A prog array with declarative init, three programs in one section. */
#include "loader_bpf.h"

SEC("tc")
int slot0(struct __sk_buff *skb)
{
	return 2;
}

SEC("tc")
int slot1(struct __sk_buff *skb)
{
	return skb->len > 64 ? 2 : 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} jmp SEC(".maps") = {
	.values = {
		[0] = (void *)&slot0,
		[2] = (void *)&slot1,
	},
};

SEC("tc")
int entry(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp, skb->mark & 3);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
