# SPDX-License-Identifier: Apache-2.0
# flower_plumbing - the harness itself, without flowlift: hand-written
# flower rules that are sound for e2e_fw.bpf.o (source 10.9/16 drop, UDP 53
# pass, plain TCP 80 pass), the program as slow path, every frame of
# fw.frames sent alone. Every rule hit must agree with BPF_PROG_TEST_RUN,
# every frame must be counted exactly once, and a burst must move the
# counters by exactly the expected hits.
F=$FRAMES/fw.frames
PIN=/sys/fs/bpf/e2e_fw
SLOW=60000

setup() {
	e2e_netns_up || { e2e_fail "netns/veth setup failed"; return 1; }
	add="$TC -n $NSB filter add dev vb ingress protocol ip"
	$add prio 1 flower skip_hw src_ip 10.9.0.0/16 action drop &&
	$add prio 2 flower skip_hw ip_proto udp dst_port 53 action pass &&
	$add prio 3 flower skip_hw ip_flags nofrag ip_proto tcp \
		dst_port 80 action pass ||
		{ e2e_fail "hand-written flower rules rejected"; return 1; }
	e2e_slowpath $OBJ/e2e/e2e_fw.bpf.o tc $PIN $SLOW
}

run() {
	e2e_check_verdicts $F $PIN $SLOW && e2e_check_burst $F 3 $SLOW
}

verify() {
	m=$(e2e_mismatches)
	[ -z "$m" ] || { e2e_fail "rule verdict differs from the program" \
		"for: $m"; return 1; }
	fast=$(awk '$5 == "ok"' "$W/verdicts" | wc -l)
	[ "$fast" -ge 5 ] || { e2e_fail "only $fast frames hit a rule"; \
		return 1; }
	e2e_log "$fast of $(wc -l < "$W/verdicts") frames decided by rules"
}

teardown() { e2e_netns_down; }
