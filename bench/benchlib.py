# SPDX-License-Identifier: Apache-2.0
"""benchlib - what the bench scripts share: timing a command with its
rusage (wall, user+sys CPU, peak RSS from wait4, as /usr/bin/time -v reads
them), medians with their spread, a log-log fit, markdown tables.

Each bench_*.py prints one markdown section (a table and, next to it, the
method); bench/run collects them into BENCHMARKS.md.
"""
import math
import os
import platform
import statistics
import subprocess
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def full():
    """BENCH_FULL=1: the large sizes too."""
    return os.environ.get('BENCH_FULL', '0') not in ('', '0')


def reps(default=3):
    return int(os.environ.get('BENCH_REPS', default))


class Run:
    """rc, wall (s), cpu (s), rss_kb, out, err of one run."""

    def __init__(self, rc, wall, cpu, rss_kb, out, err):
        self.rc, self.wall, self.cpu, self.rss_kb = rc, wall, cpu, rss_kb
        self.out, self.err = out, err


def run(cmd, timeout=None, mem_limit=None, stdin=None, cwd=None):
    """Run cmd (a list) under /usr/bin/time: wall seconds, CPU seconds
    (user+sys) and peak RSS (KiB) of the command itself, its output; killed
    after timeout seconds; mem_limit (bytes) is its RLIMIT_AS (prlimit)."""
    tf = '/tmp/.bench-time-%d' % os.getpid()
    pre = ['/usr/bin/time', '-f', '%e %U %S %M', '-o', tf]
    if mem_limit:
        pre += ['prlimit', '--as=%d' % mem_limit, '--']
    t0 = time.monotonic()
    try:
        p = subprocess.run(pre + cmd, stdin=stdin, capture_output=True,
                           timeout=timeout, cwd=cwd)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = -9, e.stdout or b'', (e.stderr or b'') + (
            b'\n(killed after %d s)' % timeout)
    wall = time.monotonic() - t0
    cpu, rss = float('nan'), 0
    try:
        with open(tf) as f:
            last = f.read().split('\n')
        last = [l for l in last if l and l[0].isdigit()][-1].split()
        wall, cpu, rss = float(last[0]), float(last[1]) + float(last[2]), \
            int(last[3])
        os.unlink(tf)
    except (OSError, IndexError, ValueError):
        pass
    if wall < 1:  # /usr/bin/time has 10 ms resolution
        wall = time.monotonic() - t0
    return Run(rc, wall, cpu, rss, out.decode(errors='replace'),
               err.decode(errors='replace'))


def med(xs):
    """'median (min-max)' of a list of numbers."""
    return statistics.median(xs), min(xs), max(xs)


def fmt_med(xs, f='%.3g'):
    m, lo, hi = med(xs)
    if len(xs) == 1:
        return f % m
    return (f + ' (%s-%s)') % (m, f % lo, f % hi)


def loglog(xs, ys):
    """Least-squares slope of log y over log x: the exponent k of y ~ x^k."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(max(y, 1e-9)) for y in ys]
    mx, my = statistics.mean(lx), statistics.mean(ly)
    num = sum((a - mx) * (b - my) for a, b in zip(lx, ly))
    den = sum((a - mx) ** 2 for a in lx)
    return num / den if den else float('nan')


def table(head, rows):
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '|'.join('---' for _ in head) + '|']
    for r in rows:
        lines.append('| ' + ' | '.join(str(c) for c in r) + ' |')
    return '\n'.join(lines)


def machine():
    """One line naming the machine a table ran on."""
    cpu = '?'
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') >> 30
    load = os.getloadavg()
    return ('%s, %d CPUs, %d GiB RAM, Linux %s; load average %.1f at start'
            % (cpu, os.cpu_count(), mem, platform.release(), load[0]))
