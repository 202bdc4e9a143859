// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * agent_xdp.bpf.c - an XDP slow path that decides each flow by the policy
 * map and reports the decision to the flowlift agent.
 */
#include "agent_policy.h"

SEC("xdp")
int agent_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct flowlift_decision d;
	struct flowlift_flow_key k;

	if (flowlift_parse(data, data_end, ctx->ingress_ifindex,
			   FLOWLIFT_HOOK_XDP, -1, &k))
		return XDP_PASS; /* not a flow: stays here, unreported */
	agent_decide(&k, &d);
	flowlift_submit(&k, &d);
	switch (d.verdict) {
	case FLOWLIFT_DROP:
		return XDP_DROP;
	case FLOWLIFT_TX:
		return XDP_TX;
	case FLOWLIFT_REDIRECT:
		return bpf_redirect(d.redirect_ifindex, 0);
	default:
		return XDP_PASS;
	}
}

char _license[] SEC("license") = "Dual BSD/GPL";
