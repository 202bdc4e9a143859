# SPDX-License-Identifier: Apache-2.0
# guest-lib.sh - shared by the guest scenarios (installed as /e2e/lib.sh).
#
# A scenario file defines setup, run, verify and teardown (tc-testing
# style); e2e_scenario runs them, teardown always, and prints the result
# marker. A step fails with `e2e_fail "why"`, skips with `e2e_skip "why"`.
# iproute2 is called by full path: busybox's own ip/tc applets come first.
TC=/sbin/tc
IP=/sbin/ip
BPFTOOL=/sbin/bpftool
FRAMES=${FRAMES:-/e2e/frames}
OBJ=${OBJ:-/e2e/obj}
W=${W:-/tmp/e2e-work}
# The sender's and the receiver's namespaces (the host runs use unique ones).
NSA=${NSA:-fl_a}
NSB=${NSB:-fl_b}

e2e_log() { echo "FLE2E LOG $*"; }
e2e_fail() { echo "$*" > "$W/.reason"; echo "FLE2E FAIL-AT $*"; return 1; }
e2e_skip() { echo "$*" > "$W/.reason"; touch "$W/.skip"; return 1; }

e2e_scenario() {
	rm -rf "$W"
	mkdir -p "$W" || return 1
	if setup && run && verify; then
		res="PASS ok"
	elif [ -f "$W/.skip" ]; then
		res="SKIP $(cat "$W/.reason")"
	else
		res="FAIL $(cat "$W/.reason" 2>/dev/null || echo 'a step failed')"
	fi
	teardown >/dev/null 2>&1
	echo "FLE2E RESULT $1 $res"
}

# Two namespaces joined by a veth pair: $NSA/va (10.0.0.1, 02:..:01) sends,
# $NSB/vb (10.0.0.2, 02:..:02) receives with a clsact qdisc. IPv6 is off so
# the kernel sends nothing of its own through the classifier.
# (Neighbours are static, so replies the receiver sends cause no ARP.)
e2e_netns_up() {
	$IP netns add $NSA && $IP netns add $NSB || return 1
	for n in $NSA $NSB; do
		$IP netns exec $n sh -c \
			'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6;
			 echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6'
	done
	$IP link add va netns $NSA address 02:00:00:00:00:01 type veth \
		peer name vb netns $NSB address 02:00:00:00:00:02 || return 1
	$IP -n $NSA addr add 10.0.0.1/24 dev va
	$IP -n $NSB addr add 10.0.0.2/24 dev vb
	# Static neighbours: no ARP from the receiver's replies (RST, ICMP)
	# comes back into the classifier under test.
	$IP -n $NSA neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev va \
		nud permanent
	$IP -n $NSB neigh add 10.0.0.1 lladdr 02:00:00:00:00:01 dev vb \
		nud permanent
	$IP -n $NSA link set va up && $IP -n $NSB link set vb up &&
		$IP -n $NSA link set lo up && $IP -n $NSB link set lo up &&
		$TC -n $NSB qdisc add dev vb clsact
}

e2e_netns_down() {
	$IP netns del $NSA 2>/dev/null
	$IP netns del $NSB 2>/dev/null
	rm -f "${PIN:-/nonexistent}" 2>/dev/null
	return 0
}

# Per-filter counters on vb ingress (all chains), one line per filter:
#   PREF cCHAIN:HANDLE KIND VERDICT PACKETS
# from `tc -s -j -p filter show` (a netlink dump). KIND is the classifier,
# VERDICT its first action ("drop", "pass", "continue", "redirect:DEV", ...;
# "-" if none), PACKETS that action's counter (0 for filters without one).
e2e_counts() {
	$TC -n $NSB -s -j -p filter show dev vb ingress | awk '
	function val(s) { sub(/^[^:]*: */, "", s); gsub(/[",{[]/, "", s)
		return s }
	function flush() {
		if (handle == "")
			return
		v = verdict == "" ? "-" : verdict
		if (akind == "mirred")
			v = "redirect:" dev
		print pref, handle, fkind, v, (pk == "" ? 0 : pk)
	}
	/"chain":/ && !inact { chain = val($0) }
	/"pref":/ { flush(); pref = val($0); fkind = ""; handle = ""
		akind = ""; verdict = ""; pk = ""; inact = 0; want = 0 }
	/"kind":/ { if (!inact && fkind == "") fkind = val($0)
		else if (inact && akind == "") akind = val($0) }
	/"handle":/ && handle == "" { handle = "c" chain ":" val($0) }
	/"actions":/ { inact = 1 }
	/"type":/ && want { verdict = val($0); want = 0 }
	/"control_action":/ && verdict == "" { want = 1 }
	/"to_dev":/ { dev = val($0) }
	/"packets":/ && inact && pk == "" { pk = val($0) }
	END { flush() }'
}

# Packets decided so far: rules that end classification (not "continue",
# nor a "goto" chain)
# below SLOWPREF plus the slow path's counting catch-all at SLOWPREF; every
# packet that reaches ingress moves exactly one of them.
e2e_decided() { # COUNTS_FILE SLOWPREF
	awk -v slow="$2" '($1 + 0 < slow && $4 !~ /^(continue|goto|jump)/) ||
		$1 == slow \
		{ t += $5 } END { print t + 0 }' "$1"
}

# Print the counters once WANT more packets than in BEFORE were decided
# (the receive path may run in ksoftirqd, after the sender returned); gives
# up after ~5 s and prints what it has.
e2e_settle() { # BEFORE WANT SLOWPREF
	b=$(e2e_decided "$1" "$3")
	i=0
	while :; do
		e2e_counts > "$W/settle"
		[ $(($(e2e_decided "$W/settle" "$3") - b)) -ge "$2" ] && break
		i=$((i + 1))
		[ $i -ge 50 ] && break
		sleep 0.1
	done
	cat "$W/settle"
}

# The verdicts BPF_PROG_TEST_RUN gives for every frame of FILE, as the
# classifier sees it (one outer VLAN tag removed by the receive path), in
# one bpftool batch: "NAME VERDICT" lines in $W/oracle, VERDICT pass, drop,
# redirect, continue, other:N, or "none" if test_run refuses the frame (tc
# test_run rejects incomplete IPv4/IPv6 headers).
e2e_oracle_all() { # FILE PIN
	rm -rf "$W/bin"
	mkdir -p "$W/bin"
	: > "$W/oracle.batch"
	for n in $(sendframes list "$1"); do
		sendframes bin -v "$1" "$n" "$W/bin/$n" || return 1
		echo "prog run pinned $2 data_in $W/bin/$n repeat 1" \
			>> "$W/oracle.batch"
	done
	# bpftool -j batch prints one JSON value per command; a refused frame
	# gives an "error" object and ends the batch, so rerun from there.
	sendframes list "$1" > "$W/names"
	: > "$W/oracle"
	i=1
	while [ $i -le $(wc -l < "$W/names") ]; do
		tail -n +$i "$W/oracle.batch" > "$W/rest.batch"
		$BPFTOOL -j batch file "$W/rest.batch" 2>/dev/null |
			sed 's/}{/}\n{/g; s/},{/}\n{/g' |
			sed -n 's/.*"retval":\(-\{0,1\}[0-9]*\).*/\1/p; /"error"/s/.*/none/p' \
			> "$W/rets"
		[ -s "$W/rets" ] || echo none > "$W/rets"
		while read -r r; do
			n=$(sed -n "${i}p" "$W/names")
			[ -n "$n" ] || break
			case "$r" in
			none) v=none ;;
			0) v=pass ;;
			2) v=drop ;;
			7) v=redirect ;;
			-1) v=continue ;;
			*) v="other:$r" ;;
			esac
			echo "$n $v" >> "$W/oracle"
			i=$((i + 1))
			[ "$v" = none ] && break
		done < "$W/rets"
	done
}

# Send each frame of FILE alone and see which filter counted it; compare a
# rule's verdict with BPF_PROG_TEST_RUN of the program pinned at PIN.
# The slow path is the counting flower catch-all "continue" at SLOWPREF,
# then the program itself; other filters that only continue or jump
# (flowlift apply's entry filter, its goto-chain-1 catch-all at pref 65535)
# decide nothing. Writes $W/verdicts:
#   NAME ORACLE HIT VERDICT STATUS
# with HIT "PREF/HANDLE" or "slow", STATUS ok, slow (the catch-all, or a
# rule whose verdict is "slowpath", as nft prints them), noracle or MISMATCH,
# and $W/expect: "PREF/HANDLE HITS" per filter for the burst check.
# Fails (and says why) on a frame counted by no filter or by two.
e2e_check_verdicts() { # FILE PIN SLOWPREF
	: > "$W/verdicts"
	e2e_oracle_all "$1" "$2" || { e2e_fail "test_run oracle failed"; return 1; }
	e2e_counts > "$W/c.before" || return 1
	cp "$W/c.before" "$W/c.start"
	for n in $(sendframes list "$1"); do
		o=$(awk -v n="$n" '$1 == n { print $2 }' "$W/oracle")
		$IP netns exec $NSA sendframes send -i va -n "$n" "$1" \
			>/dev/null || { e2e_fail "sending $n failed"; return 1; }
		e2e_settle "$W/c.before" 1 "$3" > "$W/c.after"
		awk -v slow="$3" -v n="$n" -v o="$o" '
		NR == FNR { b[$1 "/" $2] = $5; next }
		{ d = $5 - b[$1 "/" $2]; if (d <= 0) next
		  if ($1 + 0 == slow) { slowhits += d; next }
		  if ($4 ~ /^(continue|goto|jump)/ || $1 + 0 > slow) next
		  rules++; hit = $1 "/" $2; v = $4; dd = d }
		END {
		  if (rules > 1 || dd > 1) { print n, o, "many", "-", "BAD"; exit }
		  if (rules == 0) {
		    print n, o, "slow", "-", (slowhits == 1 ? "slow" : "BAD")
		    exit }
		  st = (v == "slowpath") ? "slow" : (o == "none") ? "noracle" : \
		       (o == v || (o == "redirect" && v ~ /^redirect/)) ? \
		       "ok" : "MISMATCH"
		  print n, o, hit, v, st }' "$W/c.before" "$W/c.after" \
			>> "$W/verdicts"
		mv "$W/c.after" "$W/c.before"
	done
	awk '{ print "FLE2E LOG verdict", $0 }' "$W/verdicts"
	bad=$(awk '$5 == "BAD" { printf "%s ", $1 }' "$W/verdicts")
	[ -z "$bad" ] || { e2e_fail "frames counted by no filter or by" \
		"several: $bad"; return 1; }
	awk '$3 != "slow" { h[$3]++ } END { for (k in h) print k, h[k] }' \
		"$W/verdicts" | sort > "$W/expect"
}

# Frames whose rule verdict differs from the program's: "a b c" or "".
e2e_mismatches() {
	awk '$5 == "MISMATCH" { printf "%s%s", s, $1; s = " " }' \
		"$W/verdicts"
}

# Send all frames of FILE COUNT times in one burst and check every rule's
# counter rose by COUNT x its hits in the frame-by-frame pass ($W/expect).
e2e_check_burst() { # FILE COUNT SLOWPREF
	e2e_counts > "$W/b.before"
	$IP netns exec $NSA sendframes send -i va -c "$2" "$1" >/dev/null ||
		{ e2e_fail "burst send failed"; return 1; }
	e2e_settle "$W/b.before" \
		$(($2 * $(sendframes list "$1" | wc -l))) "$3" > "$W/b.after"
	msg=$(awk -v k="$2" -v slow="$3" '
	FILENAME == ARGV[1] { e[$1] = $2; next }
	FILENAME == ARGV[2] { b[$1 "/" $2] = $5; next }
	$1 + 0 < slow && $4 !~ /^(continue|goto|jump)/ {
		id = $1 "/" $2; d = $5 - b[id]
		if (d != k * e[id])
			printf "%s counted %d, want %d; ", id, d, k * e[id] }
	' "$W/expect" "$W/b.before" "$W/b.after")
	[ -z "$msg" ] || { e2e_fail "burst counters: $msg"; return 1; }
	e2e_log "burst of $2 x $(sendframes list "$1" | wc -l) frames:" \
		"every rule counter as expected"
}

# Load OBJ's program for test_run and attach it after the rules as the slow
# path, in CHAIN (0 unless given; flowlift apply sends misses to chain 1):
# a counting flower catch-all "continue" at SLOWPREF, then the program (bpf
# da) at SLOWPREF+1.
e2e_slowpath() { # OBJ SEC PIN SLOWPREF [CHAIN]
	$BPFTOOL prog load "$1" "$3" type classifier ||
		{ e2e_fail "bpftool prog load $1 failed"; return 1; }
	$TC -n $NSB filter add dev vb ingress chain "${5:-0}" prio "$4" \
		protocol all flower skip_hw action continue &&
	$TC -n $NSB filter add dev vb ingress chain "${5:-0}" \
		prio $(($4 + 1)) protocol all bpf da obj "$1" sec "$2" ||
		{ e2e_fail "attaching the slow path failed"; return 1; }
}

# Replace a rule set under traffic. The sender loops swap.frames (UDP 7000,
# 7001, 7000, ...; sequence number s at byte 42, so even s = port 7000) while
# a receiver in $NSB records what got through; SWITCH_CMD replaces set A
# (7000 drop, 7001 pass) with set B (7000 pass, 7001 drop) meanwhile.
# Every packet is then OLD (its verdict is A's) or NEW (B's) - the two
# differ for every packet - and the rule set changed atomically iff the
# packets read OLD...OLD NEW...NEW in sending order: one NEW followed by
# an OLD means some packets already saw B while a later one still saw A,
# i.e. the device held a mix of the two sets. Also both must occur (the
# switch happened under traffic), the receiver must have lost nothing to
# its buffer, and the counters must add up (e2e_swap_counters).
e2e_swap_traffic() { # FRAMES COUNT GAP_US SWITCH_CMD...
	f=$1 n=$2 gap=$3
	shift 3
	$IP netns exec $NSB sendframes recv -p 7000,7001 -t 3 \
		> "$W/received" &
	rpid=$!
	sleep 0.5
	$IP netns exec $NSA sendframes send -i va -c "$n" -g "$gap" -s 42 \
		"$f" > "$W/sent" &
	spid=$!
	sleep 1
	"$@" > "$W/switch.log" 2>&1
	src=$?
	wait $spid || { e2e_fail "sender failed"; return 1; }
	wait $rpid
	[ $src = 0 ] || { e2e_fail "the switch failed:" \
		"$(head -c 300 "$W/switch.log")"; return 1; }
	rcvbuf=$($IP netns exec $NSB cat /proc/net/snmp | awk \
		'/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 }
		 else print $c["RcvbufErrors"] }')
	[ "${rcvbuf:-0}" = 0 ] || { e2e_fail "receiver lost $rcvbuf" \
		"datagrams to its buffer"; return 1; }
	awk -v sent="$(cat "$W/sent")" '
	NR == FNR { got[$2] = 1; next }
	END {
		for (s = 0; s < sent; s++) {
			even = (s % 2 == 0)
			st = ((s in got) == even) ? "NEW" : "OLD"
			print s, (even ? 7000 : 7001), (s in got) ? "pass" : \
				"drop", st
		}
	}' "$W/received" /dev/null > "$W/swap"
	awk '{ n[$4]++; if ($4 == "NEW" && !first) first = $1
	       if ($4 == "OLD") last = $1 }
	     END { printf "FLE2E LOG swap: %d sent, %d OLD, %d NEW, " \
		"last OLD %s, first NEW %s\n", NR, n["OLD"], n["NEW"], last,
		first }' "$W/swap"
	mix=$(awk '$4 == "NEW" { seen = 1 } $4 == "OLD" && seen \
		{ printf "%s ", $1; if (++k == 10) exit }' "$W/swap")
	[ -z "$mix" ] || { e2e_fail "packets saw the old set after others" \
		"saw the new one (a mix): seq $mix"; return 1; }
	grep -q " OLD$" "$W/swap" && grep -q " NEW$" "$W/swap" ||
		{ e2e_fail "the switch did not happen under traffic"; return 1; }
}

# Counters after a swap: the rules present now (pref < SLOWPREF, not
# "continue") plus the catch-all must have counted every packet since they
# were installed - all of them if the old set's rules are still there
# (ALL), or the NEW ones if it was removed (NEW; ANY: either) - and the
# drop rules exactly the dropped ones among those.
e2e_swap_counters() { # ALL|NEW SLOWPREF
	e2e_counts > "$W/final"
	if [ "$1" = ANY ]; then
		e2e_swap_counters ALL "$2" >/dev/null 2>&1 ||
			e2e_swap_counters NEW "$2"
		return
	elif [ "$1" = ALL ]; then
		want=$(wc -l < "$W/swap")
		wdrop=$(awk '$3 == "drop"' "$W/swap" | wc -l)
	else
		want=$(awk '$4 == "NEW"' "$W/swap" | wc -l)
		wdrop=$(awk '$4 == "NEW" && $3 == "drop"' "$W/swap" | wc -l)
	fi
	got=$(e2e_decided "$W/final" "$2")
	gdrop=$(awk -v slow="$2" '$1 + 0 < slow && $4 == "drop" { t += $5 }
		END { print t + 0 }' "$W/final")
	[ "$got" = "$want" ] && [ "$gdrop" = "$wdrop" ] || {
		e2e_fail "counters: $got decided ($gdrop dropped), want" \
			"$want ($wdrop dropped)"; return 1; }
	e2e_log "counters add up: $got decided, $gdrop dropped"
}
