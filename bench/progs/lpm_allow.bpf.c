// SPDX-License-Identifier: Apache-2.0
/*
 * lpm_allow.bpf.c - compile benchmark (a): an IPv4 source allow list in an
 * LPM trie big enough for 1M prefixes. Listed sources pass, every other
 * IPv4 packet is dropped, non-IPv4 traffic passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct lpm_v4 {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_v4);
	__type(value, __u8);
	__uint(max_entries, 1 << 21);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} allow SEC(".maps");

SEC("tc")
int lpm_allow(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct lpm_v4 lk = { .prefixlen = 32 };
	struct iphdr *ip;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_SHOT;
	lk.addr = ip->saddr;
	if (bpf_map_lookup_elem(&allow, &lk))
		return TC_ACT_OK;
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
