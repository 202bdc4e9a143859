# SPDX-License-Identifier: Apache-2.0
# flower_replace_plumbing - the replace-under-traffic check without
# flowlift: set A in chain 1, set B in chain 2, and one filter in chain 0
# that jumps to A; `tc filter replace` of that one filter switches to B
# atomically. No packet may see a mix (e2e_swap_traffic) and the counters
# of both sets together must add up to all packets.
F=$FRAMES/swap.frames
SLOW=60000

setup() {
	e2e_netns_up || { e2e_fail "netns/veth setup failed"; return 1; }
	add="$TC -n $NSB filter add dev vb ingress protocol ip"
	$add chain 1 prio 1 flower skip_hw ip_proto udp dst_port 7000 \
		action drop &&
	$add chain 1 prio 2 flower skip_hw ip_proto udp dst_port 7001 \
		action pass &&
	$add chain 2 prio 1 flower skip_hw ip_proto udp dst_port 7000 \
		action pass &&
	$add chain 2 prio 2 flower skip_hw ip_proto udp dst_port 7001 \
		action drop &&
	$add chain 0 prio 1 handle 1 flower skip_hw action goto chain 1 ||
		{ e2e_fail "flower rules rejected"; return 1; }
}

switch_to_b() {
	$TC -n $NSB filter replace dev vb ingress protocol ip chain 0 prio 1 \
		handle 1 flower skip_hw action goto chain 2
}

run() { e2e_swap_traffic $F 600 2000 switch_to_b; }

verify() { e2e_swap_counters ALL $SLOW; }

teardown() { e2e_netns_down; }
