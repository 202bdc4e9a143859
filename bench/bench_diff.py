#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench_diff.py BUILD - `flowlift diff` of two rule sets that differ by
one map entry: the lpm allow list with N entries and the same list without
its middle entry, both compiled to IR. N = 1k, 10k and 100k (BENCH_FULL=1:
also 300k). Prints a markdown section.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
import bench_compile  # noqa: E402

TIMEOUT = int(os.environ.get('BENCH_DIFF_TIMEOUT', 1800))


SIZES = {'lpm': ([1000, 10000, 100000], [300000]),
         'svc5': ([1000, 10000], [100000])}


def ir(build, prog, dump, out):
    obj, mname, _ = bench_compile.PROGS[prog]
    subprocess.run([os.path.join(build, 'flowlift'), 'compile',
                    os.path.join(build, 'bench', obj), '--map',
                    '%s=%s' % (mname, dump), '--target', 'ir', '-q', '-o',
                    out], check=True)
    with open(out) as f:
        return sum(1 for l in f if l.startswith('prio '))


def main(build):
    work = os.path.join(build, 'bench')
    rows, fits = [], []
    for prog in SIZES:
        pts = one_prog(build, work, prog, rows)
        if len(pts) >= 2:
            fits.append('%s %.2f (%d-%d rules)' % (
                prog, bl.loglog([p[0] for p in pts], [p[1] for p in pts]),
                pts[0][0], pts[-1][0]))
    print('## Diff: two rule sets, one change\n')
    print('Method: `flowlift diff A.ir B.ir` under `/usr/bin/time`; A = a '
          'bench program compiled `--target ir` with N map entries '
          '(bench/gen-maps, seed 1), B = the same without its middle entry '
          '(`gen-maps drop-one`): lpm = the LPM allow list '
          '(bench/progs/lpm_allow.bpf.c; its rules carry the ranges '
          '`meta.len=34-65535 ip4.ihl=5-15`), svc5 = the 5-tuple service '
          'table (bench/progs/svc5.bpf.c). %d runs up to 10k entries, then '
          'one; BENCH_FULL=1 adds lpm 300k and svc5 100k; %d s and 10 GiB '
          'limits. Cells: median (min-max).\n' % (bl.reps(), TIMEOUT))
    print(bl.table(['program', 'IR rules A / B', 'wall s', 'CPU s',
                    'peak RSS MiB', 'result'], rows))
    if fits:
        print('\nGrowth of CPU time with rules (log-log fit exponent): %s.'
              % '; '.join(fits))
    print()


def one_prog(build, work, prog, rows):
    small, large = SIZES[prog]
    pts = []
    for n in small + (large if bl.full() else []):
        a = bench_compile.fixture(work, prog, n)
        b = os.path.join(work, 'fixtures', '%s-%d-minus1.json' % (prog, n))
        if not os.path.exists(b):
            subprocess.run([os.path.join(bl.SRC, 'bench', 'gen-maps'),
                            'drop-one', a, b], check=True)
        ra = ir(build, prog, a, os.path.join(work, 'diff-a.ir'))
        rb = ir(build, prog, b, os.path.join(work, 'diff-b.ir'))
        k = bl.reps() if n <= 10000 else 1
        runs = []
        for _ in range(k):
            r = bl.run([os.path.join(build, 'flowlift'), 'diff',
                        os.path.join(work, 'diff-a.ir'),
                        os.path.join(work, 'diff-b.ir')], timeout=TIMEOUT,
                       mem_limit=10 << 30)
            runs.append(r)
            sys.stderr.write('diff %s %d: rc %d, %.1f s\n'
                             % (prog, n, r.rc, r.wall))
            if r.rc != 1:  # 1: they differ, as they should
                break
        if runs[-1].rc != 1:
            r = runs[-1]
            rows.append([prog, '%d / %d' % (ra, rb), 'FAILED rc=%d after %.0f s '
                         '(%d MiB): %s' % (r.rc, r.wall, r.rss_kb >> 10,
                                           r.err.strip()[-100:]), '', '',
                         ''])
            break
        cpu = [r.cpu for r in runs]
        pts.append((ra, bl.med(cpu)[0]))
        rows.append([prog, '%d / %d' % (ra, rb),
                     bl.fmt_med([r.wall for r in runs]),
                     bl.fmt_med(cpu), bl.fmt_med([r.rss_kb / 1024.0
                                                  for r in runs], '%.0f'),
                     runs[0].out.split('\n')[0]])
    return pts


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'build')
