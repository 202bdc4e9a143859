#!/bin/sh
# test_agent_kernel.sh BUILD_DIR - the agent against a real slow-path
# program on this kernel, with the sim backend: load the example XDP
# program with bpftool, make it decide flows by BPF_PROG_TEST_RUN (bpftool
# prog run), and check that the agent installs one rule per flow, dedups,
# revalidates after a policy map change, reaps idle flows, and stops
# cleanly on SIGTERM. Needs root (exit 77 otherwise).
set -u
BUILD=${1:?usage: test_agent_kernel.sh BUILD_DIR}
FL=$BUILD/flowlift
OBJ=$BUILD/testsuite/agent/agent_xdp.bpf.o
BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (BPF_PROG_LOAD)"; exit 77; }
[ -x "$BPFTOOL" ] || { echo "SKIP: no bpftool"; exit 77; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null ||
	{ echo "SKIP: no bpffs"; exit 77; }
[ -f "$OBJ" ] && [ -x "$FL" ] || { echo "FAIL: build $OBJ and $FL first"; exit 1; }

T=$(mktemp -d /tmp/flowlift-agent-test.XXXXXX)
PIN=/sys/fs/bpf/flowlift_agent_test_$$
MAPS=/sys/fs/bpf/flowlift_agent_test_maps_$$
AGENT=
cleanup() {
	[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
	rm -f "$PIN"; rm -rf "$MAPS" "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- agent log"; cat "$T/log"; echo "--- stats"; cat "$T/stats" 2>/dev/null; exit 1; }

mkdir -p "$MAPS"
"$BPFTOOL" prog load "$OBJ" "$PIN" type xdp pinmaps "$MAPS" ||
	fail "bpftool prog load"

# Frames: 4 IPv4 flows (tcp 80, tcp 443, tcp 22, udp 53) and IPv6 tcp 80.
python3 - "$T" <<'PY' || fail "frames"
import struct, sys
d = sys.argv[1]
eth = lambda t: b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01' + struct.pack('!H', t)
def ip4(proto, l4):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 0, 0x4000, 64,
                    proto, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return eth(0x0800) + h + l4
def ip6(proto, l4):
    a = bytes([0xfd] + [0] * 14 + [1]); b = bytes([0xfd] + [0] * 14 + [2])
    return eth(0x86dd) + struct.pack('!IHBB', 0x60000000, len(l4), proto, 64) + a + b + l4
tcp = lambda sp, dp: struct.pack('!HHIIBBHHH', sp, dp, 1, 0, 0x50, 0x10, 65535, 0, 0)
udp = lambda sp, dp: struct.pack('!HHHH', sp, dp, 8, 0)
frames = [ip4(6, tcp(40000, 80)), ip4(6, tcp(40001, 443)),
          ip4(6, tcp(40002, 22)), ip4(17, udp(40003, 53)),
          ip6(6, tcp(40004, 80))]
for i, f in enumerate(frames):
    open(f'{d}/f{i}', 'wb').write(f)
PY

send_all() {
	for i in 0 1 2 3 4; do
		"$BPFTOOL" prog run pinned "$PIN" data_in "$T/f$i" repeat 1 \
			>/dev/null 2>&1 || fail "bpftool prog run f$i"
	done
}
# metric NAME: its value in the stats file (0 if absent)
metric() { awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' "$T/stats" 2>/dev/null; }
# wait_for NAME MIN: until the metric reaches MIN (10 s)
wait_for() {
	i=0
	while [ "$(metric "$1")" -lt "$2" ]; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "$1 never reached $2 (is $(metric "$1"))"
		sleep 0.1
	done
}

"$FL" agent --obj "$OBJ" --prog agent_xdp --pin "$PIN" --backend sim \
	--interval 200ms --idle-timeout 2s --stats "$T/stats" 2>"$T/log" &
AGENT=$!
sleep 0.5
kill -0 "$AGENT" 2>/dev/null || fail "agent did not start"

send_all
wait_for flowlift_agent_flows_installed_total 5
[ "$(metric flowlift_agent_events_total)" = 5 ] || fail "events != 5"
[ "$(metric flowlift_agent_events_invalid_total)" = 0 ] || fail "invalid events"
[ "$(metric flowlift_agent_flows)" = 5 ] || fail "flow table != 5"
# the program's ring buffer as loaded (FLOWLIFT_RINGBUF_BYTES' default)
[ "$(metric flowlift_agent_ringbuf_bytes)" = 262144 ] ||
	fail "ringbuf_bytes != 262144"

# the same flows again: the program's TTL suppresses the reports
send_all
wait_for flowlift_agent_ringbuf_skipped_total 5
[ "$(metric flowlift_agent_events_total)" = 5 ] || fail "dedup: events != 5"

# policy: tcp/80 now drops -> both port-80 flows are revalidated away
"$BPFTOOL" map update pinned "$MAPS/policy" key hex 06 00 00 50 \
	value hex 01 00 00 00 00 00 00 00 || fail "map update"
wait_for flowlift_agent_flows_revalidated_total 2
wait_for flowlift_agent_policy_changes_total 1
[ "$(metric flowlift_agent_flows_revalidated_total)" = 2 ] ||
	fail "revalidated != 2"

# and such a flow comes back as drop: reported again by the revalidating
# test run itself or by its next packet (the agent clears its seen entry)
"$BPFTOOL" prog run pinned "$PIN" data_in "$T/f0" repeat 1 >/dev/null 2>&1
wait_for flowlift_agent_events_total 6
wait_for flowlift_agent_flows_installed_total 6

# idle: nothing hits the sim device; reaped after 2 s + the 2 s lag
wait_for flowlift_agent_flows_reaped_total 4
[ "$(metric flowlift_agent_ringbuf_drops_total)" = 0 ] || fail "ring drops"
[ "$(metric flowlift_agent_reap_slices_total)" -ge \
	"$(metric flowlift_agent_reaps_total)" ] || fail "reap slices < reaps"
wait_for flowlift_agent_reaps_total 1

"$FL" agent --status --stats "$T/stats" | grep -q '^flowlift_agent_flows ' ||
	fail "--status"
"$FL" -j agent --status --stats "$T/stats" |
	grep -q '"flowlift_agent_flows_installed_total":[1-9]' || fail "--status -j"

kill -TERM "$AGENT"
wait "$AGENT"; rc=$?
AGENT=
[ $rc = 0 ] || fail "agent exit $rc"
[ "$(metric flowlift_agent_flows)" = 0 ] || fail "flows left after SIGTERM"
echo "PASS: agent picked up 5 flows, dedup, revalidation, reaping, shutdown"
