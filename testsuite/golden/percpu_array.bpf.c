// SPDX-License-Identifier: Apache-2.0
/* percpu_array: a per-CPU configuration array (written identically on
 * every CPU by the control plane) holds the maximum frame length; longer
 * frames are dropped. */
#include "golden.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} limits SEC(".maps");

SEC("tc")
int percpu_array(struct __sk_buff *skb)
{
	__u32 zero = 0, *max;

	max = bpf_map_lookup_elem(&limits, &zero);
	if (!max || !*max)
		return TC_ACT_OK;
	return skb->len > *max ? TC_ACT_SHOT : TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
