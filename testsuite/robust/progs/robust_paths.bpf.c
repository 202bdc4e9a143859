// SPDX-License-Identifier: Apache-2.0
/* robust_paths: eight values tested on each of six header fields, the verdict
 * a sum over all of them, so that no two paths join: 9^6 (half a million)
 * paths, far past the lifter's path limit, which it must hit and report. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define STEPS(x)                                                      \
	do {                                                          \
		_Pragma("clang loop unroll(full)")                    \
		for (int j = 1; j <= 8; j++) {                        \
			if ((x) == j * 28)                             \
				sum += j;                             \
			asm volatile("" : "+r"(sum));                 \
		}                                                     \
	} while (0)

SEC("xdp")
int robust_paths(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u32 sum = 0;

	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != 17)
		return XDP_PASS;
	STEPS(ip->ttl);
	STEPS(ip->tos);
	STEPS(bpf_ntohs(udp->source));
	STEPS(bpf_ntohs(udp->dest));
	STEPS(bpf_ntohl(ip->saddr));
	STEPS(bpf_ntohl(ip->daddr));
	return sum == 17 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
