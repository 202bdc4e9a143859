// SPDX-License-Identifier: GPL-2.0
/* tc_vlan_meta: the same tenant idea at tc ingress, where the kernel has
 * already moved the outer tag into skb->vlan_tci. Frames of VLAN 0/none
 * pass (management), frames of blocked VLANs are dropped, the rest pass.
 * BPF_PROG_TEST_RUN cannot set vlan_tci, so verify judges this program
 * on untagged frames only. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u16);
	__type(value, __u8);
} blocked_vlans SEC(".maps");

SEC("tc")
int tc_vlan_meta(struct __sk_buff *skb)
{
	__u16 vid;

	if (!skb->vlan_present)
		return TC_ACT_OK;
	vid = skb->vlan_tci & 0x0fff;
	if (bpf_map_lookup_elem(&blocked_vlans, &vid))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}
