// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * agent_tc.bpf.c - a tc ingress slow path that decides each flow by the
 * policy map and reports the decision to the flowlift agent.
 * agent_tc_egress.bpf.c builds the same program for tc egress by setting
 * AGENT_TC_NAME and AGENT_TC_HOOK first.
 */
#include <linux/pkt_cls.h>

#include "agent_policy.h"

#ifndef AGENT_TC_NAME
#define AGENT_TC_NAME agent_tc
#define AGENT_TC_HOOK FLOWLIFT_HOOK_TC_INGRESS
#endif

SEC("tc")
int AGENT_TC_NAME(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	int hw_vlan = skb->vlan_present ? (int)(skb->vlan_tci & 0xfff) : -1;
	struct flowlift_decision d;
	struct flowlift_flow_key k;

	if (flowlift_parse(data, data_end, skb->ifindex, AGENT_TC_HOOK, hw_vlan,
			   &k))
		return TC_ACT_OK;
	agent_decide(&k, &d);
	flowlift_submit(&k, &d);
	switch (d.verdict) {
	case FLOWLIFT_DROP:
		return TC_ACT_SHOT;
	case FLOWLIFT_REDIRECT:
		return bpf_redirect(d.redirect_ifindex,
				    d.flags & FLOWLIFT_REDIRECT_INGRESS ?
				    BPF_F_INGRESS : 0);
	default:
		return TC_ACT_OK;
	}
}

char _license[] SEC("license") = "Dual BSD/GPL";
