/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * flowlift.bpf.h - what a slow-path tc/XDP program includes to hand a
 * decided flow to the flowlift agent.
 *
 * The program parses the frame into a flow key (flowlift_parse), decides,
 * and reports the decision (flowlift_submit), or does both at once
 * (flowlift_report). The agent reads the ring buffer 'flowlift_events'
 * and installs one exact-match rule for the flow.
 *
 * Cheap on the fast path: 'flowlift_seen', a small LRU hash, remembers the
 * last decision reported per flow; the same decision is not reported again
 * within FLOWLIFT_SEEN_TTL_NS. A changed decision (verdict, redirect target
 * or policy generation) is reported at once. The seen entry is written only
 * after a ring buffer slot was reserved, so a dropped event (buffer full,
 * counted in flowlift_stats) is retried by the flow's next packet.
 *
 * Parsing is bounded for the verifier: Ethernet, one VLAN tag (in the frame
 * or, for tc, in skb metadata), IPv4 (any IHL, not fragments), IPv6 without
 * extension headers, and the ports of TCP/UDP/SCTP. Anything else is
 * "unparsed" and never reported: it stays in the slow path.
 *
 * Tunables (#define before including): FLOWLIFT_SEEN_TTL_NS (5 s),
 * FLOWLIFT_SEEN_MAX (16384 flows), FLOWLIFT_RINGBUF_BYTES (256 KiB).
 */
#ifndef FLOWLIFT_BPF_H
#define FLOWLIFT_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "flowlift_event.h"

#ifndef FLOWLIFT_SEEN_TTL_NS
#define FLOWLIFT_SEEN_TTL_NS 5000000000ULL
#endif
#ifndef FLOWLIFT_SEEN_MAX
#define FLOWLIFT_SEEN_MAX 16384
#endif
#ifndef FLOWLIFT_RINGBUF_BYTES
#define FLOWLIFT_RINGBUF_BYTES (256 * 1024)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FLOWLIFT_RINGBUF_BYTES);
} flowlift_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FLOWLIFT_SEEN_MAX);
	__type(key, struct flowlift_flow_key);
	__type(value, struct flowlift_seen);
} flowlift_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FLOWLIFT_STAT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} flowlift_stats SEC(".maps");

/* What the program decided for a flow. */
struct flowlift_decision {
	__u8 verdict; /* enum flowlift_verdict */
	__u8 flags;   /* FLOWLIFT_REDIRECT_INGRESS */
	__u32 redirect_ifindex;
	__u32 generation;
};

struct flowlift__vlan {
	__be16 tci;
	__be16 proto;
};

static __always_inline void flowlift__count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&flowlift_stats, &idx);

	if (v)
		*v += 1;
}

static __always_inline int flowlift__ports(void *l4, void *data_end,
					   struct flowlift_flow_key *k)
{
	__be16 *p = l4;

	if (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP &&
	    k->proto != IPPROTO_SCTP)
		return 0;
	if ((void *)(p + 2) > data_end)
		return -1;
	k->sport = p[0];
	k->dport = p[1];
	return 0;
}

static __always_inline int flowlift__ip4(void *l3, void *data_end,
					 struct flowlift_flow_key *k)
{
	struct iphdr *ip = l3;
	__u32 ihl;

	if ((void *)(ip + 1) > data_end)
		return -1;
	ihl = ip->ihl;
	if (ihl < 5)
		return -1;
	/* Fragments: later ones have no ports, the first one is rare;
	 * neither is a flow an exact-match rule can describe. */
	if (ip->frag_off & bpf_htons(0x3fff))
		return -1;
	k->family = 4;
	k->proto = ip->protocol;
	__builtin_memcpy(k->src, &ip->saddr, 4);
	__builtin_memcpy(k->dst, &ip->daddr, 4);
	return flowlift__ports(l3 + ihl * 4, data_end, k);
}

static __always_inline int flowlift__ip6(void *l3, void *data_end,
					 struct flowlift_flow_key *k)
{
	struct ipv6hdr *ip6 = l3;

	if ((void *)(ip6 + 1) > data_end)
		return -1;
	switch (ip6->nexthdr) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_ICMPV6:
		break;
	default: /* extension headers: not described exactly */
		return -1;
	}
	k->family = 6;
	k->proto = ip6->nexthdr;
	__builtin_memcpy(k->src, &ip6->saddr, 16);
	__builtin_memcpy(k->dst, &ip6->daddr, 16);
	return flowlift__ports(ip6 + 1, data_end, k);
}

/*
 * Parse the frame at [data, data_end) into k (zeroed first). hw_vlan is
 * the VID of a tag the device stripped into metadata (tc: skb->vlan_tci
 * when skb->vlan_present), or -1. Returns 0, or -1 if the frame is not a
 * flow the agent can install a rule for.
 */
static __always_inline int flowlift_parse(void *data, void *data_end,
					  __u32 ifindex, __u8 hook,
					  int hw_vlan,
					  struct flowlift_flow_key *k)
{
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	__be16 proto;

	__builtin_memset(k, 0, sizeof(*k));
	k->ifindex = ifindex;
	k->hook = hook;
	if (l3 > data_end)
		return -1;
	proto = eth->h_proto;
	if (hw_vlan >= 0) {
		k->flags |= FLOWLIFT_KEY_VLAN;
		k->vlan_id = hw_vlan & 0xfff;
	}
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		struct flowlift__vlan *vh = l3;

		if (k->flags & FLOWLIFT_KEY_VLAN)
			return -1; /* two tags */
		if ((void *)(vh + 1) > data_end)
			return -1;
		k->flags |= FLOWLIFT_KEY_VLAN;
		k->vlan_id = bpf_ntohs(vh->tci) & 0xfff;
		proto = vh->proto;
		l3 = vh + 1;
	}
	if (proto == bpf_htons(ETH_P_IP))
		return flowlift__ip4(l3, data_end, k);
	if (proto == bpf_htons(ETH_P_IPV6))
		return flowlift__ip6(l3, data_end, k);
	return -1;
}

/*
 * Report decision d for flow k. Returns 0 if an event was submitted, 1 if
 * the same decision was reported within the TTL, -1 if the ring buffer was
 * full (counted; the next packet of the flow tries again).
 */
static __always_inline int flowlift_submit(const struct flowlift_flow_key *k,
					   const struct flowlift_decision *d)
{
	struct flowlift_seen s = {};
	struct flowlift_seen *old;
	struct flowlift_event *ev;
	__u64 now = bpf_ktime_get_ns();

	old = bpf_map_lookup_elem(&flowlift_seen, k);
	if (old && old->verdict == d->verdict && old->flags == d->flags &&
	    old->redirect_ifindex == d->redirect_ifindex &&
	    old->generation == d->generation &&
	    now - old->timestamp_ns < FLOWLIFT_SEEN_TTL_NS) {
		flowlift__count(FLOWLIFT_STAT_SKIPPED);
		return 1;
	}
	ev = bpf_ringbuf_reserve(&flowlift_events, sizeof(*ev), 0);
	if (!ev) {
		flowlift__count(FLOWLIFT_STAT_DROPS);
		return -1;
	}
	ev->version = FLOWLIFT_EVENT_VERSION;
	ev->size = sizeof(*ev);
	ev->verdict = d->verdict;
	ev->flags = d->flags;
	ev->pad = 0;
	ev->redirect_ifindex = d->redirect_ifindex;
	ev->generation = d->generation;
	ev->timestamp_ns = now;
	__builtin_memcpy(&ev->key, k, sizeof(*k));
	s.timestamp_ns = now;
	s.redirect_ifindex = d->redirect_ifindex;
	s.generation = d->generation;
	s.verdict = d->verdict;
	s.flags = d->flags;
	bpf_map_update_elem(&flowlift_seen, k, &s, BPF_ANY);
	bpf_ringbuf_submit(ev, 0);
	flowlift__count(FLOWLIFT_STAT_EVENTS);
	return 0;
}

/* Parse and report in one call; -1 (counted) if the frame is not a flow. */
static __always_inline int flowlift_report(void *data, void *data_end,
					   __u32 ifindex, __u8 hook,
					   int hw_vlan,
					   const struct flowlift_decision *d)
{
	struct flowlift_flow_key k;

	if (flowlift_parse(data, data_end, ifindex, hook, hw_vlan, &k)) {
		flowlift__count(FLOWLIFT_STAT_UNPARSED);
		return -1;
	}
	return flowlift_submit(&k, d);
}

#endif /* FLOWLIFT_BPF_H */
