# SPDX-License-Identifier: Apache-2.0
# nft_verdicts - flowlift end to end on nftables: `flowlift compile
# --target nft --offload sw` of e2e_fw.bpf.o loaded with nft -f on vb's
# netdev ingress; every frame of fw.frames sent alone. Every packet a rule
# decided must get BPF_PROG_TEST_RUN's verdict on this kernel ("slowpath"
# rules hand it on undecided), every frame be counted once, a burst move
# each counter by its expected hits, and some frame be decided by a rule.
F=$FRAMES/fw.frames
PIN=/sys/fs/bpf/fl_e2e_fw_$$
SLOW=60000

setup() {
	e2e_netns_up || { e2e_fail "netns/veth setup failed"; return 1; }
	flowlift compile $OBJ/e2e/e2e_fw.bpf.o --target nft --dev vb \
		--offload sw -o "$W/fw.nft" > "$W/compile.log" 2>&1 ||
		{ e2e_fail "compile: $(tail -n 3 "$W/compile.log")"; return 1; }
	e2e_nft_load "$W/fw.nft" && e2e_oracle_load $OBJ/e2e/e2e_fw.bpf.o $PIN
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
