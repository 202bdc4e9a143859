// SPDX-License-Identifier: Apache-2.0
/*
 * ingress_acl.bpf.c - the demo policy: a container's tc ingress ACL.
 *
 *  - IPv4 sources in the 'deny' LPM trie are dropped;
 *  - TCP/UDP to a port listed in 'services' gets that entry's verdict
 *    (1 allow, 2 drop);
 *  - ICMP echo requests are allowed when config[0] (allow_ping) is set;
 *  - every other IPv4 packet is dropped, non-IPv4 traffic passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* <linux/icmp.h> pulls in libc socket headers; the two bytes we need: */
#define ICMP_ECHO 8
struct icmp_hdr {
	__u8 type;
	__u8 code;
	__u16 checksum;
};

struct lpm_v4 {
	__u32 prefixlen;
	__u32 addr;
};

struct svc_key {
	__u8 proto;
	__u8 pad;
	__u16 port; /* network order */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_v4);
	__type(value, __u8);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} deny SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct svc_key);
	__type(value, __u8);
	__uint(max_entries, 256);
} services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} config SEC(".maps");

SEC("tc")
int ingress_acl(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct lpm_v4 lk = { .prefixlen = 32 };
	struct svc_key sk = { 0 };
	struct iphdr *ip;
	__u32 zero = 0, *cfg;
	__u8 *verdict;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_SHOT;

	lk.addr = ip->saddr;
	if (bpf_map_lookup_elem(&deny, &lk))
		return TC_ACT_SHOT;

	if (ip->protocol == IPPROTO_ICMP) {
		struct icmp_hdr *icmp = (void *)ip + ip->ihl * 4;

		if ((void *)(icmp + 1) > data_end)
			return TC_ACT_SHOT;
		cfg = bpf_map_lookup_elem(&config, &zero);
		if (cfg && *cfg && icmp->type == ICMP_ECHO)
			return TC_ACT_OK;
		return TC_ACT_SHOT;
	}
	if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) {
		struct udphdr *l4 = (void *)ip + ip->ihl * 4;

		if ((void *)(l4 + 1) > data_end)
			return TC_ACT_SHOT;
		sk.proto = ip->protocol;
		sk.port = l4->dest;
		verdict = bpf_map_lookup_elem(&services, &sk);
		if (verdict && *verdict == 1)
			return TC_ACT_OK;
	}
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
