// SPDX-License-Identifier: Apache-2.0
/* vlan_tc: tenant isolation on a trunk port, tc ingress: the kernel has
 * already taken the tag into skb->vlan_tci. Frames of VLAN 100 are
 * dropped, untagged frames pass, other VLANs pass only if IPv4. */
#include "golden.h"

SEC("tc")
int vlan_tc(struct __sk_buff *skb)
{
	if (!skb->vlan_present)
		return TC_ACT_OK;
	if ((skb->vlan_tci & 0x0fff) == 100)
		return TC_ACT_SHOT;
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
