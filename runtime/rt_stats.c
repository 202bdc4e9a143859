// SPDX-License-Identifier: Apache-2.0
/*
 * rt_stats.c - the install latency histogram and the Prometheus text
 * exposition of the agent's counters (what --stats writes and --status
 * reads back).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>

#include "common/common.h"
#include "runtime/rt_internal.h"

void rt_hist__add(struct rt_hist *h, uint64_t us)
{
	unsigned int i = 0;

	while (i < RT_HIST_BUCKETS - 1 && us >= (1ull << i))
		i++;
	h->b[i]++;
	h->count++;
	h->sum_us += us;
}

uint64_t rt_hist__quantile(const struct rt_hist *h, double q)
{
	uint64_t want, seen = 0;

	if (!h->count)
		return 0;
	want = (uint64_t)(q * (double)h->count);
	if (want < 1)
		want = 1;
	for (unsigned int i = 0; i < RT_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= want)
			return 1ull << i;
	}
	return 1ull << (RT_HIST_BUCKETS - 1);
}

static const struct prom_row {
	const char *name, *type, *help;
	size_t off;
} rows[] = {
#define ROW(n, t, f, h) { "flowlift_agent_" n, t, h, offsetof(struct rt_status, f) }
	ROW("events_total", "counter", events, "flow events read"),
	ROW("events_invalid_total", "counter", events_invalid,
	    "events dropped as garbage (version, size, fields)"),
	ROW("events_duplicate_total", "counter", events_dup,
	    "events for flows already tracked"),
	ROW("events_refused_total", "counter", dropped_full,
	    "events refused at the flow limit"),
	ROW("flows_installed_total", "counter", installed, "rules installed"),
	ROW("flows_adopted_total", "counter", adopted,
	    "rules adopted (EEXIST, restart)"),
	ROW("flows_failed_total", "counter", failed, "installs given up"),
	ROW("flows_reaped_total", "counter", reaped, "rules reaped as idle"),
	ROW("flows_revalidated_total", "counter", revalidated,
	    "flows removed because the verdict changed"),
	ROW("flows_evicted_total", "counter", evicted,
	    "idlest flows evicted for room"),
	ROW("flows_shutdown_total", "counter", removed_shutdown,
	    "rules removed at shutdown"),
	ROW("flows_vanished_total", "counter", vanished,
	    "rules removed by someone else"),
	ROW("orphans_deleted_total", "counter", orphans_deleted,
	    "own rules with no flow, deleted"),
	ROW("enospc_total", "counter", enospc, "installs refused: full"),
	ROW("retries_total", "counter", ebusy_retries,
	    "installs retried after a transient error"),
	ROW("delete_errors_total", "counter", del_errors,
	    "deletes that failed (retried)"),
	ROW("ringbuf_drops_total", "counter", rb_drops,
	    "events the program could not submit (ring buffer full)"),
	ROW("ringbuf_skipped_total", "counter", rb_skipped,
	    "reports skipped by the program within the TTL"),
	ROW("policy_changes_total", "counter", revalidations,
	    "policy map changes seen"),
	ROW("flows", "gauge", flows, "flows in the table"),
	ROW("flows_active", "gauge", flows_installed, "rules installed now"),
	ROW("flows_max", "gauge", max_flows, "flow limit"),
	ROW("reap_scan_microseconds", "gauge", last_reap_scan_us,
	    "last reap's dump and sweep, its slices summed, microseconds"),
	ROW("reap_wall_microseconds", "gauge", last_reap_wall_us,
	    "last reap, first slice to last, microseconds"),
	ROW("reaps_total", "counter", reaps, "reaps completed"),
	ROW("reap_slices_total", "counter", reap_slices,
	    "reap slices run (the ring buffer is read between two)"),
	ROW("ringbuf_bytes", "gauge", rb_bytes,
	    "size of the program's ring buffer (FLOWLIFT_RINGBUF_BYTES)"),
#undef ROW
};

static int write_hist(const struct rt_status *st, const struct rt_hist *h,
		      FILE *f)
{
	static const char *n = "flowlift_agent_install_latency_seconds";
	static const double qs[] = { 0.5, 0.9, 0.99 };
	const uint64_t qv[] = { st->lat_p50_us, st->lat_p90_us,
				st->lat_p99_us };
	uint64_t cum = 0;

	if (h) {
		fprintf(f, "# HELP %s event to installed rule\n# TYPE %s "
			   "histogram\n", n, n);
		for (unsigned int i = 0; i < RT_HIST_BUCKETS; i++) {
			cum += h->b[i];
			fprintf(f, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", n,
				(double)(1ull << i) / 1e6, cum);
		}
		fprintf(f, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", n,
			h->count);
		fprintf(f, "%s_sum %g\n%s_count %" PRIu64 "\n", n,
			(double)h->sum_us / 1e6, n, h->count);
	}
	fprintf(f, "# HELP flowlift_agent_install_latency_quantile_seconds "
		   "upper bound of the histogram bucket\n"
		   "# TYPE flowlift_agent_install_latency_quantile_seconds "
		   "gauge\n");
	for (size_t i = 0; i < FL_ARRAY_SIZE(qs); i++)
		fprintf(f, "flowlift_agent_install_latency_quantile_seconds"
			   "{quantile=\"%g\"} %g\n", qs[i], (double)qv[i] / 1e6);
	return 0;
}

int rt_stats__write_prom(const struct rt_status *st, const struct rt_hist *h,
			 FILE *f)
{
	for (size_t i = 0; i < FL_ARRAY_SIZE(rows); i++) {
		const struct prom_row *r = &rows[i];
		uint64_t v = *(const uint64_t *)((const char *)st + r->off);

		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n",
			r->name, r->help, r->name, r->type, r->name, v);
	}
	write_hist(st, h, f);
	return ferror(f) ? -EIO : 0;
}

int rt_status__write_prom(const struct rt_status *st, FILE *f)
{
	return rt_stats__write_prom(st, NULL, f);
}
