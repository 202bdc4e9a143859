# SPDX-License-Identifier: Apache-2.0
# agent-flower - the runtime agent with real tc flower: the example slow
# path agent_tc.bpf.o (testsuite/agent/progs) on vb ingress, the agent in
# $NSB installing skip_hw flower rules in its band (prio 0xc000 = 49152,
# ahead of the slow path at 60000). Real traffic (ping from $NSA) makes the
# program report the ICMP flow; the agent installs a rule; later packets
# hit the rule (its counter rises, the program stops seeing them); the rule
# is reaped after a shortened idle timeout; a policy map change revalidates
# the flow away; a restart with --keep-rules adopts the rule; SIGTERM
# without it removes the rules.
# Pins in a bpffs of their own: `ip netns exec` and `tc -n` remount /sys,
# which hides /sys/fs/bpf from the agent and from tc.
BPFFS=/tmp/e2e-bpffs
PIN=$BPFFS/agent_tc
MAPS=$BPFFS/agent_tc_maps
SLOW=60000
BAND=49152
AGENT_PID=

agent_start() { # extra flowlift agent options
	rm -f "$W/stats"
	$IP netns exec $NSB flowlift agent --pin $PIN --dev vb --backend flower \
		--offload sw \
		--idle-timeout 3s --interval 300ms --stats "$W/stats" "$@" \
		>> "$W/agent.log" 2>&1 &
	AGENT_PID=$!
	sleep 1
	kill -0 $AGENT_PID 2>/dev/null ||
		{ e2e_fail "agent did not start: $(cat "$W/agent.log")"; return 1; }
}

agent_stop() {
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM $AGENT_PID 2>/dev/null
	wait $AGENT_PID
	rc=$?
	AGENT_PID=
	[ $rc = 0 ] || { e2e_fail "agent exited $rc: $(tail -3 "$W/agent.log")"; return 1; }
}

metric() { awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' \
	"$W/stats" 2>/dev/null; }

wait_metric() { # NAME MIN SECONDS
	i=0
	while [ "$(metric "$1")" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -gt $(($3 * 10)) ] && { e2e_fail "$1 stayed at" \
			"$(metric "$1") (want >= $2)"; return 1; }
		sleep 0.1
	done
}

# Packets the slow path saw (its counting catch-all).
slow_packets() {
	e2e_counts | awk -v p=$SLOW '$1 == p { t += $5 } END { print t + 0 }'
}

# Packets counted by the agent's rules (filters in its band).
band_packets() {
	e2e_counts | awk -v lo=$BAND -v hi=$((BAND + 2)) \
		'$1 >= lo && $1 <= hi { t += $5; n++ } END { print t + 0, n + 0 }'
}

ping1() { $IP netns exec $NSA ping -c "${1:-1}" -W 1 10.0.0.2 >/dev/null 2>&1; }

setup() {
	e2e_netns_up || { e2e_fail "netns/veth setup failed"; return 1; }
	mkdir -p $BPFFS && mount -t bpf bpf $BPFFS ||
		{ e2e_fail "mounting a bpffs on $BPFFS failed"; return 1; }
	mkdir -p $MAPS
	$BPFTOOL prog load $OBJ/agent/agent_tc.bpf.o $PIN type classifier \
		pinmaps $MAPS ||
		{ e2e_fail "bpftool prog load agent_tc.bpf.o failed"; return 1; }
	# a counting catch-all ahead of the program: what the slow path sees
	$TC -n $NSB filter add dev vb ingress prio $SLOW protocol all \
		flower skip_hw action continue &&
	$TC -n $NSB filter add dev vb ingress prio $((SLOW + 1)) \
		protocol all bpf da object-pinned $PIN ||
		{ e2e_fail "attaching the slow path failed"; return 1; }
}

run() {
	agent_start || return 1
	# 1. the first packet goes through the slow path, which reports it
	ping1 || { e2e_fail "first ping failed"; return 1; }
	wait_metric flowlift_agent_flows_installed_total 1 5 || return 1
	set -- $(band_packets)
	[ "$2" = 1 ] || { e2e_fail "want 1 agent rule, have $2"; return 1; }
	$TC -n $NSB filter show dev vb ingress prio $BAND > "$W/rule"
	grep -q skip_hw "$W/rule" && grep -q "ip_proto icmp" "$W/rule" &&
		grep -q "src_ip 10.0.0.1" "$W/rule" || { e2e_fail "the agent's" \
		"rule is not a skip_hw ICMP 10.0.0.1 rule: $(cat "$W/rule")"
		return 1; }
	e2e_log "agent rule: $(tr -s ' \n\t' ' ' < "$W/rule" | head -c 300)"
	before=$1
	sbefore=$(slow_packets)
	# 2. the next packets hit the rule, and the slow path sees none
	ping1 3 || { e2e_fail "pings over the rule failed"; return 1; }
	sleep 0.5
	set -- $(band_packets)
	[ $(($1 - before)) = 3 ] || { e2e_fail "rule counted" \
		"$(($1 - before)) of 3 packets"; return 1; }
	[ "$(slow_packets)" = "$sbefore" ] || { e2e_fail "the slow path" \
		"saw $(($(slow_packets) - sbefore)) packets of the flow"; return 1; }
	e2e_log "agent rule hit $(($1 - before)) times, slow path none"
	# 3. idle: reaped after 3 s + the 2 s counter lag
	wait_metric flowlift_agent_flows_reaped_total 1 12 || return 1
	set -- $(band_packets)
	[ "$2" = 0 ] || { e2e_fail "reaped rule still there"; return 1; }
	# 4. policy: ICMP now drops; the reinstalled pass rule must go
	ping1 || { e2e_fail "ping after reap failed"; return 1; }
	wait_metric flowlift_agent_flows_installed_total 2 5 || return 1
	$BPFTOOL map update pinned $MAPS/policy key hex 01 00 00 00 \
		value hex 01 00 00 00 00 00 00 00 ||
		{ e2e_fail "policy map update failed"; return 1; }
	wait_metric flowlift_agent_flows_revalidated_total 1 5 || return 1
	if ping1; then e2e_fail "ping passed after the policy says drop"
		return 1; fi
	# 5. the policy back to pass; SIGTERM removes the agent's rules
	$BPFTOOL map delete pinned $MAPS/policy key hex 01 00 00 00 ||
		{ e2e_fail "policy map delete failed"; return 1; }
	wait_metric flowlift_agent_policy_changes_total 2 5 || return 1
	agent_stop || return 1
	set -- $(band_packets)
	[ "$2" = 0 ] || { e2e_fail "SIGTERM left $2 rules"; return 1; }
	# 6. an agent with --keep-rules leaves its rules on SIGTERM ...
	agent_start --keep-rules || return 1
	ping1 || { e2e_fail "ping after the policy went back failed"; return 1; }
	wait_metric flowlift_agent_flows_active 1 8 || return 1
	agent_stop || return 1
	set -- $(band_packets)
	[ "$2" = 1 ] || { e2e_fail "--keep-rules left $2 rules, want 1"; return 1; }
	before=$1
	# ... and the next one adopts them (no reinstall) and still owns them
	agent_start || return 1
	wait_metric flowlift_agent_flows_adopted_total 1 5 || return 1
	[ "$(metric flowlift_agent_flows_installed_total)" = 0 ] ||
		{ e2e_fail "the restarted agent reinstalled the rule"; return 1; }
	ping1 2 || { e2e_fail "ping over the adopted rule failed"; return 1; }
	sleep 0.5
	set -- $(band_packets)
	[ $(($1 - before)) = 2 ] || { e2e_fail "adopted rule counted" \
		"$(($1 - before)) of 2 packets"; return 1; }
	cp "$W/stats" "$W/stats.last"
	agent_stop || return 1
	set -- $(band_packets)
	[ "$2" = 0 ] || { e2e_fail "SIGTERM left $2 adopted rules"; return 1; }
}

verify() {
	[ "$(metric flowlift_agent_events_invalid_total)" = 0 ] &&
	[ "$(metric flowlift_agent_flows_failed_total)" = 0 ] ||
		{ e2e_fail "invalid events or failed installs"; return 1; }
	e2e_log "agent: $(grep -v '^#' "$W/stats.last" | grep -v _bucket |
		tr '\n' ' ')"
}

teardown() {
	[ -n "$AGENT_PID" ] && kill -TERM $AGENT_PID 2>/dev/null
	e2e_netns_down
	umount $BPFFS
}
