// SPDX-License-Identifier: GPL-2.0
/* rate_limit: per-source token bucket for IPv4 (rate and burst in
 * .rodata). Needs the clock and per-source state: slow path by nature.
 * Non-IPv4 passes, and so does traffic from the exempt management net. */
#include "corpus.h"

const volatile __u64 rate_pps = 1000;
const volatile __u64 burst = 200;
const volatile __be32 mgmt_net = 0x0000000a;  /* 10.0.0.0 */
const volatile __be32 mgmt_mask = 0x000000ff; /* /8 */

struct bucket {
	__u64 tokens;
	__u64 last_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __be32);
	__type(value, struct bucket);
} buckets SEC(".maps");

SEC("tc")
int rate_limit(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct bucket *b, nb;
	struct iphdr *ip;
	__u64 now, add;
	__be32 src;

	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = HDR(struct iphdr, eth + 1, end);
	if (!ip)
		return TC_ACT_SHOT;
	src = ip->saddr;
	if ((src & mgmt_mask) == mgmt_net)
		return TC_ACT_OK;
	now = bpf_ktime_get_ns();
	b = bpf_map_lookup_elem(&buckets, &src);
	if (!b) {
		nb.tokens = burst - 1;
		nb.last_ns = now;
		bpf_map_update_elem(&buckets, &src, &nb, BPF_ANY);
		return TC_ACT_OK;
	}
	add = (now - b->last_ns) * rate_pps / 1000000000ull;
	if (add) {
		b->tokens = b->tokens + add > burst ? burst : b->tokens + add;
		b->last_ns = now;
	}
	if (!b->tokens)
		return TC_ACT_SHOT;
	b->tokens--;
	return TC_ACT_OK;
}
