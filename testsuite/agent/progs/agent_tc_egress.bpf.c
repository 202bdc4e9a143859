// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * agent_tc_egress.bpf.c - agent_tc.bpf.c for tc egress: decides each flow
 * by the policy map and reports it to the flowlift agent as a tc egress
 * flow (the nft backend's test: nft egress runs before tc egress).
 */
#define AGENT_TC_NAME agent_tc_egress
#define AGENT_TC_HOOK FLOWLIFT_HOOK_TC_EGRESS
#include "agent_tc.bpf.c"
