# SPDX-License-Identifier: Apache-2.0
# flower_model - the IR's flower model (ir_dissect IR_DIS_FLOWER +
# ir_ruleset__eval) against the real cls_flower, per rule, on bulk
# traffic. model-run prepared /e2e/model/<prog>/{rules,frames.N,expect}
# on the host (flowlift verify --frames-out, model-predict). Per program:
# apply the rules (chain 2/3 behind apply's jump filter, misses to chain
# 1), a counting catch-all in chain 1, all frames sent in one go; every
# rule's counter must equal the frames the model predicted for it, and
# apply's own miss catch-all the predicted misses.
M=/e2e/model

setup() {
	[ -d $M ] || { e2e_skip "no /e2e/model (run through model-run)"; return 1; }
}

# The packets counter of filter PREF/HANDLE in chain C ("entry": chain 0's
# jump filter, every frame that reached tc ingress).
model_count() { # C PREF/HANDLE
	e2e_counts | awk -v c="c$1:" -v k="$2" '{ split($2, a, ":")
		if (a[1] ":" == c && $1 "/" a[2] == k) print $5 }'
}

# Send the frames named in FILE (from DIR/frames.*), wait until tc is done.
model_send() { # DIR FILE
	grep -hFwf "$2" "$1"/frames.* > "$W/sub.frames"
	$IP netns exec $NSA sendframes send -i va "$W/sub.frames" >/dev/null
	last=-1
	while :; do
		n=$(model_count 0 "$ENTRY")
		[ "$n" = "$last" ] && break
		last=$n; sleep 0.3
	done
}

# Bisect CAND (frame names) for one frame that does (MODE hit) or does not
# (MODE miss) move filter KEY of chain C; prints it.
model_bisect() { # DIR C KEY MODE CAND
	cp "$5" "$W/cand"
	while [ $(wc -l < "$W/cand") -gt 1 ]; do
		h=$(($(wc -l < "$W/cand") / 2))
		head -n $h "$W/cand" > "$W/half"
		b=$(model_count "$2" "$3")
		model_send "$1" "$W/half"
		dl=$(($(model_count "$2" "$3") - b))
		if { [ $4 = hit ] && [ $dl -gt 0 ]; } ||
		   { [ $4 = miss ] && [ $dl -lt $h ]; }; then
			mv "$W/half" "$W/cand"
		else
			tail -n +$((h + 1)) "$W/cand" > "$W/rest"
			mv "$W/rest" "$W/cand"
		fi
	done
	grep -hFwf "$W/cand" "$1"/frames.*
}

model_one() { # DIR
	d=$1 p=$(basename "$1")
	e2e_netns_up || { e2e_fail "$p: netns setup failed"; return 1; }
	# one bulk send must not overflow the receive backlog (1000)
	echo 100000 > /proc/sys/net/core/netdev_max_backlog
	$IP -n $NSA link set va mtu 9000
	$IP -n $NSB link set vb mtu 9000
	$IP netns exec $NSB flowlift apply $d/rules --dev vb --offload sw \
		> "$W/apply.log" 2>&1 ||
		{ e2e_fail "$p apply: $(tail -n 2 "$W/apply.log")"; return 1; }
	$TC -n $NSB filter add dev vb ingress chain 1 prio 60000 \
		protocol all flower skip_hw action drop ||
		{ e2e_fail "$p: chain 1 catch-all failed"; return 1; }
	want=0
	t0=$(cut -d' ' -f1 /proc/uptime)
	for f in $d/frames.*; do
		n=$($IP netns exec $NSA sendframes send -i va "$f") ||
			{ e2e_fail "$p: sending $f failed"; return 1; }
		want=$((want + n))
	done
	# wait for the chain 1 catch-all's counter to stop moving
	last=-1
	while :; do
		got=$($TC -n $NSB -s filter show dev vb ingress chain 1 \
			pref 60000 | awk '/Sent/ { print $4; exit }')
		[ "${got:-0}" = "$last" ] && break
		last=${got:-0}
		sleep 0.5
	done
	e2e_counts > "$W/c"
	e2e_log "$p: $(wc -l < "$W/c") filters, sent $want, counted in" \
		"$(echo "$(cut -d' ' -f1 /proc/uptime) $t0" |
		awk '{ printf "%.1f", $1 - $2 }') s"
	# the rule chain: the one that is neither 0 nor 1
	rc=$(awk '{ split($2, a, ":"); c = substr(a[1], 2)
		if (c != 0 && c != 1) { print c; exit } }' "$W/c")
	ENTRY=$(awk '$2 ~ /^c0:/ { split($2, a, ":"); print $1 "/" a[2]
		exit }' "$W/c")
	awk -v rc="c$rc:" -v p="$p" -v sent="$want" '
	FILENAME == ARGV[1] { if ($1 == "miss") { miss = $3; next }
		e[$1 "/" $2] = $3; idx[$1 "/" $2] = $4; next }
	index($2, rc) == 1 { h = substr($2, length(rc) + 1)
		if ($1 == 65535) { gmiss = $5; next }
		got[$1 "/" h] = $5; tot += $5 }
	$2 ~ /^c1:/ && $1 == 60000 { slow = $5 }
	index($2, rc) == 1 && $1 != 65535 { v[$1 "/" substr($2, length(rc) + 1)] = $4 }
	END {
		for (k in e) {
			if (!(k in got)) { print "MISMATCH", p, "rule", idx[k],
				"pref/ord", k, "not installed"; bad++; continue }
			split(k, a, "/"); g = a[1] "/" v[k]
			ge[g] += e[k]; gg[g] += got[k]
			if (got[k] != e[k]) diff[g] = diff[g] " rule " idx[k] \
				" (" k ") counted " got[k] " model " e[k]
		}
		for (g in diff) {
			if (ge[g] != gg[g]) { print "MISMATCH", p, diff[g]
				bad++ }
			else print "OVERLAP", p, "same priority and action," \
				" flower picked another of the rules:" diff[g]
		}
		if (tot + gmiss != sent) { print "MISMATCH", p, "lost before" \
			" the rule chain:", sent - tot - gmiss; bad++ }
		if (gmiss != miss) { print "MISMATCH", p, "misses counted",
			gmiss + 0, "model", miss; bad++ }
		print "LOG", p, "sent", sent, "rules", length(e), "rule hits",
			tot, "misses", gmiss + 0, "slow chain", slow + 0,
			"mismatches", bad + 0
		exit bad ? 1 : 0
	}' $d/expect "$W/c" > "$W/cmp"
	r=$?
	sed 's/^/FLE2E LOG model /' "$W/cmp"
	if [ $r != 0 ]; then
		# find one frame per mismatching rule by bisection
		awk '$1 == "MISMATCH" && !/lost before/ { for (i = 3; i <= NF; i++)
			if ($i == "rule") print $(i + 1), $(i + 2), $(i + 4),
			$(i + 6) }' "$W/cmp" | tr -d '()' | head -n 2 |
		while read -r ri key got exp; do
			pref=${key%/*}
			hd=$(awk -v i=$ri '$4 == i { print $2 }' $d/expect)
			k=$pref/$hd
			if [ "$got" -lt "$exp" ]; then
				awk -v i=$ri '$2 == i { print $1 }' $d/predict \
					> "$W/c0"
				m=miss
			else
				awk -v i=$ri '$2 != i { print $1 }' $d/predict \
					> "$W/c0"
				m=hit
			fi
			echo "FLE2E LOG model $p rule $ri ($k) $m frame:" \
				"$(model_bisect $d $rc $k $m "$W/c0")"
		done
		if grep -q 'lost before' "$W/cmp"; then
			awk '{ print $1 }' $d/predict > "$W/c0"
			echo "FLE2E LOG model $p lost frame:" \
				"$(model_bisect $d 0 "$ENTRY" miss "$W/c0")"
		fi
		cp "$W/cmp" "$W/.reason"
		e2e_fail "$p: $(grep -c MISMATCH "$W/cmp") counter(s) differ" \
			"from the model"
		e2e_netns_down
		return 1
	fi
	e2e_netns_down
}

run() {
	bad=0
	for d in $M/*/; do
		model_one "${d%/}" || bad=1
	done
	[ $bad = 0 ]
}

verify() { :; }
teardown() { e2e_netns_down; }
