#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench_install.py BUILD - flower install rate in the qemu guest:
`flowlift apply` vs `tc -batch` of the same filters vs the netlink floor
(bench_nlfloor), for 1k and 10k filters. Prints a markdown section.
"""
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
import bench_compile  # noqa: E402

METHODS = ('tc', 'apply', 'floor', 'floor-send', 'floor-ack',
           'floor-ack-send')


def rules(build, work, n):
    """The lpm allow list with n entries as flower text for dev vb."""
    obj, mname, _ = bench_compile.PROGS['lpm']
    fl = os.path.join(work, 'rules-%d.flower' % n)
    subprocess.run([os.path.join(build, 'flowlift'), 'compile',
                    os.path.join(build, 'bench', obj), '--map', '%s=%s' % (
                        mname, bench_compile.fixture(work, 'lpm', n)),
                    '--target', 'flower', '--dev', 'vb', '--offload', 'sw',
                    '--assume', 'no-ip-options', '--assume', 'well-formed',
                    '-q', '-o', fl], check=True)
    with open(fl) as f, open(fl[:-len('.flower')] + '.tc', 'w') as t:
        k = 0
        for line in f:
            if line.startswith('filter add'):
                t.write(line)
                k += 1
    return [fl, fl[:-len('.flower')] + '.tc'], k


def main(build):
    work = os.path.join(build, 'bench')
    gdir = os.path.join(work, 'guest-in')
    os.makedirs(gdir, exist_ok=True)
    sizes = [1000, 10000]
    files, count = [], {}
    for n in sizes:
        f, k = rules(build, work, n)
        files += f
        count[n] = k
    for name, val in (('sizes', ' '.join(map(str, sizes))),
                      ('reps', str(bl.reps(5)))):
        with open(os.path.join(gdir, name), 'w') as f:
            f.write(val + '\n')
        files.append(os.path.join(gdir, name))
    r = bl.run([os.path.join(bl.SRC, 'bench', 'guest', 'guest-bench'),
                bl.SRC, build, 'bench_install'] + files, timeout=1800)
    print('## Install: flowlift apply vs tc -batch vs the netlink floor\n')
    if r.rc:
        print('(not measured: guest-bench exit %d: %s)\n'
              % (r.rc, r.err.strip()[-300:]))
        return
    res = {}
    for line in r.out.splitlines():
        p = line.split()
        if len(p) == 7 and p[1] == 'install':
            res.setdefault((p[2], int(p[3])), []).append((float(p[5]),
                                                          int(p[6])))
    rows = []
    for n in sizes:
        med = {}
        first = len(rows)
        for m in METHODS:
            xs = res.get((m, n), [])
            if not xs:
                continue
            rate = [count[n] / s for s, _ in xs]
            med[m] = statistics.median(rate)
            rows.append([count[n], m, bl.fmt_med([s for s, _ in xs]),
                         bl.fmt_med(rate, '%.0f'),
                         ' '.join(str(c) for _, c in xs), ''])
        if 'apply' in med and len(rows) > first + 1:
            rows[first + 1][5] = ', '.join(
                'apply/%s %.2f' % (m, med['apply'] / med[m])
                for m in ('tc', 'floor', 'floor-send', 'floor-ack-send')
                if m in med)
    print('Method: `bench/guest/guest-bench` boots the e2e flower guest '
          '(testsuite/e2e/guest-build: Debian 6.1 kernel under qemu TCG, '
          '-smp 1) with `bench/guest/bench_install.sh` appended as a second '
          'initramfs archive. Filters: the lpm allow list '
          '(bench/progs/lpm_allow.bpf.c, bench/gen-maps) compiled with '
          '`--target flower --dev vb --offload sw --assume no-ip-options '
          '--assume well-formed`, so all are skip_hw flower filters. Each '
          'install goes into a fresh clsact on a veth. Whole processes are '
          'timed by bench_timeit (CLOCK_MONOTONIC from fork to exit): '
          'tc = `tc -batch` of the `filter add` lines (chain 0, one request '
          'and one ack in turn); apply = `flowlift apply FILE --dev vb` '
          '(reads and parses the file, encodes each rule straight into the '
          'netlink batch, sends up to 1024 requests per sendmsg with '
          'NLM_F_ACK on the last one only (the kernel answers every failed '
          'request anyway), then its catch-all and jump filter: the same '
          'filters in chain 2 plus 2); floor = `bench_nlfloor FILE vb 1024 '
          'fence` (bench/nlfloor.c: apply\'s messages, from the backends\' '
          'encoder with chain 2 and apply\'s cookie, all encoded before its '
          'clock starts, then sent exactly as apply sends them: 1024 per '
          'sendmsg, one ack each, 4 MiB socket buffers); floor-ack = '
          '`bench_nlfloor FILE vb 64 ack` (the same messages 64 per sendmsg, '
          'every one acked and read: apply\'s method before). floor-send / '
          'floor-ack-send = the floor\'s own clock around its send/ack loop '
          'only: no process start, no file read, no encoding; this is the '
          'kernel\'s floor the issue compares against (apply/floor-send is '
          'whole apply process vs. the bare loop). '
          'Methods interleaved, %d reps each (BENCH_REPS); cells median '
          '(min-max); ratios are of median rates (>1: apply faster); filters '
          'after = `tc filter show` handles after each rep. Absolute rates '
          'are the emulated guest\'s (TCG, much slower than hardware): '
          'compare the ratios.\n' % bl.reps(5))
    print(bl.table(['filters', 'method', 'seconds', 'filters/s',
                    'filters after', 'ratios (medians)'], rows))
    print()


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'build')
