# SPDX-License-Identifier: Apache-2.0
# flower_replace_mixed - the negative control of the replace check: switch
# from set A to set B one rule at a time with a pause between (7000's rule
# first, 7001's half a second later), so for that half second the device
# holds a mix of both sets. e2e_swap_traffic must report the mix.
F=$FRAMES/swap.frames

setup() {
	e2e_netns_up || { e2e_fail "netns/veth setup failed"; return 1; }
	add="$TC -n $NSB filter add dev vb ingress protocol ip"
	$add prio 1 handle 1 flower skip_hw ip_proto udp dst_port 7000 \
		action drop &&
	$add prio 2 handle 1 flower skip_hw ip_proto udp dst_port 7001 \
		action pass || { e2e_fail "flower rules rejected"; return 1; }
}

one_rule_at_a_time() {
	rep="$TC -n $NSB filter replace dev vb ingress protocol ip"
	$rep prio 1 handle 1 flower skip_hw ip_proto udp dst_port 7000 \
		action pass && sleep 0.5 &&
	$rep prio 2 handle 1 flower skip_hw ip_proto udp dst_port 7001 \
		action drop
}

run() {
	if e2e_swap_traffic $F 600 2000 one_rule_at_a_time; then
		e2e_fail "a rule-by-rule switch went unnoticed"
		return 1
	fi
	case "$(cat "$W/.reason")" in
	*"(a mix)"*) e2e_log "caught: $(cat "$W/.reason")" ;;
	*) return 1 ;;
	esac
}

verify() { true; }

teardown() { e2e_netns_down; }
