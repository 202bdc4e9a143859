/* SPDX-License-Identifier: Apache-2.0 */
/*
 * e2e_swap.h - the two versions of the replace-under-traffic scenario's
 * program. swap.frames sends UDP to port 7000 to vb's own MAC and UDP to
 * port 7001 to the broadcast MAC; version A drops unicast IPv4 frames and
 * passes broadcast ones (so 7000 drops, 7001 passes), version B the other
 * way round; everything else passes in both. A packet therefore tells
 * which version's rules decided it.
 *
 * The decision reads skb->protocol and the destination MAC only: a path
 * that reads the IP header carries a frame length bound flower cannot
 * match, and flowlift then leaves all IPv4 to the slow path, so a port
 * based version would compile to no deciding flower rule at all.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

static __always_inline int e2e_swap(struct __sk_buff *skb, int drop_bcast)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if ((void *)(eth + 1) > end)
		return TC_ACT_OK;
	if ((eth->h_dest[0] & 1) == drop_bcast)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}
