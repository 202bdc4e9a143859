// SPDX-License-Identifier: Apache-2.0
/*
 * timeit.c - run a command and print its wall time with nanosecond
 * resolution (CLOCK_MONOTONIC) and its peak RSS: for the qemu guest,
 * whose busybox has neither `date +%N` nor a precise `time`.
 *
 * Usage: bench_timeit CMD [ARG]...
 * Prints "timeit seconds=S rc=RC maxrss_kb=K" on stderr; exits with the
 * command's status (127 if it could not run).
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	double t0, t1;
	int status, rc;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_timeit CMD [ARG]...\n");
		return 2;
	}
	t0 = now_s();
	pid = fork();
	if (pid < 0)
		return 127;
	if (!pid) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return 127;
	t1 = now_s();
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(stderr, "timeit seconds=%.6f rc=%d maxrss_kb=%ld\n", t1 - t0,
		rc, ru.ru_maxrss);
	return rc;
}
