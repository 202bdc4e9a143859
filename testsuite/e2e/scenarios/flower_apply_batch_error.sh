# SPDX-License-Identifier: Apache-2.0
# flower_apply_batch_error - `flowlift apply` sends its rules in windows of
# many requests per sendmsg and asks for one ack per window; a rule the
# kernel rejects in the middle of a batch must still be named (file, line,
# rule) and nothing may stay half-installed:
#   1. 3000 rules, rule 2000 (in the second window) an exact duplicate of
#      rule 10 (flower: EEXIST): exit 1, that rule named, no filter left;
#   2. a good set of 100, then --replace with the bad file: exit 1, the
#      good set and its entry filter untouched;
#   3. --replace with a good 3000-rule file: installed, the old set gone.
# The clsact of vb in $NSB is the device (e2e_netns_up).

gen() { # N DUP_OF DUP_AT > file: N prio-1 rules, rule DUP_AT = DUP_OF
	awk -v n="$1" -v of="$2" -v at="$3" 'BEGIN {
		print "# flowlift flower rules for dev vb ingress, offload sw"
		for (i = 0; i < n; i++) {
			k = (i == at) ? of : i
			printf "filter add dev vb ingress protocol ip prio 1 " \
			    "flower src_ip 10.%d.%d.1 skip_hw action drop\n",
			    int(k / 256), k % 256
		}
		print "filter add dev vb ingress protocol all prio 2 " \
		    "flower skip_hw action goto chain 1"
	}'
}

apply() { # FILE [--replace]: exit status, output in $W/apply.log
	$IP netns exec $NSB flowlift apply "$@" --dev vb --offload sw \
		> "$W/apply.log" 2>&1
}

# filters on vb ingress, all chains: "CHAIN COUNT" lines
chains() {
	$TC -n $NSB filter show dev vb ingress | awk '
	/ handle / { c = "0"; for (i = 1; i < NF; i++)
		if ($i == "chain") c = $(i + 1); n[c]++ }
	END { for (c in n) print c, n[c] }' | sort
}

setup() {
	e2e_netns_up || { e2e_fail "netns/veth setup failed"; return 1; }
	gen 3000 10 2000 > "$W/bad.rules"
	gen 100 -1 -1 > "$W/good100.rules"
	gen 3000 -1 -1 > "$W/good3000.rules"
}

run() {
	# line of rule 2000: 1 header line, then rule i on line i + 2
	if apply "$W/bad.rules"; then
		e2e_fail "the bad set was installed"; return 1
	fi
	e2e_log "bad apply: $(tail -n 1 "$W/apply.log")"
	grep -q "bad.rules:2002: rule 2000 (prio 1): " "$W/apply.log" || {
		e2e_fail "rule 2000 not named: $(head -c 300 "$W/apply.log")"
		return 1; }
	[ "$(grep -c ': rule [0-9]* (prio' "$W/apply.log")" = 1 ] || {
		e2e_fail "other rules named: $(head -c 300 "$W/apply.log")"
		return 1; }
	grep -q "1 of 3001 filters failed on vb; nothing changed" \
		"$W/apply.log" || { e2e_fail "summary: $(tail -n 1 \
		"$W/apply.log")"; return 1; }
	left=$(chains)
	[ -z "$left" ] || { e2e_fail "left after a failed apply: $left"
		return 1; }

	apply "$W/good100.rules" || { e2e_fail "good 100: $(tail -n 2 \
		"$W/apply.log")"; return 1; }
	before=$(chains)
	[ "$before" = "$(printf '0 1\n2 101')" ] || {
		e2e_fail "good 100 installed as: $before"; return 1; }
	if apply "$W/bad.rules" --replace; then
		e2e_fail "the bad set replaced the good one"; return 1
	fi
	grep -q "bad.rules:2002: rule 2000 (prio 1): " "$W/apply.log" || {
		e2e_fail "replace: rule 2000 not named"; return 1; }
	after=$(chains)
	[ "$after" = "$before" ] || {
		e2e_fail "a failed replace changed '$before' into '$after'"
		return 1; }
	$TC -n $NSB filter show dev vb ingress chain 0 | grep -q "chain 2" ||
		{ e2e_fail "the entry no longer jumps to chain 2"; return 1; }

	apply "$W/good3000.rules" --replace || { e2e_fail "good 3000: $(tail \
		-n 2 "$W/apply.log")"; return 1; }
	after=$(chains)
	[ "$after" = "$(printf '0 1\n3 3001')" ] || {
		e2e_fail "good 3000 over good 100 left: $after"; return 1; }
}

verify() { return 0; }

teardown() { e2e_netns_down; }
