/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backends.h - targets for rule sets: tc flower (tc -batch text and
 * netlink), nftables netdev (nft -f text), DPDK rte_flow (testpmd flow
 * commands). Each backend is an ops struct with a capability description
 * (struct ir_caps) that legalisation uses, so that what reaches print() is
 * always expressible.
 */
#ifndef FLOWLIFT_BACKENDS_H
#define FLOWLIFT_BACKENDS_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ir/ir.h"

enum be_offload {
	BE_OFFLOAD_HW,   /* flower skip_sw; nft "flags offload" (default) */
	BE_OFFLOAD_SW,   /* flower skip_hw; nft without the offload flag */
	BE_OFFLOAD_BOTH, /* flower with neither flag */
};

struct be_ifname {
	uint32_t ifindex;
	char name[IF_NAMESIZE];
};

struct be_opts {
	const char *dev;     /* device the rules go on (flower, nft) */
	uint32_t port;       /* DPDK port id (rteflow) */
	enum be_offload offload;
	bool egress;         /* tc egress instead of ingress */
	uint32_t chain;      /* tc chain / rte_flow group (0) */
	uint32_t prio_base;  /* added to every rule's priority (0) */
	/* ifindex -> device name for redirects; unresolved ones are looked
	 * up on the host (if_indextoname), else an error. */
	const struct be_ifname *ifnames;
	size_t n_ifnames;
};

struct be_ops {
	const char *name; /* "flower", "nft", "rteflow" */
	const struct ir_caps *caps;
	/* Print rs (already legalised for caps) as the target's text, with
	 * '#' header lines. -EOPNOTSUPP with a reason if a rule cannot be
	 * expressed after all (a legalisation bug, never silent). */
	int (*print)(const struct ir_ruleset *rs, const struct be_opts *o,
		     FILE *f, char *err, size_t errsz);
	/* Parse the target's text back into IR (NULL where unsupported). */
	struct ir_ruleset *(*parse)(FILE *f, const struct be_opts *o, char *err,
				    size_t errsz);
};

/* By name; NULL if unknown. */
const struct be_ops *be_find(const char *name);

/*
 * tc flower over netlink (libmnl): batched requests with extended acks.
 */
struct be_nl;

/* Open a NETLINK_ROUTE socket with extended acks enabled. NULL + errno. */
struct be_nl *be_nl__open(char *err, size_t errsz);
void be_nl__close(struct be_nl *nl);

#define BE_COOKIE_MAX 16

/* One flower filter as flowlift installs and dumps it. */
struct be_flower_filter {
	uint32_t ifindex;
	bool egress;
	uint32_t chain;
	uint32_t prio;
	uint16_t protocol;   /* ethertype, host order (ETH_P_IP, ...) */
	uint32_t handle;     /* 0: let the kernel choose (on add) */
	struct ir_rule rule; /* matches + action (provenance unused) */
	enum be_offload offload;
	uint8_t cookie[BE_COOKIE_MAX]; /* TCA_ACT_COOKIE on the first action */
	uint8_t cookie_len;
	/* Filled by dump: */
	uint64_t packets, bytes;
	uint64_t lastused_ms; /* ms since last hit (TCA_STATS tm.lastuse) */
	uint64_t installed_ms;
	bool in_hw;
	/* Slowpath verdict: 0 = trap under BE_OFFLOAD_HW, else goto chain
	 * chain + 1; non-zero = goto this chain in every mode. Dump fills it
	 * from the filter's goto, if any. */
	uint32_t goto_chain;
};

/* Queue an add (NLM_F_CREATE|NLM_F_EXCL) / delete in the current batch.
 * 'tag' comes back in the result callback. */
int be_flower_nl__add(struct be_nl *nl, const struct be_flower_filter *f,
		      uint64_t tag);
int be_flower_nl__del(struct be_nl *nl, const struct be_flower_filter *f,
		      uint64_t tag);

/* Result of one queued request: err is 0 or negative errno, msg the
 * kernel's extended-ack text ("" if none). */
typedef void (*be_nl_result_fn)(uint64_t tag, int err, const char *msg,
				void *arg);

/* Send the queued batch and collect one result per request. Returns 0 if
 * all succeeded, else the first error (results say which). */
int be_nl__flush(struct be_nl *nl, be_nl_result_fn cb, void *arg);

/* Dump flower filters on ifindex/direction/chain (with stats). */
typedef int (*be_flower_dump_fn)(const struct be_flower_filter *f, void *arg);
int be_flower_nl__dump(struct be_nl *nl, uint32_t ifindex, bool egress,
		       uint32_t chain, be_flower_dump_fn cb, void *arg);

#endif /* FLOWLIFT_BACKENDS_H */
