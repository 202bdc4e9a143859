#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench_compile.py BUILD - compile time and peak memory vs map size.

Two bench programs (bench/progs): an IPv4 LPM allow list and a 5-tuple
service hash table, filled by bench/gen-maps with 1k and 10k entries
(BENCH_FULL=1: also 100k and 1M), compiled to tc flower text. Prints a
markdown section; raw rows go to BUILD/bench/compile.tsv.
"""
import os
import json
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

PROGS = {
    'lpm': ('bench_lpm_allow.bpf.o', 'allow', 'LPM allow list (IPv4 /16-/32)'),
    'svc5': ('bench_svc5.bpf.o', 'svc5', '5-tuple service hash'),
}
TIMEOUT = int(os.environ.get('BENCH_COMPILE_TIMEOUT', 1800))
MEM = int(os.environ.get('BENCH_COMPILE_MEM_GB', 12)) << 30


def fixture(work, kind, n):
    path = os.path.join(work, 'fixtures', '%s-%d.json' % (kind, n))
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run([os.path.join(bl.SRC, 'bench', 'gen-maps'), kind,
                        str(n), path], check=True)
    return path


def one(build, work, kind, n):
    obj, mname, _ = PROGS[kind]
    out = os.path.join(work, 'out-%s-%d.flower' % (kind, n))
    cmd = [os.path.join(build, 'flowlift'), '-j', 'compile',
           os.path.join(build, 'bench', obj),
           '--map', '%s=%s' % (mname, fixture(work, kind, n)),
           '--target', 'flower', '--dev', 'lo', '--offload', 'sw',
           '--assume', 'no-ip-options', '--assume', 'well-formed', '-o', out]
    r = bl.run(cmd, timeout=TIMEOUT, mem_limit=MEM)
    st = {}
    if r.rc == 0:
        st = json.loads(r.out)
        st['filters'] = st['slow'] = st['cut'] = 0
        with open(out) as f:
            for line in f:
                if line.startswith('filter add'):
                    st['filters'] += 1
                    st['slow'] += 'goto chain' in line
                elif line.startswith('# note:'):
                    # a pass that stopped at its analysis budget says so
                    st['cut'] += ('analysis budget' in line or
                                  'too many to analyse' in line)
        os.unlink(out)
    return r, st


def main(build):
    work = os.path.join(build, 'bench')
    os.makedirs(work, exist_ok=True)
    sizes = [1000, 10000] + ([100000, 1000000] if bl.full() else [])
    rows, fits = [], []
    tsv = open(os.path.join(work, 'compile.tsv'), 'w', buffering=1)
    tsv.write('map\tentries\trc\twall_s\tcpu_s\trss_kb\tpaths\t'
              'ir_rules\tprios\twithheld\tfilters\tslow_filters\t'
              'budget_notes\n')
    for kind in PROGS:
        pts = []
        for n in sizes:
            k = bl.reps() if n <= 10000 else 1
            runs = []
            for _ in range(k):
                r, st = one(build, work, kind, n)
                runs.append(r)
                tsv.write('%s\t%d\t%d\t%.3f\t%.3f\t%d\t%s\n' % (
                    kind, n, r.rc, r.wall, r.cpu, r.rss_kb, '\t'.join(
                        str(st.get(x, '')) for x in (
                            'paths', 'rules', 'priorities', 'withheld',
                            'filters', 'slow', 'cut'))))
                sys.stderr.write('compile %s %d: rc %d, %.1f s, %d MiB\n'
                                 % (kind, n, r.rc, r.wall, r.rss_kb >> 10))
                if r.rc:
                    break
            bad = [r for r in runs if r.rc]
            if bad:
                why = (bad[0].err.strip().split('\n') or ['?'])[-1][:120]
                rows.append([kind, n, 'FAILED rc=%d after %.0f s, peak '
                             '%d MiB: %s' % (bad[0].rc, bad[0].wall,
                                             bad[0].rss_kb >> 10, why)]
                            + [''] * 10)
                break
            cpu = [r.cpu for r in runs]
            rss = [r.rss_kb / 1024 for r in runs]
            mcpu = bl.med(cpu)[0]
            pts.append((n, mcpu, bl.med(rss)[0]))
            rows.append([kind, n, st['paths'], st['rules'], st['filters'],
                         st['filters'] - st['slow'], st['priorities'],
                         st['cut'],
                         bl.fmt_med([r.wall for r in runs]),
                         bl.fmt_med(cpu), bl.fmt_med(rss, '%.0f'),
                         '%.0f' % (st['filters'] / mcpu if mcpu else 0),
                         '%.0f' % (mcpu / n * 1e6),
                         '%.1f' % (bl.med(rss)[0] * 1024 / n)])
        if len(pts) >= 2:
            xs = [p[0] for p in pts]
            fits.append([kind, '%d-%d' % (xs[0], xs[-1]),
                         '%.2f' % bl.loglog(xs, [p[1] for p in pts]),
                         '%.2f' % bl.loglog(xs, [p[2] for p in pts])])
    tsv.close()
    print('## Compile: time and memory vs map size\n')
    print('Method: `flowlift -j compile OBJ --map NAME=DUMP --target flower '
          '--dev lo --offload sw --assume no-ip-options --assume well-formed '
          '-o FILE` under `/usr/bin/time` (wall, user+sys CPU, max RSS), %d '
          'runs per size up to 10k entries, one run at 100k and 1M '
          '(BENCH_FULL=1), each run limited to %d GiB of address space and '
          '%d s. Map dumps from `bench/gen-maps` (bpftool `-j` hex form, '
          'seed 1). Programs: `bench/progs/lpm_allow.bpf.c` (lpm: %s) and '
          '`bench/progs/svc5.bpf.c` (svc5: %s, 3 in 4 entries pass, the rest '
          'drop). Without the two assumptions flower withholds every rule of '
          'both programs (ip4.ihl, frame length) and all filters are `goto '
          'chain 1`. paths, IR rules, prios: from `-j`; filters: `filter '
          'add` lines, real ones = not a slow-path goto; budget notes: '
          'passes that stopped at their analysis budget and took the safe '
          'answer (`# note:` lines; 0 means every pass finished its '
          'analysis). Cells: median '
          '(min-max). filters/s = filters / median CPU s.\n'
          % (bl.reps(), MEM >> 30, TIMEOUT, PROGS['lpm'][2],
             PROGS['svc5'][2]))
    print(bl.table(['map', 'entries', 'paths', 'IR rules', 'filters',
                    'real filters', 'prios', 'budget notes', 'wall s',
                    'CPU s',
                    'peak RSS MiB', 'filters/s', 'CPU us/entry',
                    'RSS KiB/entry'], rows))
    print('\nGrowth: exponent k of a least-squares fit of log(cost) = '
          'k log(entries) + c over the sizes that finished (1 is linear, 2 '
          'quadratic).\n')
    print(bl.table(['map', 'entries', 'k (CPU time)', 'k (peak RSS)'], fits))
    print()


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'build')
