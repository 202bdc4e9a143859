#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench_agent.py BUILD - the agent's costs with the sim backend.

1. Its core (bench_agent): setups/s, bytes per tracked flow, reap scan
   time, for 100k flows (BENCH_FULL=1: 1M).
2. The real path on this kernel (root): testsuite's agent_xdp program
   loaded with bpftool, `flowlift agent --backend sim`, new flows fired at
   a paced rate by bench_fire (BPF_PROG_TEST_RUN); events, ring buffer
   drops and the agent's own latency histogram read from --stats.
   BENCH_AGENT_RATES="50000:1s,0:20s" other (rate, --interval) pairs (0:
   unpaced); BENCH_AGENT_FLOWS=N flows for rates >= 50k/s (100000).
Prints a markdown section.
"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402


def kv(line):
    return dict(p.split('=', 1) for p in line.split()[1:] if '=' in p)


def core(build):
    n = 1000000 if bl.full() else 100000
    res = {'setups': [], 'memory': [], 'reap': [], 'shutdown': [],
           'reap_sliced': []}
    for _ in range(bl.reps()):
        r = bl.run([os.path.join(build, 'bench', 'bench_agent'), str(n),
                    '128', '3'], timeout=600)
        if r.rc:
            return '\nbench_agent failed: %s\n' % r.err.strip()[-300:]
        for line in r.out.splitlines():
            res[line.split()[0]].append(kv(line))
    su = [float(d['setups_per_s']) for d in res['setups']]
    mem = res['memory'][0]
    reap = [float(d['seconds']) for d in res['reap']]
    shut = [float(d['seconds']) for d in res['shutdown']]
    rows = [
        ['setups/s (event -> rule acked, batch 128)', bl.fmt_med(su, '%.0f')],
        ['install latency p50 / p90 / p99 (us, log2 buckets)', ' / '.join(
            bl.fmt_med([float(d[k]) for d in res['setups']], '%.0f')
            for k in ('lat_p50_us', 'lat_p90_us', 'lat_p99_us'))],
        ['heap bytes per tracked flow, agent (table + flow)',
         mem['agent_bytes_per_flow'] + ' (sizeof(struct rt_flow) = %s)'
         % mem['sizeof_rt_flow']],
        ['heap bytes per rule, sim device', mem['sim_bytes_per_rule']],
        ['reap scan of all flows (s)', bl.fmt_med(reap)],
        ['reap scan per flow (us)', '%.2f' % (bl.med(reap)[0] / n * 1e6)],
        ['shutdown, every rule removed (s)', bl.fmt_med(shut)],
    ]
    sl = res['reap_sliced']
    if sl:
        rows[-1:-1] = [
            ['reap in slices of %s: slices, whole reap (s)' % sl[0]['slice'],
             '%s, %s' % (sl[0]['slices'],
                         bl.fmt_med([float(d['seconds']) for d in sl]))],
            ['slice p50 / p99 / longest: the reader\'s wait (us, wall)',
             ' / '.join(bl.fmt_med([float(d[k]) for d in sl], '%.0f')
                        for k in ('p50_slice_us', 'p99_slice_us',
                                  'max_slice_us'))],
            ['slice p99 / longest, CPU time of the thread (us)',
             ' / '.join(bl.fmt_med([float(d[k]) for d in sl], '%.0f')
                        for k in ('p99_slice_cpu_us', 'max_slice_cpu_us'))],
        ]
    return ('### Agent core, %d flows\n\nMethod: `build/bench/bench_agent %d '
            '128 3` (bench/bench_agent.c): the agent core (runtime/'
            'rt_internal.h) driven with the sim backend and the real clock; '
            'N distinct TCP flows, one event each, a flush every 128 '
            'events; then 3 reaps (a dump of the device and a scan of the '
            'table, nothing idle), 3 more in slices (as the agent runs them '
            'between ring buffer reads) and a shutdown. Heap bytes from '
            'mallinfo2 (the sim device measured alone and subtracted). '
            '%d runs, median (min-max).\n\n%s\n'
            % (n, n, bl.reps(), bl.table(['measure', 'value'], rows)))


def metrics(path):
    m = {}
    try:
        with open(path) as f:
            for line in f:
                if line.startswith('#') or not line.strip():
                    continue
                k, v = line.rsplit(None, 1)
                m[k] = float(v)
    except OSError:
        pass
    return m


def real(build):
    if os.geteuid() != 0:
        return '\n(real agent path skipped: needs root)\n'
    obj = os.path.join(build, 'testsuite', 'agent', 'agent_xdp.bpf.o')
    fire = os.path.join(build, 'bench', 'bench_fire')
    pin = '/sys/fs/bpf/flowlift_bench_%d' % os.getpid()
    maps = pin + '_maps'
    work = os.path.join(build, 'bench', 'agent')
    os.makedirs(work, exist_ok=True)
    # (rate, --interval): at 20s no reap/stats pass falls inside the burst
    rates = [(r, i) for i in ('1s', '20s') for r in (10000, 50000, 100000, 0)]
    if os.environ.get('BENCH_AGENT_RATES'):
        rates = [(int(p.split(':')[0]), p.split(':')[1])
                 for p in os.environ['BENCH_AGENT_RATES'].split(',')]
    big = int(os.environ.get('BENCH_AGENT_FLOWS', '100000'))
    rows = []
    for rate, interval in rates:
        n = big if rate == 0 or rate >= 50000 else 2 * rate
        r = subprocess.run(['bpftool', 'prog', 'load', obj, pin, 'type',
                            'xdp', 'pinmaps', maps], capture_output=True)
        if r.returncode:
            return '\n(real agent path: bpftool prog load failed: %s)\n' \
                % r.stderr.decode().strip()[-200:]
        stats = os.path.join(work, 'stats-%d-%s' % (rate, interval))
        log = open(os.path.join(work, 'log-%d-%s' % (rate, interval)), 'w')
        ag = subprocess.Popen([os.path.join(build, 'flowlift'), 'agent',
                               '--obj', obj, '--prog', 'agent_xdp', '--pin',
                               pin, '--backend', 'sim', '--interval', interval,
                               '--idle-timeout', '600s', '--stats', stats],
                              stderr=log)
        try:
            time.sleep(0.5)
            f = subprocess.run([fire, pin, str(n), str(rate)],
                               capture_output=True, text=True)
            fk = kv(f.stdout.strip()) if f.returncode == 0 else {}
            time.sleep(2.5)  # two stats intervals
        finally:
            ag.terminate()  # writes its stats file once more on the way
            ag.wait()
            m = metrics(stats)
            log.close()
            os.unlink(pin)
            shutil.rmtree(maps, ignore_errors=True)
        if not fk:
            rows.append([rate or 'max', interval, n, 'bench_fire failed: ' +
                         f.stderr.strip()[-100:], '', '', '', '', '', ''])
            continue
        q = 'flowlift_agent_install_latency_quantile_seconds{quantile="%s"}'
        inst = m.get('flowlift_agent_flows_installed_total', 0)
        reaps = m.get('flowlift_agent_reaps_total')
        rows.append([rate or 'max', interval, n, fk['rate'],
                     '%d' % m.get('flowlift_agent_events_total', 0),
                     '%d' % m.get('flowlift_agent_ringbuf_drops_total', 0),
                     '%d (%.0f/s)' % (inst, inst / float(fk['seconds'])),
                     ' / '.join('%.0f' % (m.get(q % x, 0) * 1e6)
                                for x in ('0.5', '0.9', '0.99')),
                     '-' if reaps is None else '%d / %d' % (
                         reaps, m.get('flowlift_agent_reap_slices_total', 0)),
                     '%d' % m.get('flowlift_agent_ringbuf_bytes', 0)])
    return ('\n### Agent, real ring buffer path (sim backend)\n\nMethod: '
            'testsuite/agent/agent_xdp.bpf.c loaded and pinned with '
            '`bpftool prog load ... type xdp`; `flowlift agent --backend sim '
            '--interval 1s` (or 20s: no reap falls inside the burst); `build/bench/bench_fire PIN N RATE` runs one '
            'BPF_PROG_TEST_RUN per new TCP flow at RATE flows/s (max: '
            'unpaced); counters and the install latency quantiles (ring '
            'buffer record timestamp -> rule acked; upper bounds of log2 '
            'buckets) read from the agent\'s --stats file after it stopped '
            '(SIGTERM 2.5 s after the last flow). Installed/s is over the '
            'firing time; reaps / slices: reaps completed and reap slices '
            'run ("-": an agent without them, which reaps in one go). One '
            'run per rate; the firing process and the agent share the 2 '
            'CPUs.\n\n'
            + bl.table(['target rate', '--interval', 'flows', 'fired/s',
                        'events',
                        'ringbuf drops', 'installed', 'latency p50/p90/p99 '
                        'us', 'reaps / slices', 'ringbuf bytes'], rows) +
            '\n')


def main(build):
    print('## Agent\n')
    print(core(build))
    print(real(build))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'build')
