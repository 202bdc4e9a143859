/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * agent_policy.h - the policy of the example slow-path programs: a hash
 * from (IP protocol, destination port) to a verdict, and a generation
 * number in an array the operator bumps with each policy change. Flows
 * with no entry pass.
 */
#ifndef AGENT_POLICY_H
#define AGENT_POLICY_H

#include "flowlift.bpf.h"

struct agent_policy_key {
	__u8 proto;
	__u8 pad;
	__be16 dport;
};

struct agent_policy_val {
	__u32 verdict; /* enum flowlift_verdict */
	__u32 redirect_ifindex;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct agent_policy_key);
	__type(value, struct agent_policy_val);
} policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} config SEC(".maps");

/* Decide flow k: fills d from the policy. */
static __always_inline void agent_decide(const struct flowlift_flow_key *k,
					 struct flowlift_decision *d)
{
	struct agent_policy_key pk = { .proto = k->proto, .dport = k->dport };
	struct agent_policy_val *pv = bpf_map_lookup_elem(&policy, &pk);
	__u32 zero = 0;
	__u32 *gen = bpf_map_lookup_elem(&config, &zero);

	d->verdict = FLOWLIFT_PASS;
	d->flags = 0;
	d->redirect_ifindex = 0;
	d->generation = gen ? *gen : 0;
	if (pv && pv->verdict > 0 && pv->verdict < FLOWLIFT_VERDICT__COUNT) {
		d->verdict = pv->verdict;
		d->redirect_ifindex = pv->redirect_ifindex;
	}
}

#endif /* AGENT_POLICY_H */
