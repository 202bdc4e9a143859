// SPDX-License-Identifier: Apache-2.0
/*
 * svc5.bpf.c - compile benchmark (b): a 5-tuple service table in a hash
 * map big enough for 1M entries. A TCP/UDP packet whose 5-tuple is listed
 * gets that entry's verdict (1 pass, 2 drop); other IPv4 is dropped,
 * non-IPv4 traffic passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct svc5_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct svc5_key);
	__type(value, __u8);
	__uint(max_entries, 1 << 21);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} svc5 SEC(".maps");

SEC("tc")
int svc5_table(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct svc5_key k = { 0 };
	struct udphdr *l4;
	struct iphdr *ip;
	__u8 *v;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_SHOT;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return TC_ACT_SHOT;
	l4 = (void *)ip + ip->ihl * 4;
	if ((void *)(l4 + 1) > data_end)
		return TC_ACT_SHOT;
	k.saddr = ip->saddr;
	k.daddr = ip->daddr;
	k.sport = l4->source;
	k.dport = l4->dest;
	k.proto = ip->protocol;
	v = bpf_map_lookup_elem(&svc5, &k);
	if (v && *v == 1)
		return TC_ACT_OK;
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
