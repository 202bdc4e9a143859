/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * flowlift_event.h - what a slow-path program tells the agent about a
 * flow it decided: the layout both sides compile against (the BPF helper in
 * flowlift.bpf.h and runtime/). Fixed-size types only, no pointers, explicit
 * padding, so the two compilers agree byte for byte.
 *
 * The event is versioned: 'version' names the layout and 'size' is
 * sizeof(struct flowlift_event) of that version. The agent drops (and
 * counts) events whose version or size it does not know.
 *
 * A flow is the exact 5-tuple (IPv4 or IPv6), the outer VLAN id if the
 * frame is tagged, the device and the hook. For protocols without ports
 * (ICMP, ...) the ports are zero and the rule matches addresses and
 * protocol only: a program that reports such a flow promises that its
 * verdict depends on nothing else.
 */
#ifndef FLOWLIFT_EVENT_H
#define FLOWLIFT_EVENT_H

#include <linux/types.h>

#define FLOWLIFT_EVENT_VERSION 1

/* Map names the agent looks for among the program's maps. */
#define FLOWLIFT_EVENTS_MAP "flowlift_events"
#define FLOWLIFT_SEEN_MAP "flowlift_seen"
#define FLOWLIFT_STATS_MAP "flowlift_stats"

/* Same numbering as enum ir_hook. */
enum flowlift_hook {
	FLOWLIFT_HOOK_TC_INGRESS = 0,
	FLOWLIFT_HOOK_TC_EGRESS = 1,
	FLOWLIFT_HOOK_XDP = 2,
	FLOWLIFT_HOOK__COUNT
};

/* Same numbering as enum ir_verdict (0 is the slow path: never reported). */
enum flowlift_verdict {
	FLOWLIFT_DROP = 1,
	FLOWLIFT_PASS = 2,
	FLOWLIFT_REDIRECT = 3, /* to redirect_ifindex */
	FLOWLIFT_TX = 4,       /* back out of the port (XDP_TX) */
	FLOWLIFT_VERDICT__COUNT
};

/* flowlift_flow_key.flags */
#define FLOWLIFT_KEY_VLAN 0x01 /* vlan_id is the outer tag's VID */

/* flowlift_event.flags / flowlift_seen.flags */
#define FLOWLIFT_REDIRECT_INGRESS 0x01 /* redirect to ingress, not egress */

struct flowlift_flow_key {
	__u32 ifindex;
	__u8 hook;    /* enum flowlift_hook */
	__u8 family;  /* 4 or 6 */
	__u8 proto;   /* IP protocol */
	__u8 flags;   /* FLOWLIFT_KEY_* */
	__u16 vlan_id; /* host order, 0 without FLOWLIFT_KEY_VLAN */
	__be16 sport; /* network order, 0 without ports */
	__be16 dport;
	__u16 pad;
	__u8 src[16]; /* IPv4 in the first 4 bytes, rest zero */
	__u8 dst[16];
};

struct flowlift_event {
	__u16 version; /* FLOWLIFT_EVENT_VERSION */
	__u16 size;    /* sizeof(struct flowlift_event) */
	__u8 verdict;  /* enum flowlift_verdict */
	__u8 flags;    /* FLOWLIFT_REDIRECT_* */
	__u16 pad;
	__u32 redirect_ifindex;
	__u32 generation;   /* the program's policy generation */
	__u64 timestamp_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	struct flowlift_flow_key key;
};

/* Value of flowlift_seen: the last decision reported for a flow. The
 * helper skips a report if the same decision went out within the TTL. */
struct flowlift_seen {
	__u64 timestamp_ns;
	__u32 redirect_ifindex;
	__u32 generation;
	__u8 verdict;
	__u8 flags;
	__u8 pad[6];
};

/* flowlift_stats (per-CPU array) indexes. */
enum flowlift_stat {
	FLOWLIFT_STAT_EVENTS = 0,  /* submitted */
	FLOWLIFT_STAT_SKIPPED = 1, /* reported within the TTL */
	FLOWLIFT_STAT_DROPS = 2,   /* ring buffer full */
	FLOWLIFT_STAT_UNPARSED = 3, /* not a flow the helper can describe */
	FLOWLIFT_STAT__COUNT
};

#endif /* FLOWLIFT_EVENT_H */
