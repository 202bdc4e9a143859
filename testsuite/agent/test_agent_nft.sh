#!/bin/sh
# test_agent_nft.sh BUILD_DIR - the agent's nft backend on this kernel with
# real traffic: two netns joined by a veth pair, UDP flows from A to B.
# Egress (the fast path nft can be): the slow path agent_tc_egress on tc
# egress of A's veth, the agent with --egress there. Checks that the agent
# installs one nft rule per flow with the program's verdict, that later
# packets hit the rule (its counter rises) and no longer reach the slow
# path (those it drops; an accepted packet goes on to tc egress), that
# idle rules are reaped, that --keep-rules leaves them for a
# restarted agent to adopt, and that SIGTERM removes the table. Ingress:
# agent_tc on B's tc ingress; nft ingress runs after tc ingress, so the
# rules appear and count what the program passes, but the program keeps
# seeing the packets (checked, as the documented limit). Needs root.
set -u
BUILD=${1:?usage: test_agent_nft.sh BUILD_DIR}
FL=$BUILD/flowlift
OBJ=$BUILD/testsuite/agent/agent_tc_egress.bpf.o
IOBJ=$BUILD/testsuite/agent/agent_tc.bpf.o
BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (netns, BPF_PROG_LOAD)"; exit 77; }
[ -x "$BPFTOOL" ] || { echo "SKIP: no bpftool"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: no nft"; exit 77; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null ||
	{ echo "SKIP: no bpffs"; exit 77; }
[ -f "$OBJ" ] && [ -f "$IOBJ" ] && [ -x "$FL" ] || { echo "FAIL: build $OBJ and $FL first"; exit 1; }

T=$(mktemp -d /tmp/flowlift-agent-nft.XXXXXX)
PIN=/sys/fs/bpf/flowlift_agent_nft_$$
MAPS=/sys/fs/bpf/flowlift_agent_nft_maps_$$
IPIN=/sys/fs/bpf/flowlift_agent_nfti_$$
IMAPS=/sys/fs/bpf/flowlift_agent_nfti_maps_$$
NA=flnftA$$ NB=flnftB$$
TABLE=flowlift_agent_4e465431
AGENT=
cleanup() {
	[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
	ip netns del "$NA" 2>/dev/null; ip netns del "$NB" 2>/dev/null
	rm -f "$PIN" "$IPIN"; rm -rf "$MAPS" "$IMAPS" "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- agent log"; cat "$T/log"; echo "--- stats"; cat "$T/stats" 2>/dev/null
	echo "--- nft"; ins nft -a list ruleset; exit 1; }
# nsenter, not ip netns exec: keep /sys/fs/bpf (the pins) in view
# ins: in the agent's netns ($NS: A for egress, B for ingress)
ins() { nsenter --net=/run/netns/"$NS" "$@"; }
NS=$NA SIDE=egress DEV=a0 PROG=agent_tc_egress

ip netns add "$NA" && ip netns add "$NB" || { echo "SKIP: no netns"; exit 77; }
# IPv4 only: no IPv6 neighbour discovery flows beside the test's own
for ns in "$NA" "$NB"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || fail "sysctl"
done
ip -n "$NA" link add a0 type veth peer name b0 netns "$NB" || fail "veth"
ip -n "$NA" addr add 10.9.0.1/24 dev a0 && ip -n "$NB" addr add 10.9.0.2/24 dev b0 &&
ip -n "$NA" link set a0 up && ip -n "$NB" link set b0 up &&
ip -n "$NA" link set lo up && ip -n "$NB" link set lo up || fail "addresses"
mac=$(ip -n "$NB" -br link show b0 | awk '{print $3}')
ip -n "$NA" neigh replace 10.9.0.2 lladdr "$mac" dev a0 nud permanent || fail "neigh"

# policy: udp/5001 drops, everything else passes
for x in "$OBJ $PIN $MAPS" "$IOBJ $IPIN $IMAPS"; do
	set -- $x
	mkdir -p "$3"
	"$BPFTOOL" prog load "$1" "$2" type classifier pinmaps "$3" ||
		fail "bpftool prog load $1"
	"$BPFTOOL" map update pinned "$3/policy" key hex 11 00 13 89 \
		value hex 01 00 00 00 00 00 00 00 || fail "map update"
done
tc -n "$NA" qdisc add dev a0 clsact && tc -n "$NB" qdisc add dev b0 clsact ||
	fail "clsact"
nsenter --net=/run/netns/"$NA" tc filter add dev a0 egress bpf da object-pinned "$PIN" ||
	fail "tc filter egress"

# send N: N UDP datagrams from 10.9.0.1:$SPORT to :5000 and to :5001
SPORT=41000
send() {
	ip netns exec "$NA" python3 - "$1" "$SPORT" <<'PY' || fail "send"
import socket, sys
for port in (5000, 5001):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('10.9.0.1', int(sys.argv[2])))
    for _ in range(int(sys.argv[1])):
        s.sendto(b'x' * 32, ('10.9.0.2', port))
    s.close()
PY
}
metric() { awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' "$T/stats" 2>/dev/null; }
wait_for() {
	i=0
	while [ "$(metric "$1")" -lt "$2" ]; do
		i=$((i + 1)); [ $i -gt 200 ] && fail "$1 never reached $2 (is $(metric "$1"))"
		sleep 0.1
	done
}
# rule PORT: the rule line of the flow to PORT ("" if none)
rule() { ins nft -a list chain netdev $TABLE $SIDE 2>/dev/null | grep "udp sport $SPORT udp dport $1 "; }
pkts() { rule "$1" | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p'; }
# wait_pkts PORT N: until the rule's counter is N (never above)
wait_pkts() {
	i=0
	while [ "$(pkts "$1")" != "$2" ]; do
		i=$((i + 1)); [ $i -gt 50 ] && fail "udp/$1 counter $(pkts "$1"), want $2"
		sleep 0.1
	done
}
O=$OBJ P=$PIN
start() {
	: >"$T/log"; rm -f "$T/stats"
	nsenter --net=/run/netns/"$NS" "$FL" agent --obj "$O" --prog $PROG \
		--pin "$P" --backend nft --dev $DEV --instance 0x4e465431 --interval 200ms --idle-timeout 2s \
		--stats "$T/stats" "$@" 2>"$T/log" &
	AGENT=$!
	i=0
	until [ -f "$T/stats" ]; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "agent did not start"
		kill -0 "$AGENT" 2>/dev/null || fail "agent exited"
		sleep 0.1
	done
}
stop() {
	kill -TERM "$AGENT"; wait "$AGENT"; rc=$?; AGENT=
	[ $rc = 0 ] || fail "agent exit $rc"
}

# bad device: one line, exit 1
ins "$FL" agent --pin "$PIN" --backend nft --dev nosuch0 2>"$T/err"
[ $? = 1 ] && grep -q "nosuch0" "$T/err" || fail "bad --dev: $(cat "$T/err")"

start --egress
send 1
wait_for flowlift_agent_flows_installed_total 2
rule 5000 | grep -q "ip saddr 10.9.0.1 ip daddr 10.9.0.2 .*udp sport 41000 udp dport 5000 counter packets [0-9]* bytes [0-9]* accept" ||
	fail "no accept rule for udp/5000"
rule 5001 | grep -q "udp sport $SPORT udp dport 5001 counter .* drop" ||
	fail "no drop rule for udp/5001"
[ "$(ins nft -a list chain netdev $TABLE $SIDE | grep -c 'comment "flft ')" = 2 ] ||
	fail "not exactly 2 rules"

sleep 0.5 # one more stats interval
slow=$(( $(metric flowlift_agent_events_total) + $(metric flowlift_agent_ringbuf_skipped_total) ))
p0=$(pkts 5000) p1=$(pkts 5001)
send 5
wait_pkts 5000 $((p0 + 5))
wait_pkts 5001 $((p1 + 5))
sleep 0.5
slow2=$(( $(metric flowlift_agent_events_total) + $(metric flowlift_agent_ringbuf_skipped_total) ))
# nft drop ends a packet before tc egress; nft accept lets it go on to
# tc egress: the program sees the pass flow's 5, not the drop flow's
[ "$slow2" = $((slow + 5)) ] ||
	fail "the slow path saw $((slow2 - slow)) packets, want 5 ($slow -> $slow2)"
[ "$(metric flowlift_agent_flows_reaped_total)" = 0 ] || fail "reaped while in use"

# idle: reaped after 2 s + the 2 s counter lag
wait_for flowlift_agent_flows_reaped_total 2
[ -z "$(rule 5000)$(rule 5001)" ] || fail "idle rules still there"
ins nft list table netdev $TABLE >/dev/null 2>&1 || fail "table gone early"

# the flow comes back (the agent cleared the program's seen entries)
send 1
wait_for flowlift_agent_flows_installed_total 4
stop
ins nft list table netdev $TABLE >/dev/null 2>&1 && fail "SIGTERM left the table"

# --keep-rules, then a restarted agent adopts the rules and cleans up;
# a new flow: the program still holds the old ones as reported (its TTL)
SPORT=41001
start --egress --keep-rules
send 1
wait_for flowlift_agent_flows_installed_total 2
stop
[ -n "$(rule 5000)" ] && [ -n "$(rule 5001)" ] || fail "--keep-rules removed the rules"
start --egress
wait_for flowlift_agent_flows_adopted_total 2
[ "$(metric flowlift_agent_flows)" = 2 ] || fail "adopted flows != 2"
h=$(rule 5000 | sed -n 's/.*# handle //p')
ins nft delete rule netdev $TABLE $SIDE handle "$h" || fail "nft delete"
wait_for flowlift_agent_flows_vanished_total 1
stop
ins nft list table netdev $TABLE >/dev/null 2>&1 && fail "SIGTERM left the table"

# ingress: rules appear and count what tc ingress passes; the slow path
# still sees every packet (nft ingress runs after tc ingress)
tc -n "$NA" filter del dev a0 egress || fail "tc filter del"
nsenter --net=/run/netns/"$NB" tc filter add dev b0 ingress bpf da object-pinned "$IPIN" ||
	fail "tc filter ingress"
NS=$NB SIDE=ingress DEV=b0 PROG=agent_tc O=$IOBJ P=$IPIN SPORT=41000
start
send 1
wait_for flowlift_agent_flows_installed_total 2
rule 5000 | grep -q "udp sport $SPORT udp dport 5000 counter .* accept" ||
	fail "ingress: no accept rule for udp/5000"
rule 5001 | grep -q "udp sport $SPORT udp dport 5001 counter .* drop" ||
	fail "ingress: no drop rule for udp/5001"
sleep 0.5
sk=$(metric flowlift_agent_ringbuf_skipped_total)
i0=$(pkts 5000)
send 5
wait_pkts 5000 $((i0 + 5))
wait_for flowlift_agent_ringbuf_skipped_total $((sk + 10))
stop
ins nft list table netdev $TABLE >/dev/null 2>&1 && fail "ingress: SIGTERM left the table"
echo "PASS: nft rules per flow (accept/drop), counters $(($p0 + 5))/$(($p1 + 5)), drop flow off the slow path, reaped, restart adoption, table removed; ingress rules count but do not bypass tc ingress"
