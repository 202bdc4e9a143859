// SPDX-License-Identifier: GPL-2.0
/* dns_ntp_amp: amplification filter for a resolver farm's uplink. Drops
 * NTP mode 7 (monlist) responses, DNS responses larger than 512 bytes
 * that come from outside the trusted resolvers, and anything from the
 * chargen, SSDP, memcached and CLDAP ports. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __be32);
	__type(value, __u8);
} trusted_resolvers SEC(".maps");

SEC("xdp")
int dns_ntp_amp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = HDR(struct ethhdr, data, end);
	struct udphdr *uh;
	struct iphdr *ip;
	__u8 *mode;

	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = HDR(struct iphdr, eth + 1, end);
	if (!ip || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	if (ip->ihl != 5 || (ip->frag_off & bpf_htons(0x1fff)))
		return XDP_PASS;
	uh = HDR(struct udphdr, ip + 1, end);
	if (!uh)
		return XDP_DROP;
	switch (bpf_ntohs(uh->source)) {
	case 19:
	case 389:
	case 1900:
	case 11211:
		return XDP_DROP;
	case 123:
		mode = HDR(__u8, uh + 1, end);
		if (!mode)
			return XDP_DROP;
		return (*mode & 7) == 7 ? XDP_DROP : XDP_PASS;
	case 53:
		if (bpf_map_lookup_elem(&trusted_resolvers, &ip->saddr))
			return XDP_PASS;
		return bpf_ntohs(uh->len) > 520 ? XDP_DROP : XDP_PASS;
	}
	return XDP_PASS;
}
