// SPDX-License-Identifier: Apache-2.0
/*
 * bench_agent.c - the agent's own cost, measured on its core
 * (runtime/rt_internal.h) with the sim backend and the real clock: what
 * `flowlift agent --backend sim` does per ring buffer record minus the
 * ring buffer read itself.
 *
 *  setups  N distinct TCP flows, each one event (timestamped now) fed to
 *          rt_core__event, rt_core__flush after every BATCH events:
 *          flows installed per second, install latency percentiles from
 *          the core's own histogram (event timestamp -> ack)
 *  memory  heap bytes (mallinfo2 uordblks) per tracked flow, agent side
 *          (flow table) and sim device side separately
 *  reap    rt_core__reap over the N installed flows (a full dump of the
 *          device and a scan of the table; nothing is idle), REPS times
 *  reap_sliced  the same reap in slices of RT_REAP_SLICE (what the agent
 *          runs between two ring buffer reads): slices, and the median,
 *          99th percentile and longest slice: how long the reader waits
 *          for the reap (the longest includes being descheduled)
 *
 * Usage: bench_agent N [BATCH] [REPS]   (defaults 1000000 128 3)
 * Prints one "key=value ..." line per measurement.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/rt_internal.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* This thread's CPU time: a slice's own cost, without the time the
 * thread was descheduled (on a loaded host that is most of a long one). */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t heap(void)
{
	return mallinfo2().uordblks;
}

/* Flow i: tcp 10.a.b.c:(1024 + i % 60000) -> 192.168.0.1:443 on dev 7. */
static void flow_key(struct flowlift_flow_key *k, uint32_t i)
{
	uint32_t a = htonl(0x0a000000 | (i / 60000));

	memset(k, 0, sizeof(*k));
	k->ifindex = 7;
	k->hook = FLOWLIFT_HOOK_TC_INGRESS;
	k->family = 4;
	k->proto = 6;
	k->sport = htons(1024 + i % 60000);
	k->dport = htons(443);
	memcpy(k->src, &a, 4);
	k->dst[0] = 192;
	k->dst[1] = 168;
	k->dst[3] = 1;
}

/* Heap bytes per rule of the sim device alone. */
static double sim_bytes_per_rule(uint32_t n)
{
	struct rt_sim_opts so = {0};
	struct rt_backend *be;
	size_t h0 = heap(), h1;
	struct rt_rule r = {.verdict = FLOWLIFT_PASS};

	be = rt_backend_sim__new(&so);
	if (!be)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		flow_key(&r.key, i);
		r.handle = i + 1;
		if (rt_sim__insert(be, &r, true))
			break;
	}
	h1 = heap();
	rt_backend__free(be);
	return (double)(h1 - h0) / n;
}

static int run(uint32_t n, uint32_t batch, int reps)
{
	struct rt_core_opts co = {
		.idle_timeout_ms = 3600 * 1000,
		.max_flows = n,
		.hw_lag_ms = 0,
		.batch = batch,
	};
	struct rt_sim_opts so = {0};
	struct flowlift_event ev;
	struct rt_status st;
	struct rt_backend *be;
	struct rt_core c;
	size_t h0, h1, h2;
	uint64_t t0, t1;
	double sim_b;
	int err;

	sim_b = sim_bytes_per_rule(n);
	h0 = heap();
	be = rt_backend_sim__new(&so);
	if (!be || (err = rt_core__init(&c, &co, be))) {
		fprintf(stderr, "bench_agent: init failed\n");
		rt_backend__free(be);
		return 1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.version = FLOWLIFT_EVENT_VERSION;
	ev.size = sizeof(ev);
	ev.verdict = FLOWLIFT_PASS;

	t0 = mono_ns();
	for (uint32_t i = 0; i < n; i++) {
		flow_key(&ev.key, i);
		ev.timestamp_ns = mono_ns();
		err = rt_core__event(&c, &ev);
		if (!err && (i + 1) % batch == 0)
			err = rt_core__flush(&c);
		if (err) {
			fprintf(stderr, "bench_agent: flow %u: %s\n", i,
				strerror(-err));
			goto out;
		}
	}
	err = rt_core__flush(&c);
	t1 = mono_ns();
	h1 = heap();
	rt_core__status(&c, &st);
	if (err || st.installed != n) {
		fprintf(stderr, "bench_agent: installed %llu of %u\n",
			(unsigned long long)st.installed, n);
		err = err ?: -EIO;
		goto out;
	}
	printf("setups flows=%u batch=%u seconds=%.4f setups_per_s=%.0f "
	       "lat_p50_us=%llu lat_p90_us=%llu lat_p99_us=%llu\n",
	       n, batch, (t1 - t0) / 1e9, n / ((t1 - t0) / 1e9),
	       (unsigned long long)st.lat_p50_us,
	       (unsigned long long)st.lat_p90_us,
	       (unsigned long long)st.lat_p99_us);
	printf("memory flows=%u total_bytes_per_flow=%.1f sim_bytes_per_rule="
	       "%.1f agent_bytes_per_flow=%.1f sizeof_rt_flow=%zu\n",
	       n, (double)(h1 - h0) / n, sim_b, (double)(h1 - h0) / n - sim_b,
	       sizeof(struct rt_flow));
	for (int r = 0; r < reps; r++) {
		t0 = mono_ns();
		err = rt_core__reap(&c);
		t1 = mono_ns();
		if (err) {
			fprintf(stderr, "bench_agent: reap: %s\n",
				strerror(-err));
			goto out;
		}
		rt_core__status(&c, &st);
		printf("reap flows=%llu rep=%d seconds=%.4f scan_us=%llu "
		       "reaped=%llu\n",
		       (unsigned long long)st.flows, r, (t1 - t0) / 1e9,
		       (unsigned long long)st.last_reap_scan_us,
		       (unsigned long long)st.reaped);
	}
	for (int r = 0; r < reps; r++) {
		size_t slices = 0, cap = 1024;
		uint64_t *ts = malloc(cap * sizeof(*ts)), t2, c2;
		uint64_t *cs = malloc(cap * sizeof(*cs));
		int ret;

		if (!ts || !cs) {
			free(ts);
			free(cs);
			err = -ENOMEM;
			goto out;
		}
		t0 = mono_ns();
		err = rt_core__reap_start(&c);
		do {
			if (slices == cap) {
				uint64_t *nts = realloc(ts, 2 * cap *
							       sizeof(*ts));
				uint64_t *ncs = nts ? realloc(cs, 2 * cap *
							       sizeof(*cs)) :
						      NULL;

				if (nts)
					ts = nts;
				if (!ncs)
					break;
				cs = ncs;
				cap *= 2;
			}
			t2 = mono_ns();
			c2 = cpu_ns();
			ret = rt_core__reap_step(&c, 0);
			cs[slices] = cpu_ns() - c2;
			ts[slices++] = mono_ns() - t2;
		} while (ret > 0);
		t1 = mono_ns();
		if (err || ret) {
			fprintf(stderr, "bench_agent: sliced reap failed\n");
			free(ts);
			free(cs);
			err = err ?: ret ?: -ENOMEM;
			goto out;
		}
		qsort(ts, slices, sizeof(*ts), cmp_u64);
		qsort(cs, slices, sizeof(*cs), cmp_u64);
		printf("reap_sliced flows=%u rep=%d seconds=%.4f slices=%zu "
		       "slice=%u p50_slice_us=%.0f p99_slice_us=%.0f "
		       "max_slice_us=%.0f p99_slice_cpu_us=%.0f "
		       "max_slice_cpu_us=%.0f\n", n, r, (t1 - t0) / 1e9,
		       slices, (unsigned)RT_REAP_SLICE, ts[slices / 2] / 1e3,
		       ts[slices * 99 / 100] / 1e3, ts[slices - 1] / 1e3,
		       cs[slices * 99 / 100] / 1e3, cs[slices - 1] / 1e3);
		free(ts);
		free(cs);
	}
	t0 = mono_ns();
	err = rt_core__shutdown(&c, false);
	t1 = mono_ns();
	h2 = heap();
	printf("shutdown flows=%u seconds=%.4f removed=%zu "
	       "leftover_bytes=%zd\n",
	       n, (t1 - t0) / 1e9, (size_t)n - rt_sim__count(be),
	       (ssize_t)(h2 - h0));
out:
	rt_core__fini(&c);
	rt_backend__free(be);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	uint32_t batch = argc > 2 ? strtoul(argv[2], NULL, 10) : 128;
	int reps = argc > 3 ? atoi(argv[3]) : 3;

	if (argc > 4 || !n || !batch || reps < 0) {
		fprintf(stderr, "usage: bench_agent N [BATCH] [REPS]\n");
		return 2;
	}
	return run(n, batch, reps);
}
