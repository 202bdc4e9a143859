# SPDX-License-Identifier: Apache-2.0
# nft_checker - the negative control on nftables: "tcp dport 22 drop"
# without the program's guards is unsound for an IPv4 header with options,
# for fragments (nft reads "ports" at the transport offset of a first and
# of a later fragment alike) and for a TCP header cut to its ports; the
# program passes all of those. The verdict check must report exactly those
# frames.
F=$FRAMES/fw.frames
PIN=/sys/fs/bpf/fl_e2e_fw_$$
SLOW=60000
WANT="ipopt_ssh frag_first_ssh frag_later trunc_tcp_ssh"

setup() {
	e2e_netns_up || { e2e_fail "netns/veth setup failed"; return 1; }
	cat > "$W/rules.nft" <<-EOR
	table netdev flowlift
	delete table netdev flowlift
	table netdev flowlift {
		chain ingress {
			type filter hook ingress device "vb" priority 0;
			ip saddr 10.9.0.0/16 counter drop comment "prio 1"
			tcp dport 22 counter drop comment "prio 2"
		}
	}
	EOR
	e2e_nft_load "$W/rules.nft" && e2e_oracle_load $OBJ/e2e/e2e_fw.bpf.o $PIN
}

run() { e2e_check_verdicts $F $PIN $SLOW; }

verify() {
	m=$(e2e_mismatches)
	[ "$m" = "$WANT" ] || { e2e_fail "checker reported '$m'," \
		"want '$WANT'"; return 1; }
	e2e_log "the unsound rule was caught on: $m"
}

teardown() { e2e_netns_down; }
