#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench_quality.py BUILD - emitted rules and priorities vs a naive
translation, for every corpus program (testsuite/programs/manifest, with
its NAME.MAP.json fixtures) and the demo policy (examples/ingress_acl).

The naive translation is one rule, at its own priority, per explored path
(the lifter enumerates one path per map entry it looks up, so this is
"one rule per path per map entry"): the `paths` figure of `flowlift -j
compile`. Prints a markdown section.
"""
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

ASSUME = ['--assume', 'no-ip-options', '--assume', 'well-formed']


def programs(build):
    """(name, object, [--map args], entries) for the corpus and the demo."""
    out = []
    src = os.path.join(bl.SRC, 'testsuite', 'programs')
    with open(os.path.join(src, 'manifest')) as f:
        names = [l.split()[0] for l in f if l.strip() and l[0] != '#']
    # a program has a manifest line per target and assumption: once here
    for n in sorted(set(names), key=names.index):
        out.append((n, os.path.join(build, 'testsuite', 'programs',
                                    'corpus_%s.bpf.o' % n),
                    sorted(glob.glob(os.path.join(src, n + '.*.json')))))
    ex = os.path.join(bl.SRC, 'examples')
    out.append(('demo: ingress_acl', os.path.join(build, 'examples',
                                                   'ingress_acl.bpf.o'),
                sorted(glob.glob(os.path.join(ex, 'ingress_acl.*.json')))))
    return out


def map_args(files):
    args, entries = [], 0
    for f in files:
        args += ['--map', '%s=%s' % (os.path.basename(f).split('.')[1], f)]
        with open(f) as fh:
            entries += len(json.load(fh))
    return args, entries


def fixups(fl, obj, maps):
    """--prog for objects with several programs, --ifname N=lo for
    redirect targets: what `compile` asks for, once."""
    extra = []
    for _ in range(4):
        r = bl.run([fl, 'compile', obj] + maps + extra + ['--target',
                   'flower', '--dev', 'lo', '-o', '/dev/null'], timeout=600)
        m = re.search(r'pick one with --prog: ([^ ]+) \(', r.err)
        i = re.search(r'give --ifname (\d+)=NAME', r.err)
        if r.rc == 0 or not (m or i):
            break
        if m:  # the program named like the object
            name = os.path.basename(obj).split('.')[0].split('_', 1)[1]
            extra += ['--prog', name if name in r.err else m.group(1)]
        if i:
            extra += ['--ifname', '%s=lo' % i.group(1)]
    return extra


def compile_stats(fl, obj, maps, extra, work):
    """-j summary, flower filter counts, and the rule count after the
    normalise pass (the lifter's rules with empty ones dropped)."""
    out = os.path.join(work, 'q.flower')
    r = bl.run([fl, '-j', 'compile', obj] + maps + ['--target', 'flower',
               '--dev', 'lo', '--offload', 'sw', '-o', out] + extra,
               timeout=600)
    if r.rc:
        return None, r
    st = json.loads(r.out)
    st['cpu'] = r.cpu
    st['filters'] = st['real'] = 0
    with open(out) as f:
        for line in f:
            if line.startswith('filter add'):
                st['filters'] += 1
                st['real'] += 'goto chain' not in line
    os.unlink(out)
    n = bl.run([fl, 'compile', obj] + maps + ['--target', 'ir',
               '--dump-after', 'normalise', '-o', '/dev/null'] + extra,
               timeout=600)
    st['normalised'] = sum(1 for l in n.err.splitlines()
                           if l.startswith('prio '))
    vargs = []
    for i in range(0, len(maps), 2):  # verify takes no --ifname
        if maps[i] != '--ifname':
            vargs += maps[i:i + 2]
    vargs += extra
    v = bl.run([fl, '-j', 'verify', obj] + vargs, timeout=600)
    try:
        vj = json.loads(v.out)
        st['coverage'] = '%.1f%%' % vj['coverage'] if vj['tested'] else '-'
        if vj['violations']:
            st['coverage'] += ' (%d VIOLATIONS)' % vj['violations']
    except (ValueError, KeyError):
        st['coverage'] = 'verify failed'
    return st, r


def main(build):
    fl = os.path.join(build, 'flowlift')
    work = os.path.join(build, 'bench')
    os.makedirs(work, exist_ok=True)
    rows = []
    tot = [0, 0]
    for name, obj, files in programs(build):
        maps, entries = map_args(files)
        extra = fixups(fl, obj, maps)
        maps += extra
        st, r = compile_stats(fl, obj, maps, [], work)
        sa, _ = compile_stats(fl, obj, maps, ASSUME, work)
        if not st:
            rows.append([name, entries, 'FAILED: ' +
                         r.err.strip().split('\n')[-1][:100]] + [''] * 12)
            continue
        tot[0] += st['paths']
        tot[1] += st['rules']
        rows.append([name, entries, st['paths'], st['paths_slowpath'],
                     st['normalised'], st['rules'],
                     '%.3f' % (st['rules'] / st['paths']),
                     st['priorities'], '%d / %d' % (st['real'],
                                                    st['filters']),
                     st['coverage'],
                     '%d / %d' % (sa['real'], sa['filters']) if sa else '?',
                     sa['coverage'] if sa else '?',
                     '%.2f' % st['cpu'], ' '.join(extra)])
    print('## Rule quality: emitted rules vs a naive translation\n')
    print('Method: `flowlift -j compile OBJ --map ... --target flower --dev '
          'lo --offload sw` per corpus program (testsuite/programs/manifest, '
          'fixtures NAME.MAP.json) and the demo policy. naive = one rule at '
          'its own priority per explored path (`paths` of `-j`; the lifter '
          'explores one path per looked-up map entry), of which slow = '
          'ended in the slow path; normalised = rules after the normalise '
          'pass (`--dump-after normalise`); IR rules and prios = the final '
          'rule set (after shadow, merge, prio, legalise); flower real / '
          'all = `filter add` lines that decide a verdict / all lines '
          '(the rest are `goto chain 1`, the slow path), by default and '
          'with `--assume no-ip-options --assume well-formed`; verify '
          'coverage = share of the frames `flowlift -j verify` judged that '
          'the flower rule set decides (the rest reach the slow path; '
          'default generator, 2000 frames + variants, seed 1). CPU s = '
          'user+sys of the default compile.\n')
    print(bl.table(['program', 'map entries', 'naive rules (= naive '
                    'prios)', 'slow paths', 'normalised', 'IR rules',
                    'IR / naive', 'IR prios', 'flower real / all',
                    'verify coverage', 'assumed: real / all',
                    'assumed: coverage', 'CPU s', 'extra args'], rows))
    if tot[0]:
        print('\nOver the corpus: %d naive rules, %d emitted (%.1f%%).\n'
              % (tot[0], tot[1], 100.0 * tot[1] / tot[0]))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'build')
