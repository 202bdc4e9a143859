// SPDX-License-Identifier: Apache-2.0
/* robust_maps: a big hash map (for the 10M-entry dump), a small one (for
 * dumps with more entries than max_entries) and an array whose key and
 * value sizes differ from the others (for dumps of the wrong map). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 24);
	__type(key, __u32);
	__type(value, __u32);
} big SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} small SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} wide SEC(".maps");

SEC("xdp")
int robust_maps(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 k;
	__u32 *v;
	__u64 *w;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	k = eth->h_dest[5];
	v = bpf_map_lookup_elem(&big, &k);
	if (v && *v)
		return XDP_DROP;
	v = bpf_map_lookup_elem(&small, &k);
	if (v && *v)
		return XDP_DROP;
	w = bpf_map_lookup_elem(&wide, &k);
	if (w && *w)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
