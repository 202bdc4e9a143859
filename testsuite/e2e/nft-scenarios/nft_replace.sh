# SPDX-License-Identifier: Apache-2.0
# nft_replace - a new flowlift nft rule set loaded while traffic flows:
# e2e_swap_a's rules, then e2e_swap_b's (flowlift's nft output re-creates
# its table in one transaction). No packet may see a mix; B's counters must
# count exactly the packets after the switch.
F=$FRAMES/swap.frames
SLOW=60000

setup() {
	e2e_netns_up || { e2e_fail "netns/veth setup failed"; return 1; }
	for v in a b; do
		flowlift compile $OBJ/e2e/e2e_swap_$v.bpf.o --target nft \
			--dev vb --offload sw -o "$W/$v.nft" \
			> "$W/compile.log" 2>&1 || {
			e2e_fail "compile $v: $(tail -n 3 "$W/compile.log")"
			return 1; }
	done
	$IP netns exec $NSB $NFT -f "$W/a.nft" ||
		{ e2e_fail "nft -f a.nft failed"; return 1; }
}

switch_to_b() { $IP netns exec $NSB $NFT -f "$W/b.nft"; }

run() { e2e_swap_traffic $F 600 2000 switch_to_b; }

verify() { e2e_swap_counters NEW $SLOW; }

teardown() { e2e_netns_down; }
