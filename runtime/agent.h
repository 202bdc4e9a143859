/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent.h - the flowlift runtime agent as a library a node agent embeds.
 *
 * A slow-path eBPF program (see bpf/flowlift.bpf.h) reports each flow it
 * decides on the ring buffer 'flowlift_events'. The agent turns each flow
 * into one exact-match rule (5-tuple + the program's verdict) installed
 * through a backend, in batches; reaps rules idle longer than a timeout;
 * evicts the idlest flows at the flow limit or when the device is full;
 * revalidates installed flows when the program's policy maps change; and
 * on start adopts the rules a previous instance left (same cookie).
 *
 * Backends are ops structs: flower (tc flower over netlink, backends.h),
 * nft (a netdev table of its own through libnftables, rt_nft.c), sim (a
 * simulated device for scale and fault tests).
 *
 * Errors are negative errno; constructors return NULL and set errno, with
 * a one-line message in the caller's err buffer. Every *_free() accepts
 * NULL. The library never prints except to the FILE* in the options.
 */
#ifndef FLOWLIFT_RUNTIME_AGENT_H
#define FLOWLIFT_RUNTIME_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpf/flowlift_event.h"

/*
 * Backends.
 */

/* One per-flow rule as the agent asks a backend for it. */
struct rt_rule {
	struct flowlift_flow_key key;
	uint8_t verdict;          /* enum flowlift_verdict */
	uint8_t flags;            /* FLOWLIFT_REDIRECT_INGRESS */
	uint32_t redirect_ifindex;
	uint32_t handle;          /* backend id of the rule; 0 unknown */
};

/* One request in a batch; the backend fills err (0 or negative errno) and
 * msg (the kernel's extended ack, "" if none). */
struct rt_req {
	struct rt_rule rule;
	int err;
	char msg[128];
};

/* A rule of this agent's, as a dump reports it. 'parsed' is false if the
 * rule carries the agent's cookie but cannot be read back into a flow
 * (then only rule.handle and the counters are meaningful). */
struct rt_dumped {
	struct rt_rule rule;
	bool parsed;
	uint64_t packets, bytes;
	uint64_t lastused_ms; /* ms since the rule was last hit */
};

typedef int (*rt_dump_fn)(const struct rt_dumped *d, void *arg);

struct rt_backend;

struct rt_backend_ops {
	const char *name;
	/* Install / remove reqs[0..n) as one batch. Returns 0 when every
	 * request has its result in reqs[i].err (which may be errors), or a
	 * negative errno if the batch as a whole failed (then every err is
	 * set to it too). */
	int (*add)(struct rt_backend *be, struct rt_req *reqs, size_t n);
	int (*del)(struct rt_backend *be, struct rt_req *reqs, size_t n);
	/* Every rule of this agent instance, with its counters. */
	int (*dump)(struct rt_backend *be, rt_dump_fn cb, void *arg);
	void (*free)(struct rt_backend *be);
	/* Optional: the same dump in slices the agent interleaves with its
	 * other work. Lists about max rules from *cursor (0: the start) on
	 * and advances it; returns 1 if rules remain, 0 at the end, or a
	 * negative errno. A rule present for the whole dump is listed at
	 * least once; one added or removed meanwhile may or may not be.
	 * Without it the agent takes the whole dump at once and works
	 * through the copy in slices. */
	int (*dump_slice)(struct rt_backend *be, uint64_t *cursor, size_t max,
			  rt_dump_fn cb, void *arg);
};

struct rt_backend {
	const struct rt_backend_ops *ops;
};

/* Where the flower backend puts rules. */
struct rt_flower_opts {
	const char *dev;
	bool egress;          /* tc egress instead of ingress */
	bool offload_sw;      /* skip_hw instead of skip_sw */
	uint32_t chain;       /* the agent's chain (default 0) */
	uint32_t prio_base;   /* the agent's band: prio_base + 0..2 (IPv4,
			       * IPv6, VLAN); default 0xc000 */
	uint32_t instance;    /* in the cookie: which agent owns a rule */
};

/* Where the nft backend puts rules: table flowlift_agent_<instance hex>,
 * netdev chain "ingress" (or "egress") on dev. Freeing the backend
 * deletes the table unless keep_rules. nft egress runs before tc egress,
 * but nft ingress runs after tc ingress: it cannot take a flow off a tc
 * (or XDP) ingress slow path, only repeat its verdict. */
struct rt_nft_opts {
	const char *dev;
	uint32_t instance;
	bool keep_rules;
	bool egress;
};

/* Simulated device: capacity, insert latency, injected failures. */
enum rt_sim_fault {
	RT_SIM_ENOSPC = 1u << 0,  /* add: device full (not inserted) */
	RT_SIM_EBUSY = 1u << 1,   /* add/del: busy (nothing done) */
	RT_SIM_EEXIST = 1u << 2,  /* add: inserted, reported EEXIST (the ack
				   * of an earlier attempt was lost) */
	RT_SIM_NLERR = 1u << 3,   /* add/del: netlink error; half of them
				   * after the change was applied */
};

struct rt_sim_opts {
	uint32_t capacity;        /* rules; 0: unlimited */
	uint32_t latency_us;      /* sleep per batch */
	uint32_t fail_permille;   /* injected failure rate per request */
	unsigned int faults;      /* enum rt_sim_fault bits to draw from */
	uint64_t seed;            /* deterministic failure sequence */
	/* Clock for lastused (us); NULL: CLOCK_MONOTONIC. */
	uint64_t (*now_us)(void *arg);
	void *now_arg;
};

struct rt_backend *rt_backend_flower__new(const struct rt_flower_opts *o,
					  char *err, size_t errsz);
struct rt_backend *rt_backend_nft__new(const struct rt_nft_opts *o,
				       char *err, size_t errsz);
struct rt_backend *rt_backend_sim__new(const struct rt_sim_opts *o);
void rt_backend__free(struct rt_backend *be);

/* The sim's device, for tests: count a hit of a rule (as traffic would),
 * list the rules present. */
int rt_sim__hit(struct rt_backend *be, const struct flowlift_flow_key *k,
		uint64_t packets);
size_t rt_sim__count(const struct rt_backend *be);
int rt_sim__foreach(struct rt_backend *be, rt_dump_fn cb, void *arg);
/* Change the injected failure rate (per mille). */
void rt_sim__set_fail(struct rt_backend *be, uint32_t fail_permille);
/* Put a rule on the sim device as another process would (no failures). */
int rt_sim__insert(struct rt_backend *be, const struct rt_rule *r,
		   bool own_cookie);

/*
 * The agent.
 */
struct rt_agent_opts {
	/* The loaded slow-path program: a bpffs pin path or "id:N". */
	const char *prog;
	/* Optional: the object it was loaded from and the program name; the
	 * loaded program's tag is checked against it. */
	const char *obj_path;
	const char *prog_name;
	struct rt_backend *backend; /* owned by the agent from here on */
	uint32_t idle_timeout_ms;   /* 30000 */
	uint32_t interval_ms;       /* 1000 */
	uint32_t max_flows;         /* 0: 1 << 20 */
	uint32_t hw_lag_ms;         /* counters may lag: 2000 */
	uint32_t batch;             /* requests per netlink batch: 128 */
	bool keep_rules;            /* leave rules on stop */
	const char *stats_path;     /* Prometheus text, rewritten each
				     * interval; NULL: none */
	FILE *log;                  /* one line per notable event; NULL */
	/* Dumped rules per reap slice; between two slices the agent reads
	 * its ring buffer and installs (0: 1024). */
	uint32_t reap_slice;
};

/* Counters, as --stats and --status report them. */
struct rt_status {
	uint64_t events, events_invalid, events_dup;
	uint64_t installed, adopted, failed;
	uint64_t reaped, revalidated, evicted, removed_shutdown, vanished;
	uint64_t orphans_deleted, enospc, ebusy_retries, del_errors;
	uint64_t dropped_full;         /* events refused at max_flows */
	uint64_t rb_drops, rb_skipped; /* from the program's flowlift_stats */
	uint64_t revalidations;        /* policy changes seen */
	uint64_t flows, flows_installed, max_flows;
	/* Install latency (event seen -> rule acked), microseconds. */
	uint64_t lat_p50_us, lat_p90_us, lat_p99_us, lat_count;
	uint64_t last_reap_scan_us;    /* its slices' time, summed */
	uint64_t reaps, reap_slices;   /* completed reaps; slices run */
	uint64_t last_reap_wall_us;    /* first slice to last, reads and
					* installs in between included */
	uint64_t rb_bytes;             /* the program's ring buffer size */
};

struct rt_agent;

/* Attach to the program, its maps and ring buffer; adopt or delete the
 * rules found on the device. NULL + errno, message in err. */
struct rt_agent *rt_agent__new(const struct rt_agent_opts *o, char *err,
			       size_t errsz);
/* Run until rt_agent__stop(); then remove the rules unless keep_rules.
 * Returns 0 or a negative errno that stopped it. */
int rt_agent__run(struct rt_agent *a);
/* Async-signal-safe: ask run() to return. */
void rt_agent__stop(struct rt_agent *a);
void rt_agent__status(const struct rt_agent *a, struct rt_status *st);
void rt_agent__free(struct rt_agent *a);

/* Write st in Prometheus text format. */
int rt_status__write_prom(const struct rt_status *st, FILE *f);

#endif /* FLOWLIFT_RUNTIME_AGENT_H */
