# SPDX-License-Identifier: Apache-2.0
# bench_apply_prof.sh - guest scenario: where `flowlift apply` spends its
# time, for bench/guest/guest-bench with BENCH_GUEST_TOOLS="perf strace".
# Not part of `make bench`: a tool for looking, its output is read by eye.
#   0. per size, apply and the floor timed back to back, 3 times
#   1. process start alone (flowlift --version, bench_nlfloor usage)
#   2. strace -c of one apply (syscalls by count and time)
#   3. perf record -e cpu-clock of one apply and of one floor, perf report
# Files: /e2e/bench/rules-N.flower as for bench_install.sh.
BENCH=/e2e/bench
# a non-empty file "quick" among the inputs: step 0 only
PROF_PHASES_ONLY=$(cat $BENCH/quick 2>/dev/null)
N=$(cat $BENCH/sizes 2>/dev/null | cut -d' ' -f1)

setup() {
	$IP link add va type veth peer name vb || { e2e_fail "veth"; return 1; }
	$IP link set va up && $IP link set vb up || return 1
	$TC qdisc add dev vb clsact || { e2e_fail "clsact"; return 1; }
}

fresh() {
	$TC qdisc del dev vb clsact 2>/dev/null
	$TC qdisc add dev vb clsact
}

say() { sed "s/^/FLBENCH $1 /"; }

run() {
	for n in $(cat $BENCH/sizes); do
		f=$BENCH/rules-$n.flower
		for i in 1 2 3; do
			fresh
			/bin/bench_timeit /bin/flowlift apply $f --dev vb \
				2>&1 | say apply-$n
			fresh
			/bin/bench_timeit /bin/bench_nlfloor $f vb 2>&1 |
				say floor-$n
		done
	done
	[ -z "${PROF_PHASES_ONLY:-}" ] || return 0
	f=$BENCH/rules-$N.flower
	for i in 1 2 3; do
		/bin/bench_timeit /bin/flowlift --version 2>&1 | say start-flowlift
		/bin/bench_timeit /bin/bench_nlfloor 2>&1 | say start-nlfloor
	done
	fresh
	/bin/bench_timeit /bin/flowlift apply $f --dev vb --dry-run \
		>/dev/null 2>$W/dry; say dry-run <$W/dry
	if command -v strace >/dev/null; then
		fresh
		strace -f -c -o $W/strace /bin/flowlift apply $f --dev vb \
			>/dev/null 2>&1
		say strace-apply <$W/strace
		fresh
		strace -c -o $W/strace /bin/bench_nlfloor $f vb \
			>/dev/null 2>&1
		say strace-floor <$W/strace
	fi
	if command -v perf >/dev/null; then
		for what in apply floor; do
			fresh
			if [ $what = apply ]; then
				set -- /bin/flowlift apply $f --dev vb
			else
				set -- /bin/bench_nlfloor $f vb
			fi
			perf record -q -e cpu-clock -F 2000 -o $W/perf.data \
				"$@" >/dev/null 2>&1
			perf report -i $W/perf.data --stdio --sort dso,sym \
				2>/dev/null | grep -v '^#' | grep -v '^$' |
				head -n 60 | say perf-$what
			perf report -i $W/perf.data --stdio --sort dso \
				2>/dev/null | grep -v '^#' | grep -v '^$' |
				head -n 12 | say perf-dso-$what
		done
	fi
	return 0
}

verify() { return 0; }

teardown() {
	$IP link del va 2>/dev/null
	return 0
}
