// SPDX-License-Identifier: Apache-2.0
/*
 * bench_fire.c - new flows for a loaded slow-path XDP program, at a paced
 * rate, through BPF_PROG_TEST_RUN: each run is one TCP SYN of a new flow
 * (10.a.b.1:sport -> 10.0.0.2:DPORT), so the program reports it on its ring
 * buffer and a running `flowlift agent` installs a rule for it.
 *
 * Usage: bench_fire PIN N RATE [DPORT]
 *   PIN    the program pinned in bpffs
 *   N      flows to send (distinct 5-tuples; flow numbering starts at
 *          $BENCH_FIRE_BASE, default 0, so runs can stay distinct)
 *   RATE   flows per second (0: as fast as possible)
 *   DPORT  destination port (default 443)
 * Prints "fire flows=N seconds=S rate=R errors=E".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Ethernet + IPv4 (20) + TCP (20) SYN; the checksum is not checked. */
static void frame(unsigned char *f, unsigned long i, uint16_t dport)
{
	static const unsigned char eth[14] = {2, 0, 0, 0, 0, 2,	   2,
					      0, 0, 0, 0, 1, 0x08, 0x00};
	uint32_t src = htonl(0x0a000000 | (uint32_t)(i / 60000) << 8 | 1);
	uint32_t dst = htonl(0x0a000002);
	uint16_t sport = htons(1024 + i % 60000), dp = htons(dport);

	memset(f, 0, 54);
	memcpy(f, eth, 14);
	f[14] = 0x45;
	f[16] = 0;
	f[17] = 40;
	f[20] = 0x40; /* DF */
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, &src, 4);
	memcpy(f + 30, &dst, 4);
	memcpy(f + 34, &sport, 2);
	memcpy(f + 36, &dp, 2);
	f[46] = 0x50;
	f[47] = 0x02; /* SYN */
	f[48] = 0xff;
	f[49] = 0xff;
}

int main(int argc, char **argv)
{
	unsigned long n, base, errors = 0;
	unsigned char f[64];
	double rate, t0, t1;
	uint16_t dport = 443;
	const char *b;
	int fd;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: bench_fire PIN N RATE [DPORT]\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	rate = strtod(argv[3], NULL);
	if (argc == 5)
		dport = atoi(argv[4]);
	b = getenv("BENCH_FIRE_BASE");
	base = b ? strtoul(b, NULL, 10) : 0;
	fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "bench_fire: %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	t0 = now_s();
	for (unsigned long i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f,
			    .data_size_in = 54, .repeat = 1);

		frame(f, base + i, dport);
		if (bpf_prog_test_run_opts(fd, &o))
			errors++;
		if (rate > 0) {
			double ahead = t0 + (i + 1) / rate - now_s();

			if (ahead > 0.0002)
				usleep(ahead * 1e6);
		}
	}
	t1 = now_s();
	printf("fire flows=%lu seconds=%.4f rate=%.0f errors=%lu\n", n, t1 - t0,
	       n / (t1 - t0), errors);
	close(fd);
	return errors ? 1 : 0;
}
