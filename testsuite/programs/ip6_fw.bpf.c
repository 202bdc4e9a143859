// SPDX-License-Identifier: GPL-2.0
/* ip6_fw: IPv6 host firewall. Walks up to four extension headers (a
 * bounded loop), drops routing headers outright, drops sources on the
 * deny list, allows ICMPv6 errors, echo and neighbour discovery, SSH and
 * HTTPS, DHCPv6 replies; drops the rest. IPv4 and others pass. */
#include "corpus.h"

#define MAX_EXT 4

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2048);
	__type(key, struct lpm_v6);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} deny_src6 SEC(".maps");

struct opt_hdr {
	__u8 nexthdr;
	__u8 len;
};

SEC("tc")
int ip6_fw(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct lpm_v6 key = { .prefixlen = 128 };
	struct ipv6hdr *ip6;
	void *p;
	__u8 nh;
	int i;

	if (!eth)
		return TC_ACT_SHOT;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return TC_ACT_OK;
	ip6 = HDR(struct ipv6hdr, eth + 1, end);
	if (!ip6)
		return TC_ACT_SHOT;
	__builtin_memcpy(key.addr, &ip6->saddr, 16);
	if (bpf_map_lookup_elem(&deny_src6, &key))
		return TC_ACT_SHOT;
	nh = ip6->nexthdr;
	p = ip6 + 1;
	for (i = 0; i < MAX_EXT; i++) {
		struct opt_hdr *o;

		if (nh == IPPROTO_ROUTING)
			return TC_ACT_SHOT;
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_DSTOPTS)
			break;
		o = HDR(struct opt_hdr, p, end);
		if (!o)
			return TC_ACT_SHOT;
		nh = o->nexthdr;
		p += (o->len + 1) * 8;
	}
	if (nh == IPPROTO_ICMPV6) {
		struct icmp6hdr *ic = HDR(struct icmp6hdr, p, end);

		if (!ic)
			return TC_ACT_SHOT;
		if (ic->icmp6_type <= 4)
			return TC_ACT_OK; /* errors */
		if (ic->icmp6_type == 128 || ic->icmp6_type == 129)
			return TC_ACT_OK;
		if (ic->icmp6_type >= 133 && ic->icmp6_type <= 136)
			return TC_ACT_OK;
		return TC_ACT_SHOT;
	}
	if (nh == IPPROTO_TCP) {
		struct tcphdr *th = HDR(struct tcphdr, p, end);

		if (!th)
			return TC_ACT_SHOT;
		if (th->dest == bpf_htons(22) || th->dest == bpf_htons(443))
			return TC_ACT_OK;
		return TC_ACT_SHOT;
	}
	if (nh == IPPROTO_UDP) {
		struct udphdr *uh = HDR(struct udphdr, p, end);

		if (!uh)
			return TC_ACT_SHOT;
		if (uh->dest == bpf_htons(546) && uh->source == bpf_htons(547))
			return TC_ACT_OK;
	}
	return TC_ACT_SHOT;
}
