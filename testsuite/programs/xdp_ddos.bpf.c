// SPDX-License-Identifier: GPL-2.0
/* xdp_ddos: first line of defence on the uplink. Drops TCP packets with
 * impossible flag combinations (NULL, SYN+FIN, SYN+RST, XMAS), SYNs to
 * closed port ranges, UDP from well-known reflector ports and to the
 * blocked-port table; everything else passes. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __be16); /* destination port, network order */
	__type(value, __u8);
} blocked_dports SEC(".maps");

static __always_inline int tcp_verdict(struct tcphdr *th)
{
	__u8 fl = ((__u8 *)th)[13];

	if (!(fl & 0x3f))
		return XDP_DROP; /* NULL scan */
	if ((fl & 0x03) == 0x03 || (fl & 0x06) == 0x06)
		return XDP_DROP; /* SYN+FIN, SYN+RST */
	if ((fl & 0x29) == 0x29)
		return XDP_DROP; /* FIN+PSH+URG */
	if ((fl & 0x12) == 0x02) {
		__u16 d = bpf_ntohs(th->dest);

		if (d >= 6000 && d <= 6063)
			return XDP_DROP; /* X11 */
		if (d >= 135 && d <= 139)
			return XDP_DROP; /* NetBIOS/RPC */
	}
	return XDP_PASS;
}

SEC("xdp")
int xdp_ddos(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct iphdr *ip;
	struct tcphdr *th;
	struct udphdr *uh;
	__u16 s;

	if (!eth)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = HDR(struct iphdr, eth + 1, end);
	if (!ip)
		return XDP_DROP;
	if (ip->ihl != 5)
		return XDP_PASS; /* options: let the stack decide */
	if (ip->protocol == IPPROTO_TCP) {
		th = HDR(struct tcphdr, ip + 1, end);
		if (!th)
			return XDP_DROP;
		return tcp_verdict(th);
	}
	if (ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	uh = HDR(struct udphdr, ip + 1, end);
	if (!uh)
		return XDP_DROP;
	s = bpf_ntohs(uh->source);
	if (s == 19 || s == 1900 || s == 11211 || (s >= 17 && s <= 18))
		return XDP_DROP;
	if (bpf_map_lookup_elem(&blocked_dports, &uh->dest))
		return XDP_DROP;
	return XDP_PASS;
}
