# SPDX-License-Identifier: Apache-2.0
# nft_replace_plumbing - replace under traffic on nftables without
# flowlift: set A, then set B loaded as one `nft -f` transaction that
# deletes and re-creates the table (the form flowlift's nft backend
# prints). No packet may see a mix; B's counters must count exactly the
# packets after the switch.
F=$FRAMES/swap.frames
SLOW=60000

ruleset() { # DROP_PORT PASS_PORT
	cat <<-EOR
	table netdev flowlift
	delete table netdev flowlift
	table netdev flowlift {
		chain ingress {
			type filter hook ingress device "vb" priority 0;
			udp dport $1 counter drop comment "prio 1"
			udp dport $2 counter accept comment "prio 2"
		}
	}
	EOR
}

setup() {
	e2e_netns_up || { e2e_fail "netns/veth setup failed"; return 1; }
	ruleset 7000 7001 > "$W/a.nft" && ruleset 7001 7000 > "$W/b.nft" &&
	e2e_nft_load "$W/a.nft"
}

switch_to_b() { $IP netns exec $NSB $NFT -f "$W/b.nft"; }

run() { e2e_swap_traffic $F 600 2000 switch_to_b; }

verify() { e2e_swap_counters NEW $SLOW; }

teardown() { e2e_netns_down; }
