# SPDX-License-Identifier: Apache-2.0
# flower_verdicts - flowlift end to end on tc flower: compile e2e_fw.bpf.o
# in the guest (--target flower), install it with `flowlift apply --offload
# sw` (skip_hw flower over netlink) on vb ingress; apply sends misses and
# slow-path rules to chain 1, where the program itself is attached (after a
# counting catch-all); every frame of fw.frames sent alone. Every packet a rule
# decided must get BPF_PROG_TEST_RUN's verdict, every frame be counted once,
# a burst move each rule's counter by its expected hits, and the rules must
# decide some frames (an empty rule set proves nothing).
F=$FRAMES/fw.frames
PIN=/sys/fs/bpf/e2e_fw
SLOW=60000

setup() {
	e2e_netns_up || { e2e_fail "netns/veth setup failed"; return 1; }
	flowlift compile $OBJ/e2e/e2e_fw.bpf.o --target flower --dev vb \
		--offload sw -o "$W/fw.rules" \
		> "$W/compile.log" 2>&1 ||
		{ e2e_fail "compile: $(tail -n 3 "$W/compile.log")"; return 1; }
	$IP netns exec $NSB flowlift apply "$W/fw.rules" --dev vb \
		--offload sw > "$W/apply.log" 2>&1 ||
		{ e2e_fail "apply: $(tail -n 3 "$W/apply.log")"; return 1; }
	e2e_counts > "$W/rules"
	e2e_log "flowlift installed $(wc -l < "$W/rules") filters"
	# apply's own catch-all (pref 65535, goto chain 1) is the only
	# filter allowed at or past the slow path's pref
	awk -v slow=$SLOW '$1 + 0 >= slow && $4 !~ /^(goto|jump)/ { exit 1 }' \
		"$W/rules" ||
		{ e2e_fail "flowlift decides at pref >= $SLOW"; return 1; }
	e2e_slowpath $OBJ/e2e/e2e_fw.bpf.o tc $PIN $SLOW 1
}

run() {
	e2e_check_verdicts $F $PIN $SLOW && e2e_check_burst $F 2 $SLOW
}

verify() {
	m=$(e2e_mismatches)
	[ -z "$m" ] || { e2e_fail "UNSOUND: rule verdict differs from the" \
		"program for: $m"; return 1; }
	fast=$(awk '$5 == "ok"' "$W/verdicts" | wc -l)
	[ "$fast" -ge 1 ] || { e2e_fail "no frame was decided by a rule"; \
		return 1; }
	e2e_log "$fast of $(wc -l < "$W/verdicts") frames decided by rules"
}

teardown() { e2e_netns_down; }
