# SPDX-License-Identifier: Apache-2.0
# bench_install.sh - guest scenario (sourced by the e2e guest's /init with
# /e2e/lib.sh): install the same flower rules three ways into this kernel
# and time each, REPS times, interleaved:
#   tc     /sbin/tc -batch FILE (iproute2: one request, one ack, in turn)
#   apply  flowlift apply FILE --dev vb (be_nl: windows of up to 1024
#          requests per sendmsg, one ack per window, chain layout)
#   floor  bench_nlfloor FILE vb 1024 fence (apply's messages pre-encoded,
#          sent the way be_nl sends them)
#   floor-ack  bench_nlfloor FILE vb 64 ack (the same messages, 64 per
#          sendmsg, every one acked: be_nl's way before)
#   floor-send / floor-ack-send: the floor's own clock around its
#          send/ack loop only
# Files: /e2e/bench/rules-N.flower (`flowlift compile --target flower
# --dev vb --offload sw`) and rules-N.tc (their filter lines, for tc).
# Prints "FLBENCH install METHOD N REP SECONDS FILTERS" lines.
BENCH=/e2e/bench
REPS=$(cat $BENCH/reps 2>/dev/null || echo 3)

setup() {
	$IP link add va type veth peer name vb || { e2e_fail "veth"; return 1; }
	$IP link set va up && $IP link set vb up || return 1
	$TC qdisc add dev vb clsact || { e2e_fail "clsact"; return 1; }
}

# Empty vb's ingress: a fresh clsact (not timed).
fresh() {
	$TC qdisc del dev vb clsact 2>/dev/null
	$TC qdisc add dev vb clsact
}

filters() {
	$TC filter show dev vb ingress 2>/dev/null | grep -c ' handle '
}

# once METHOD N REP: one timed install, the filter count after it.
once() {
	f=$BENCH/rules-$2
	fresh
	case $1 in
	tc) set -- "$1" "$2" "$3" /sbin/tc -batch $f.tc ;;
	apply) set -- "$1" "$2" "$3" /bin/flowlift apply $f.flower --dev vb ;;
	floor) set -- "$1" "$2" "$3" /bin/bench_nlfloor $f.flower vb 1024 \
		fence ;;
	floor-ack) set -- "$1" "$2" "$3" /bin/bench_nlfloor $f.flower vb 64 \
		ack ;;
	esac
	m=$1 n=$2 r=$3
	shift 3
	/bin/bench_timeit "$@" >"$W/out" 2>&1
	t=$(sed -n 's/^timeit seconds=\([0-9.]*\) rc=\([0-9]*\).*/\1 \2/p' \
		"$W/out")
	set -- $t
	if [ "${2:-1}" != 0 ]; then
		tail -n 5 "$W/out" | sed 's/^/FLBENCH output /'
		e2e_fail "$m $n: exit ${2:-?}"
		return 1
	fi
	c=$(filters)
	echo "FLBENCH install $m $n $r $1 $c"
	# the floor's own clock: the send/ack loop alone
	s=$(sed -n 's/^nlfloor .* seconds=\([0-9.]*\) .*/\1/p' "$W/out")
	[ -z "$s" ] || echo "FLBENCH install $m-send $n $r $s $c"
}

run() {
	for n in $(cat $BENCH/sizes); do
		for r in $(seq 1 $REPS); do
			for m in tc apply floor floor-ack; do
				once $m $n $r || return 1
			done
		done
	done
}

verify() { return 0; }

teardown() {
	$IP link del va 2>/dev/null
	return 0
}
