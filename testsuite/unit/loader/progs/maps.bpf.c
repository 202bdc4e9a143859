// SPDX-License-Identifier: Apache-2.0
/* Every kind of map the loader knows, global data and subprograms. */
#include "loader_bpf.h"

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct flow {
	__u32 addr;
	__u16 port;
	__u8 proto;
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow);
	__type(value, __u32);
} allow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} pcpu_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} nets SEC(".maps");

/* Not used by the programs: only for loading large dumps. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 200000);
	__type(key, __u32);
	__type(value, __u32);
} big SEC(".maps");

const volatile __u32 cfg_port = 8080;
const volatile char cfg_name[8] = "fw";
__u32 hits = 7;
__u64 drops;

static __attribute__((noinline)) int classify(__u32 port)
{
	__u32 k = port & 15;
	__u64 *c = bpf_map_lookup_elem(&counters, &k);

	if (c)
		__sync_fetch_and_add(c, 1);
	return port == cfg_port ? 2 : 0;
}

__attribute__((noinline)) int scale(__u32 v)
{
	return v * 3 + cfg_name[0];
}

static long loop_cb(__u32 i, void *ctx)
{
	drops += i;
	return 0;
}

SEC("tc")
int fw(struct __sk_buff *skb)
{
	struct flow f = { .addr = skb->mark, .port = 80, .proto = 6 };
	struct lpm_key lk = { .prefixlen = 32 };
	__u32 k = 0, *v;
	__u64 *pc;

	__u32 prio = skb->priority;

	__builtin_memcpy(lk.addr, &prio, 4);
	if (bpf_map_lookup_elem(&allow, &f))
		return classify(skb->protocol);
	v = bpf_map_lookup_elem(&nets, &lk);
	if (v)
		return *v;
	pc = bpf_map_lookup_elem(&pcpu_hash, &k);
	if (pc)
		return 1;
	v = bpf_map_lookup_elem(&pcpu_arr, &k);
	if (v)
		hits += *v;
	bpf_loop(4, loop_cb, 0, 0);
	return scale(skb->len) > 100 ? 2 : 0;
}

SEC("xdp")
int fw_xdp(struct xdp_md *ctx)
{
	return classify(ctx->ingress_ifindex) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
