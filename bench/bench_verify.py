#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench_verify.py BUILD - packets per second through verify's rule
interpreter (the first-match index) vs through BPF_PROG_TEST_RUN
(bench_verify; needs root), with the linear scan the index replaced for
reference, for the demo policy and the compile benchmark's programs at 1k
and 10k entries. Prints a markdown section.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
import bench_compile  # noqa: E402

ASSUME = ['--assume', 'no-ip-options', '--assume', 'well-formed']
# (label, target, assumptions): as verify judges flower, the IR it is
# legalised from, and the IR without assumptions (ihl=5..15 split into
# paths: about ten times the rules, the largest sets verify meets).
VARIANTS = [('flower', 'flower', ASSUME), ('ir', 'ir', ASSUME),
            ('ir, no assumptions', 'ir', [])]


def cases(build):
    ex = os.path.join(bl.SRC, 'examples', 'ingress_acl.')
    work = os.path.join(build, 'bench')
    yield ('demo ingress_acl', os.path.join(build, 'examples',
                                            'ingress_acl.bpf.o'),
           ['--map', 'deny=%sdeny.json' % ex, '--map',
            'services=%sservices.json' % ex, '--map',
            'config=%sconfig.json' % ex])
    for kind in ('lpm', 'svc5'):
        obj, mname, _ = bench_compile.PROGS[kind]
        for n in (1000, 10000):
            yield ('%s %d' % (kind, n), os.path.join(build, 'bench', obj),
                   ['--map', '%s=%s' % (mname, bench_compile.fixture(
                       work, kind, n))])


def kv(line):
    return dict(p.split('=', 1) for p in line.split()[1:] if '=' in p)


def main(build):
    print('## Verify: interpreter vs BPF_PROG_TEST_RUN\n')
    if os.geteuid() != 0:
        print('(skipped: BPF_PROG_TEST_RUN needs root)\n')
        return
    frames = 100000
    rows = []
    for (name, obj, maps), (label, target, assume) in [
            (c, v) for c in cases(build) for v in VARIANTS]:
        name = '%s (%s)' % (name, label)
        r = bl.run([os.path.join(build, 'bench', 'bench_verify'), obj,
                    str(frames), str(max(bl.reps(), 3))] + maps + assume +
                   ['--target', target], timeout=900)
        if r.rc:
            rows.append([name, 'FAILED: ' + r.err.strip()[-100:]] +
                        [''] * 7)
            continue
        res = {l.split()[0]: kv(l) for l in r.out.splitlines()}
        i, lin, k, ix = (res['interp'], res['linear'], res['kernel'],
                         res['index'])

        def pps(x):
            return '%s (%s-%s)' % (x['median_pps'], x['worst_pps'],
                                   x['best_pps'])
        rows.append([name, ix['rules'], ix['subtables'],
                     '%.3f' % float(ix['build_s']), pps(i),
                     '%s (%s fr.)' % (pps(lin), lin['frames']), pps(k),
                     '%.1f' % (float(i['median_pps']) /
                               float(k['median_pps'])),
                     '%.1f%%' % (100.0 * int(i['decided']) / frames)])
    print('Method: `build/bench/bench_verify OBJ %d REPS --map ... --assume '
          'no-ip-options --assume well-formed` (bench/bench_verify.c; '
          'without the --assume options for the "no assumptions" rows): '
          'the program lifted in-process, %d random well-formed '
          'IPv4 TCP/UDP/ICMP frames (74 bytes, seeded), each side run over '
          'all of them %d times in one process: the interpreter as '
          '`flowlift verify` runs it (ir_dissect flower model + '
          'ir_index__eval, the first-match index of ir/ir_index.c) and '
          'the kernel (vf_kern__run: one BPF_PROG_TEST_RUN syscall per '
          'frame, as `flowlift verify` runs it). The index is built once '
          'per rule set before the runs; its build time is the "index '
          'build s" column, not counted in the interpreter\'s rate. '
          'subtables: distinct match shapes the index probes. For '
          'reference, the linear first-match scan it replaced '
          '(ir_ruleset__eval) over the first 2e7/rules frames (at least '
          '100, at most all), where both must pick the same rule for '
          'every frame or the run fails. pps: median (worst-best). '
          'decided = frames a rule decides (not the slow path). (flower): '
          'the rule set legalised for flower, as verify judges it; (ir): '
          'not legalised, every lifted rule kept.\n'
          % (frames, frames, max(bl.reps(), 3)))
    print(bl.table(['program', 'IR rules', 'subtables', 'index build s',
                    'interpreter pps (index)', 'linear scan pps',
                    'test_run pps', 'interp / test_run', 'decided'],
                   rows))
    print()


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'build')
