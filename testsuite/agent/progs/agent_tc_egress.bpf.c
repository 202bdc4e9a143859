// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * agent_tc_egress.bpf.c - agent_tc.bpf.c for tc egress: decides each flow
 * by the policy map and reports it to the flowlift agent as a tc egress
 * flow (the nft backend's test: nft egress runs before tc egress).
 */
#include <linux/pkt_cls.h>

#include "agent_policy.h"

SEC("tc")
int agent_tc_egress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	int hw_vlan = skb->vlan_present ? (int)(skb->vlan_tci & 0xfff) : -1;
	struct flowlift_decision d;
	struct flowlift_flow_key k;

	if (flowlift_parse(data, data_end, skb->ifindex,
			   FLOWLIFT_HOOK_TC_EGRESS, hw_vlan, &k))
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
