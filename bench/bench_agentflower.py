#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench_agentflower.py BUILD - the agent's real path in the qemu guest:
`flowlift agent --backend flower` installing skip_hw tc flower rules for
new flows, and the same runs with --backend sim in the same boot, for 1k
and 10k flows at a few rates, new flows from real frames through a veth
(sendframes) and from BPF_PROG_TEST_RUN (bench_fire). Prints a markdown
section; "(not measured: ...)" and exit 0 where the guest cannot run.
"""
import os
import shutil
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

BACKENDS = ('flower', 'sim')


def plan():
    """(source, flows, rate, --interval); rate 0 = unpaced. The TCG guest
    installs ~1-3k flower rules/s (see the install section), so the paced
    rates sit below and near that and the unpaced runs saturate the agent.
    bench_fire paces exactly; sendframes' gap is a sleep that overshoots by
    ~4 ms under TCG, so veth gets its unpaced runs and one slow one. The
    60s interval keeps the per-second stats write and reap (a dump of every
    rule) out of the run."""
    return [('fire', 1000, 500, '1s'), ('fire', 1000, 500, '60s'),
            ('fire', 1000, 2000, '1s'),
            ('fire', 1000, 0, '1s'), ('fire', 10000, 1000, '1s'),
            ('fire', 10000, 1000, '60s'), ('fire', 10000, 0, '1s'),
            ('veth', 1000, 1000, '1s'), ('veth', 1000, 0, '1s'),
            ('veth', 10000, 0, '1s')]


def kv(parts):
    return dict(p.split('=', 1) for p in parts if '=' in p)


def num(d, k):
    try:
        return float(d[k])
    except (KeyError, ValueError):
        return None


def fmt(xs, f='%.0f'):
    xs = [x for x in xs if x is not None]
    return bl.fmt_med(xs, f) if xs else '-'


def rules_cell(xs):
    """The rules tc shows, and where they differ from the agent's count."""
    out = []
    for d in xs:
        r = d.get('rules', '-')
        if r != '-' and r != d.get('installed'):
            r += ' (agent: %s)' % d.get('installed')
        out.append(r)
    return ' '.join(out)


def ms(xs):
    """Latencies (us, log2 bucket bounds) as ms: median (min-max)."""
    def f(x):
        return '%.0f' % x if x >= 10 else '%.2g' % x

    xs = [x / 1000 for x in xs if x is not None]
    if not xs:
        return '-'
    m, lo, hi = bl.med(xs)
    return f(m) if len(xs) == 1 else '%s (%s-%s)' % (f(m), f(lo), f(hi))


def main(build):
    work = os.path.join(build, 'bench', 'agentflower')
    os.makedirs(work, exist_ok=True)
    reps = bl.reps(1)
    runs = []
    for r in range(1, reps + 1):
        for src, n, rate, iv in plan():
            for be in BACKENDS:
                runs.append('%s %s %d %d %s %d' % (src, be, n, rate, iv, r))
    pf = os.path.join(work, 'plan')
    with open(pf, 'w') as f:
        f.write('\n'.join(runs) + '\n')
    print('## Agent in the guest: flower (the real path) vs sim\n')
    fire = os.path.join(build, 'bench', 'bench_fire')
    if os.geteuid() != 0:
        print('(not measured: the qemu guest needs root)\n')
        return
    if not shutil.which('qemu-system-x86_64'):
        print('(not measured: no qemu-system-x86_64; '
              'tools/install-deps --e2e)\n')
        return
    if not os.access(fire, os.X_OK):
        print('(not measured: %s not built)\n' % fire)
        return
    # the slow path; the guest takes every *.bpf.o under BUILD/testsuite
    b = bl.run(['cmake', '--build', build, '--target', 'bpf_agent_tc'],
               timeout=600)
    if b.rc:
        print('(not measured: building bpf_agent_tc failed: %s)\n'
              % b.err.strip()[-300:])
        return
    r = bl.run([os.path.join(bl.SRC, 'bench', 'guest', 'guest-bench'),
                bl.SRC, build, 'bench_agent_flower', pf, fire],
               timeout=3000)
    if r.rc:
        print('(not measured: guest-bench exit %d: %s)\n'
              % (r.rc, (r.err.strip() or r.out.strip())[-300:]))
        return
    res = {}
    for line in r.out.splitlines():
        p = line.split()
        if len(p) > 8 and p[1] == 'agent':
            key = (p[2], p[3], int(p[4]), int(p[5]), p[6])
            res.setdefault(key, []).append(kv(p[8:]))
    rows = []
    for src, n, rate, iv in plan():
        meds = {}
        first = len(rows)
        for be in BACKENDS:
            xs = res.get((src, be, n, rate, iv), [])
            if not xs:
                continue
            inst = [num(d, 'installed') for d in xs]
            drain = [num(d, 'drain_s') for d in xs]
            per_s = [i / s for i, s in zip(inst, drain) if i and s]
            lat = {k: [num(d, k) for d in xs]
                   for k in ('p50_us', 'p90_us', 'p99_us')}
            fired = [num(d, 'fired_rate') for d in xs]
            kept_up = all(num(d, 'drops') == 0 and num(d, 'installed') == n
                          for d in xs)
            meds[be] = (statistics.median(per_s) if per_s else None,
                        statistics.median(lat['p50_us']), kept_up)
            # real frames: the slow path's catch-all must have seen each
            slow = ' '.join(d.get('slow_pkts', '-') for d in xs)
            if src == 'veth' and any(d.get('slow_pkts') != str(n)
                                     for d in xs):
                slow += ' (want %d each)' % n
            rows.append([
                src, n, rate or 'max', iv, be, fmt(fired), slow,
                fmt([num(d, 'events') for d in xs]),
                fmt([num(d, 'drops') for d in xs]),
                fmt(inst), rules_cell(xs),
                fmt(per_s), fmt([num(d, 'slope') for d in xs]),
                ' / '.join(ms(lat[k]) for k in ('p50_us', 'p90_us',
                                                 'p99_us')),
                fmt([num(d, 'stop_s') for d in xs], '%.2f') + ''.join(
                    ' (%s left)' % d['left'] for d in xs
                    if d.get('left', '-') not in ('0', '-')), ''])
        if 'flower' in meds and 'sim' in meds:
            (fr, fl, _), (sr, sl, sk) = meds['flower'], meds['sim']
            rat = []
            # installs/s compare only in the long unpaced runs (the short
            # ones are mostly the stats file's 1 s granularity); where sim
            # lost nothing it kept up with the firing, so the ratio is an
            # upper bound
            if fr and sr and not rate and n >= 10000:
                rat.append('installs/s %s%.2f' % ('<=' if sk else '',
                                                  fr / sr))
            if sl:
                rat.append('p50 latency %.0fx' % (fl / sl))
            rows[first][-1] = ', '.join(rat)
    print(METHOD % reps)
    print(bl.table(['source', 'flows', 'target rate', '--interval',
                    'backend', 'fired/s', 'slow path saw', 'events',
                    'ringbuf drops',
                    'installed', 'tc rules (grep -c)', 'installs/s (drain)',
                    'installs/s (slope)', 'latency p50/p90/p99 ms',
                    'SIGTERM s', 'flower/sim (medians)'], rows))
    print()


METHOD = (
    'Method: `bench/guest/guest-bench` boots the e2e flower guest '
    '(testsuite/e2e/guest-build: Debian 6.1 kernel under qemu TCG, '
    '`-smp 1`: the firing process, the kernel\'s receive path and the '
    'agent share one emulated CPU) with `bench/guest/bench_agent_flower.sh` '
    'appended as a second initramfs archive and bench_fire copied in; all '
    'runs in one boot, flower and sim back to back. Slow path: '
    'testsuite/agent/progs/agent_tc.bpf.c (`bpftool prog load ... type '
    'classifier`, loaded afresh per run so its seen map and its 256 KiB '
    'ring buffer start empty). Agent: `flowlift agent --pin PIN --backend '
    'flower --dev DEV --offload sw` (skip_hw flower rules in its bands at '
    'prio 49152-49154) or `--backend sim`, both `--interval I '
    '--idle-timeout 600s --stats FILE` (I = 1s: a stats write and a reap, '
    'i.e. a dump of every rule, each second; 60s: none inside the run). '
    'New flows, one TCP SYN each, each a new 5-tuple: veth = real frames, '
    '`sendframes send -i va -c N -g 1e6/RATE -s 32` into a veth whose peer '
    'vb runs agent_tc on tc ingress (`bpf da`, behind a counting flower '
    'catch-all: "slow path saw" its count); the gap is a sleep, which '
    'overshoots by ~4 ms under TCG, so the achieved rate (fired/s) is far '
    'below the target; fire = `bench_fire PIN N RATE` (one '
    'BPF_PROG_TEST_RUN per flow, paced to RATE; a test run\'s skb is on '
    'loopback, so with fire the agent installs its rules on lo ingress: the '
    'same flower rules on another device, without the receive path). Per '
    'run: agent started, 1 s, flows fired, the stats file read every 0.25 s '
    'until every event is installed (or given up) and no new event came '
    'for 2 s (I = 60s: a fixed 4 s after the last flow), then SIGTERM. '
    'installs/s (drain) = rules installed / time from the first flow fired '
    'to the first stats read showing all installed: up to ~1.25 s late, so '
    'meaningful for the 10k runs only; installs/s (slope) = the rise of '
    'installed between the first and the last stats write that still had '
    'flows pending, where they lie >= 1 s apart (the agent saturated). '
    'Latency: the agent\'s histogram from the ring buffer record\'s '
    'timestamp to the rule acknowledged (upper bounds of log2 buckets), '
    'written at SIGTERM. tc rules = `tc filter show dev DEV ingress | grep '
    '\' handle \' | grep -cE \'pref 4915[234] \'` before SIGTERM; '
    'SIGTERM s = the agent removing its rules and exiting (0 left in every '
    'run, checked the same way). Ratios: of medians, flower over sim in '
    'the same boot; installs/s only for the unpaced 10k runs ("<=": sim '
    'lost no event, so it was bounded by the firing, not by itself). %d '
    'rep(s) (BENCH_REPS), median (min-max). Absolute rates are the '
    'emulator\'s (TCG on a shared host, far slower than hardware, and '
    'they move between boots): compare flower against sim, the kernel\'s '
    'install cost against the agent\'s own.\n')


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'build')
