# SPDX-License-Identifier: Apache-2.0
# nft_plumbing - the host harness without flowlift: a hand-written netdev
# ingress table, sound for e2e_fw.bpf.o, every frame of fw.frames sent
# alone; every rule hit must agree with BPF_PROG_TEST_RUN on this kernel,
# every frame be counted once, a burst move counters by the expected hits.
F=$FRAMES/fw.frames
PIN=/sys/fs/bpf/fl_e2e_fw_$$
SLOW=60000

setup() {
	e2e_netns_up || { e2e_fail "netns/veth setup failed"; return 1; }
	cat > "$W/rules.nft" <<-EOR
	table netdev flowlift
	delete table netdev flowlift
	table netdev flowlift {
		chain ingress {
			type filter hook ingress device "vb" priority 0;
			ip saddr 10.9.0.0/16 counter drop comment "prio 1"
			udp dport 53 counter accept comment "prio 2"
			ip frag-off & 0x3fff == 0 tcp dport 80 counter accept comment "prio 3"
		}
	}
	EOR
	e2e_nft_load "$W/rules.nft" && e2e_oracle_load $OBJ/e2e/e2e_fw.bpf.o $PIN
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
