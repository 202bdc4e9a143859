#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench_verify.py BUILD - packets per second through verify's rule
interpreter vs through BPF_PROG_TEST_RUN (bench_verify; needs root), for
the demo policy and the compile benchmark's programs at 1k and 10k
entries. Prints a markdown section.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
import bench_compile  # noqa: E402

ASSUME = ['--assume', 'no-ip-options', '--assume', 'well-formed']


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
    for (name, obj, maps), target in [(c, t) for c in cases(build)
                                      for t in ('flower', 'ir')]:
        name = '%s (%s)' % (name, target)
        r = bl.run([os.path.join(build, 'bench', 'bench_verify'), obj,
                    str(frames), str(max(bl.reps(), 3))] + maps + ASSUME +
                   ['--target', target], timeout=900)
        if r.rc:
            rows.append([name, 'FAILED: ' + r.err.strip()[-100:], '', '',
                         '', ''])
            continue
        res = {l.split()[0]: kv(l) for l in r.out.splitlines()}
        i, k = res['interp'], res['kernel']
        rules = r.out.split('rules ')[1].split()[0]
        rows.append([name, rules, '%s (%s-%s)' % (i['median_pps'],
                                                 i['worst_pps'],
                                                 i['best_pps']),
                     '%s (%s-%s)' % (k['median_pps'], k['worst_pps'],
                                     k['best_pps']),
                     '%.1f' % (float(i['median_pps']) /
                               float(k['median_pps'])),
                     '%.1f%%' % (100.0 * int(i['decided']) / frames)])
    print('Method: `build/bench/bench_verify OBJ %d REPS --map ... --assume '
          'no-ip-options --assume well-formed` (bench/bench_verify.c): the '
          'program lifted for flower in-process, %d random well-formed '
          'IPv4 TCP/UDP/ICMP frames (74 bytes, seeded), each side run over '
          'all of them %d times in one process: the interpreter '
          '(ir_dissect flower model + ir_ruleset__eval, first match) and '
          'the kernel (vf_kern__run: one BPF_PROG_TEST_RUN syscall per '
          'frame, as `flowlift verify` runs it). pps: median (worst-best). '
          'decided = frames a rule decides (not the slow path). (flower): '
          'the rule set legalised for flower, as verify judges it; (ir): '
          'not legalised, every lifted rule kept, so frames walk further '
          'into the first-match list.\n'
          % (frames, frames, max(bl.reps(), 3)))
    print(bl.table(['program', 'IR rules', 'interpreter pps',
                    'test_run pps', 'interp / test_run', 'decided'], rows))
    print()


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'build')
