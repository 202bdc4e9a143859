# SPDX-License-Identifier: Apache-2.0
# flower_replace - `flowlift apply` of a new rule set while traffic flows:
# e2e_swap_a's rules, then e2e_swap_b's with --replace (apply switches one
# goto filter in chain 0 to the new set's chain), on skip_hw flower. No
# packet may see a mix of the two sets (e2e_swap_traffic) and the counters
# must add up, whether apply keeps the old rules around or removes them.
F=$FRAMES/swap.frames
SLOW=60000

setup() {
	e2e_netns_up || { e2e_fail "netns/veth setup failed"; return 1; }
	for v in a b; do
		flowlift compile $OBJ/e2e/e2e_swap_$v.bpf.o \
			--target flower --dev vb --offload sw -o "$W/$v.rules" > "$W/compile.log" 2>&1 || {
			e2e_fail "compile $v: $(tail -n 3 "$W/compile.log")"
			return 1; }
	done
	apply_set a
}

apply_set() { # a|b [--replace]
	$IP netns exec $NSB flowlift apply "$W/$1.rules" --dev vb \
		--offload sw ${2:-} > "$W/apply.log" 2>&1 ||
		{ e2e_fail "apply $1: $(tail -n 3 "$W/apply.log")"; return 1; }
}

run() { e2e_swap_traffic $F 600 2000 apply_set b --replace; }

verify() { e2e_swap_counters ANY $SLOW; }

teardown() { e2e_netns_down; }
