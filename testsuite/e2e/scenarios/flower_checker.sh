# SPDX-License-Identifier: Apache-2.0
# flower_checker - the negative control: the verdict check must catch an
# unsound rule. "TCP dport 22 drop" without the program's guards is wrong
# for a TCP header cut to its ports and for an IPv4 header with options
# (the program passes those, flower's dissector still finds port 22);
# exactly those frames must be reported. (A first fragment is safe: flower
# parses no ports in fragments, so that frame goes to the slow path.)
F=$FRAMES/fw.frames
PIN=/sys/fs/bpf/e2e_fw
SLOW=60000
WANT="ipopt_ssh trunc_tcp_ssh"

setup() {
	e2e_netns_up || { e2e_fail "netns/veth setup failed"; return 1; }
	$TC -n $NSB filter add dev vb ingress protocol ip prio 1 flower \
		skip_hw src_ip 10.9.0.0/16 action drop &&
	$TC -n $NSB filter add dev vb ingress protocol ip prio 2 flower \
		skip_hw ip_proto tcp dst_port 22 action drop ||
		{ e2e_fail "hand-written flower rules rejected"; return 1; }
	e2e_slowpath $OBJ/e2e/e2e_fw.bpf.o tc $PIN $SLOW
}

run() { e2e_check_verdicts $F $PIN $SLOW; }

verify() {
	m=$(e2e_mismatches)
	[ "$m" = "$WANT" ] || { e2e_fail "checker reported '$m'," \
		"want '$WANT'"; return 1; }
	e2e_log "the unsound rule was caught on: $m"
}

teardown() { e2e_netns_down; }
