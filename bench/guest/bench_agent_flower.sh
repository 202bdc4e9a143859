# SPDX-License-Identifier: Apache-2.0
# bench_agent_flower.sh - guest scenario (sourced by the e2e guest's /init
# with /e2e/lib.sh): sustained flow setups of `flowlift agent` with real tc
# flower (skip_hw) in this kernel, and the same runs with --backend sim.
#
# The slow path is testsuite/agent's agent_tc.bpf.o (loaded afresh for each
# run, so its seen map and ring buffer start empty). New flows reach it in
# one of two ways (SOURCE):
#   veth  real frames: `sendframes send -i va -c N -g GAP -s 32` sends one
#         TCP SYN N times with a sequence number over the last two bytes of
#         the destination address and the source port (one new 5-tuple per
#         frame) into veth va; agent_tc runs on vb ingress (after a counting
#         flower catch-all), reports each flow on its ring buffer, the
#         agent installs flower rules on vb ingress.
#   fire  BPF_PROG_TEST_RUN: `bench_fire PIN N RATE` (one test run per new
#         flow, paced). A test run's skb is on loopback (ifindex 1), so the
#         agent installs its flower rules on lo ingress.
# Backends: flower (--offload sw: skip_hw) or sim (the agent's own cost).
# Plan: /e2e/bench/plan, lines "SOURCE BACKEND FLOWS RATE INTERVAL REP"
# (RATE 0: unpaced; for veth RATE becomes the gap 1e6/RATE us between
# frames, and a sleep under TCG overshoots by ms, so the achieved rate is
# far lower: it is measured; INTERVAL: the agent's --interval, 1s or one
# longer than the run, so no stats write or reap falls inside it).
# /e2e/bench/bench_fire is the firing binary.
#
# Each run: agent started (--interval INTERVAL, --idle-timeout 600s,
# --stats), 1 s settle, flows fired, then (INTERVAL 1s) wait until the
# stats file shows every event installed (or given up) and no new event
# for 2 s (at most 90 s), or (longer INTERVAL) 4 s after the last flow;
# the agent's flower rules counted with `tc filter show | grep -c`,
# SIGTERM (the agent writes its stats, removes its rules) timed. Prints
# one line per run:
#   FLBENCH agent SOURCE BACKEND FLOWS RATE INTERVAL REP key=value...
BENCH=/e2e/bench
PIN=/sys/fs/bpf/fl_bench_agent_tc
PROG=$OBJ/agent/agent_tc.bpf.o
SLOW=60000
BAND=49152
AGENT_PID=

up() { cut -d' ' -f1 /proc/uptime; }

metric() { awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' \
	"$W/stats" 2>/dev/null; }

# A latency quantile of the agent's histogram in us.
q() {
	qn=flowlift_agent_install_latency_quantile_seconds
	metric "$qn{quantile=\"$1\"}" | awk '{ printf "%.0f", $1 * 1e6 }'
}

setup() {
	[ -x $BENCH/bench_fire ] ||
		{ e2e_fail "no $BENCH/bench_fire"; return 1; }
	[ -s $BENCH/plan ] || { e2e_fail "no $BENCH/plan"; return 1; }
	[ -f "$PROG" ] || { e2e_fail "no $PROG"; return 1; }
	for c in all default; do
		echo 1 > /proc/sys/net/ipv6/conf/$c/disable_ipv6
	done
	$IP link add va address 02:00:00:00:00:01 type veth peer name vb \
		address 02:00:00:00:00:02 || { e2e_fail "veth"; return 1; }
	$IP link set va up && $IP link set vb up && $IP link set lo up ||
		{ e2e_fail "link up"; return 1; }
	# one SYN 10.0.0.1:1024 -> 10.0.0.2:443; -s 32 numbers the frames
	echo "syn 020000000002.020000000001.0800" \
		".4500002800004000400600000a0000010a000002" \
		".040001bb00000000000000005002ffff00000000" |
		sed 's/ \././g' > "$W/syn.frames"
}

# Fresh program and clsact qdiscs (not timed).
fresh() { # SOURCE
	rm -f $PIN
	$TC qdisc del dev vb clsact 2>/dev/null
	$TC qdisc del dev lo clsact 2>/dev/null
	$TC qdisc add dev vb clsact && $TC qdisc add dev lo clsact ||
		{ e2e_fail "clsact"; return 1; }
	$BPFTOOL prog load $PROG $PIN type classifier ||
		{ e2e_fail "bpftool prog load $PROG"; return 1; }
	[ "$1" = veth ] || return 0
	# a counting catch-all ahead of the program: what the slow path sees
	$TC filter add dev vb ingress prio $SLOW protocol all flower skip_hw \
		action continue &&
	$TC filter add dev vb ingress prio $((SLOW + 1)) protocol all bpf da \
		object-pinned $PIN ||
		{ e2e_fail "attaching agent_tc"; return 1; }
}

# The agent's flower rules on DEV (its three bands from prio $BAND).
band_rules() {
	$TC filter show dev "$1" ingress | grep ' handle ' |
		grep -cE "pref ($BAND|$((BAND + 1))|$((BAND + 2))) "
}

# Packets the counting catch-all saw.
slow_packets() {
	$TC -s filter show dev vb ingress prio $SLOW |
		awk '/Sent/ { print $4; exit }'
}

# Fire N new flows at RATE from SOURCE; the last line of the output has
# the firing time ("fire ... seconds=S" or "timeit seconds=S").
fire() { # SOURCE N RATE
	if [ "$1" = fire ]; then
		$BENCH/bench_fire $PIN "$2" "$3"
		return
	fi
	gap=0
	[ "$3" = 0 ] || gap=$((1000000 / $3))
	/bin/bench_timeit sendframes send -i va -c "$2" -g $gap -s 32 \
		"$W/syn.frames"
}

# once SOURCE BACKEND N RATE INTERVAL REP
once() {
	src=$1 be=$2 n=$3 rate=$4 iv=$5 rep=$6
	dev=vb
	[ "$src" = fire ] && dev=lo
	fresh "$src" || return 1
	rm -f "$W/stats"
	case $be in
	flower) set -- --backend flower --dev $dev --offload sw ;;
	*) set -- --backend sim ;;
	esac
	flowlift agent --pin $PIN "$@" --interval $iv --idle-timeout 600s \
		--stats "$W/stats" >> "$W/agent.log" 2>&1 &
	AGENT_PID=$!
	sleep 1
	kill -0 $AGENT_PID 2>/dev/null ||
		{ e2e_fail "agent did not start: $(tail -3 "$W/agent.log")"
		return 1; }
	t0=$(up)
	fire "$src" "$n" "$rate" > "$W/fire.out" 2>&1 &
	fpid=$!
	# every change of the installed count as the agent writes its stats
	# (once per --interval): "UPTIME INSTALLED" lines in $W/samples
	: > "$W/samples"
	last=-1 same=0 tdone='' fdone='' prev=0
	while [ $same -lt 8 ]; do
		sleep 0.25
		if [ -z "$fdone" ] && ! kill -0 $fpid 2>/dev/null; then
			wait $fpid || { e2e_fail "firing: $(tail -2 \
				"$W/fire.out")"; return 1; }
			fdone=$(up)
		fi
		# shellcheck disable=SC2046 # three numbers
		set -- $(awk '{ v[$1] = $2 } END {
			print v["flowlift_agent_events_total"] + 0,
			v["flowlift_agent_flows_installed_total"] + 0,
			v["flowlift_agent_flows_installed_total"] +
			v["flowlift_agent_flows_failed_total"] +
			v["flowlift_agent_events_invalid_total"] +
			v["flowlift_agent_events_duplicate_total"] +
			v["flowlift_agent_events_refused_total"] }' \
			"$W/stats" 2>/dev/null)
		ev=${1:-0} inst=${2:-0} fin=${3:-0}
		[ "$inst" = "$prev" ] || echo "$(up) $inst" >> "$W/samples"
		prev=$inst
		# drained: firing over, every event installed or given up, no
		# new event for 2 s
		if [ -n "$fdone" ] && [ "$ev" -gt 0 ] && [ "$fin" -ge "$ev" ]
		then
			[ -n "$tdone" ] || tdone=$(up)
			[ "$ev" = "$last" ] && same=$((same + 1)) || same=0
		else
			tdone='' same=0
		fi
		last=$ev
		awk -v a="$(up)" -v b="$t0" 'BEGIN { exit !(a - b > 90) }' &&
			break
		# no stats writes to watch: a fixed 4 s after the last flow
		if [ "$iv" != 1s ] && [ -n "$fdone" ] && awk -v a="$(up)" \
			-v b="$fdone" 'BEGIN { exit !(a - b > 4) }'; then
			tdone=
			break
		fi
	done
	[ -n "$fdone" ] || { e2e_fail "firing did not end in 90 s"; return 1; }
	if [ "$src" = fire ]; then
		fs=$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' "$W/fire.out")
	else
		fs=$(sed -n 's/^timeit seconds=\([0-9.]*\) rc=0.*/\1/p' \
			"$W/fire.out")
	fi
	# installs/s between the first and the last partial sample (both
	# taken while the agent still had flows to install; needs >= 1 s)
	slope=$(awk 'NR == FNR { fin = $2; next }
		$2 > 0 && $2 < fin { if (!t1) { t1 = $1; c1 = $2 }
			t2 = $1; c2 = $2 }
		END { if (t2 - t1 >= 1) printf "%.0f", (c2 - c1) / (t2 - t1)
		      else printf "-" }' "$W/samples" "$W/samples")
	rules=-
	[ "$be" = flower ] && rules=$(band_rules $dev)
	slow=-
	[ "$src" = veth ] && slow=$(slow_packets)
	s0=$(up)
	kill -TERM $AGENT_PID
	wait $AGENT_PID
	rc=$?
	s1=$(up)
	AGENT_PID=
	[ $rc = 0 ] || { e2e_fail "agent exited $rc: $(tail -3 \
		"$W/agent.log")"; return 1; }
	left=-
	[ "$be" = flower ] && left=$(band_rules $dev)
	echo "FLBENCH agent $src $be $n $rate $iv $rep fire_s=$fs" \
		"fired_rate=$(awk -v n=$n -v s=$fs \
			'BEGIN { printf "%.0f", n / s }')" \
		"slow_pkts=$slow" \
		"events=$(metric flowlift_agent_events_total)" \
		"drops=$(metric flowlift_agent_ringbuf_drops_total)" \
		"installed=$(metric flowlift_agent_flows_installed_total)" \
		"failed=$(metric flowlift_agent_flows_failed_total)" \
		"invalid=$(metric flowlift_agent_events_invalid_total)" \
		"rules=$rules" \
		"slope=$slope samples=$(wc -l < "$W/samples")" \
		"drain_s=$([ -z "$tdone" ] && echo - || awk -v a="$tdone" \
			-v b="$t0" 'BEGIN { printf "%.2f", a - b }')" \
		"p50_us=$(q 0.5) p90_us=$(q 0.9) p99_us=$(q 0.99)" \
		"stop_s=$(awk -v a=$s1 -v b=$s0 \
			'BEGIN { printf "%.2f", a - b }')" \
		"left=$left"
}

run() {
	while read -r src be n rate iv rep; do
		once "$src" "$be" "$n" "$rate" "$iv" "$rep" < /dev/null ||
			return 1
	done < $BENCH/plan
}

verify() { return 0; }

teardown() {
	[ -n "$AGENT_PID" ] && kill -TERM $AGENT_PID 2>/dev/null
	$IP link del va 2>/dev/null
	rm -f $PIN
	return 0
}
