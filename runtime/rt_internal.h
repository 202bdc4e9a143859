/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rt_internal.h - the agent's parts: events, the flow table and its state
 * machine, the core that drives a backend, the latency histogram.
 *
 * The core (rt_core.c) is clock- and source-agnostic: it is fed events and
 * asked to flush, reap, revalidate and shut down; rt_agent.c wires it to a
 * loaded program's ring buffer and maps, and to the real clock. Unit tests
 * drive the core with a fake clock and the sim backend.
 */
#ifndef FLOWLIFT_RT_INTERNAL_H
#define FLOWLIFT_RT_INTERNAL_H

#include <signal.h>

#include "runtime/agent.h"

/*
 * Events (rt_event.c).
 */

/* Validate one ring buffer record: the version and size it claims, the
 * size it has, and field ranges. 0 and *out filled, or -EINVAL (garbage,
 * wrong size) / -EPROTO (unknown version). */
int rt_event__parse(const void *data, size_t size, struct flowlift_event *out);
/* "tcp 10.0.0.1:1234 -> 10.0.0.2:80 dev 3 tc-ingress vlan 5" */
int rt_key__snprint(const struct flowlift_flow_key *k, char *buf,
		    size_t size);
const char *rt_verdict__name(uint8_t verdict);

/*
 * The flow table and its state machine (rt_flow.c).
 */
enum rt_flow_state {
	RT_FLOW_NEW,        /* reported, waiting for a batch */
	RT_FLOW_INSTALLING, /* in a batch being sent */
	RT_FLOW_INSTALLED,  /* the rule is on the device */
	RT_FLOW_DELETING,   /* the rule is being removed */
	RT_FLOW_GONE,       /* forgotten (the flow is freed) */
	RT_FLOW__COUNT
};

enum rt_del_reason {
	RT_DEL_NONE,
	RT_DEL_IDLE,        /* no packets for the idle timeout */
	RT_DEL_REVALIDATED, /* the program's verdict changed */
	RT_DEL_EVICTED,     /* idlest at the flow limit / device full */
	RT_DEL_SHUTDOWN,    /* the agent stops */
	RT_DEL_FAILED,      /* could not be installed */
	RT_DEL_VANISHED,    /* removed behind the agent's back */
	RT_DEL__COUNT
};

struct rt_flow {
	struct flowlift_flow_key key;
	struct rt_flow *hnext;       /* hash chain */
	struct rt_flow *prev, *next; /* the list of its state */
	uint8_t state;               /* enum rt_flow_state */
	uint8_t reason;              /* enum rt_del_reason */
	uint8_t verdict, flags;      /* the program's decision */
	uint32_t redirect_ifindex;
	uint32_t handle;             /* backend id; 0 unknown */
	uint32_t generation;
	uint16_t attempts;           /* install attempts */
	uint8_t needs_reval;         /* decided before a policy change */
	uint8_t fresh;               /* born or installed during the dump
				      * of dump_epoch: not judged by it */
	uint32_t dump_epoch;         /* last dump that listed it (or that
				      * was under way when it was fresh) */
	uint64_t decided_ns;         /* event timestamp (monotonic) */
	uint64_t first_us;           /* when the agent saw the event */
	uint64_t retry_us;           /* NEW: not before */
	uint64_t active_us;          /* last install / counter change */
	uint64_t idle_since_us;      /* reap candidate since (0: not) */
	uint64_t packets;            /* last dumped count */
};

struct rt_list {
	struct rt_flow *head, *tail;
	size_t n;
};

/* Flows by key, and one list per state: NEW is the install queue (FIFO),
 * INSTALLED is ordered by activity (head = idlest), DELETING is the
 * delete queue. GONE flows are freed at once. */
struct rt_table {
	struct rt_flow **buckets;
	size_t n_buckets; /* power of two */
	size_t count;
	struct rt_list lists[RT_FLOW__COUNT];
};

const char *rt_flow_state__name(enum rt_flow_state s);
const char *rt_del_reason__name(enum rt_del_reason r);
/* Is from -> to one of the state machine's moves? */
bool rt_flow_state__legal(enum rt_flow_state from, enum rt_flow_state to);

int rt_table__init(struct rt_table *t, size_t hint);
void rt_table__fini(struct rt_table *t); /* frees every flow */
struct rt_flow *rt_table__find(const struct rt_table *t,
			       const struct flowlift_flow_key *k);
/* The bucket k hashes to (what rt_table__find reads first), for a caller
 * that prefetches a batch of lookups. */
struct rt_flow *const *rt_table__slot(const struct rt_table *t,
				      const struct flowlift_flow_key *k);
/* A new flow in state NEW for k (which must be absent); NULL + errno. */
struct rt_flow *rt_table__add(struct rt_table *t,
			      const struct flowlift_flow_key *k);
/* The one transition function: moves f to 'to' if legal (-EINVAL if not),
 * recording 'reason' on the way to DELETING or GONE. A flow moved to GONE
 * is freed: the caller must not use f afterwards. */
int rt_flow__transition(struct rt_table *t, struct rt_flow *f,
			enum rt_flow_state to, enum rt_del_reason reason);
/* Call fn for the flows of the buckets from *cursor (0: the start) on,
 * about max of them, and advance *cursor: 1 if buckets remain, 0 at the
 * end. fn may move its flow to GONE. A flow present for the whole walk
 * is visited at least once (more often if the table grew meanwhile);
 * flows added meanwhile may or may not be. */
int rt_table__walk(struct rt_table *t, size_t *cursor, size_t max,
		   void (*fn)(struct rt_flow *f, void *arg), void *arg);
/* Move f to the tail of its state's list (most recently active). */
void rt_table__touch(struct rt_table *t, struct rt_flow *f);

static inline struct rt_flow *rt_table__head(const struct rt_table *t,
					     enum rt_flow_state s)
{
	return t->lists[s].head;
}

/*
 * Install latency histogram (rt_stats.c): log2 buckets of microseconds.
 */
#define RT_HIST_BUCKETS 32

struct rt_hist {
	uint64_t b[RT_HIST_BUCKETS]; /* b[i]: latency < 2^i us */
	uint64_t count, sum_us;
};

void rt_hist__add(struct rt_hist *h, uint64_t us);
/* Upper bound (us) of the bucket holding quantile q (0..1); 0 if empty. */
uint64_t rt_hist__quantile(const struct rt_hist *h, double q);
int rt_stats__write_prom(const struct rt_status *st, const struct rt_hist *h,
			 FILE *f);

/*
 * The core (rt_core.c).
 */
struct rt_core_opts {
	uint32_t idle_timeout_ms;
	uint32_t max_flows;
	uint32_t hw_lag_ms;
	uint32_t batch;
	uint64_t (*now_us)(void *arg); /* NULL: CLOCK_MONOTONIC */
	void *now_arg;
	FILE *log;
	/* Called for a flow about to be forgotten after its rule was removed
	 * for idleness or revalidation (the agent clears the program's seen
	 * entry so that the flow's next packet is reported again). */
	void (*forget)(void *arg, const struct flowlift_flow_key *k);
	void *forget_arg;
	/* Dumped rules (or flows swept) per reap slice; 0: RT_REAP_SLICE. */
	uint32_t reap_slice;
};

#define RT_REAP_SLICE 1024

/* A reap under way: one dump of the device, then a sweep of the table
 * for flows the dump did not list, each in slices (rt_core__reap_step)
 * so that the caller reads its ring buffer in between. */
enum rt_reap_phase {
	RT_REAP_OFF,
	RT_REAP_DUMP,  /* backend dump_slice, resumed at cursor */
	RT_REAP_COPY,  /* a whole dump copied at start, worked through */
	RT_REAP_SWEEP, /* table buckets from 'bucket' on */
};

struct rt_reap {
	enum rt_reap_phase phase;
	uint64_t cursor;        /* the backend's dump_slice cursor */
	size_t bucket;          /* sweep: next table bucket */
	struct rt_dumped *copy; /* RT_REAP_COPY: the dump */
	size_t n_copy, cap_copy, pos;
	uint64_t start_us;      /* reap started */
	uint64_t copy_us;       /* when the copy was taken */
	uint64_t work_us;       /* in slices, the rest not counted */
	uint64_t slices;
	/* Flows installed or deleting when the reap started, neither listed
	 * by its dump nor gone since: what the sweep looks for (it stops
	 * when none is left, at once when nothing vanished). */
	size_t n_unlisted;
};

struct rt_core {
	struct rt_core_opts o;
	struct rt_backend *be; /* not owned */
	struct rt_table t;
	struct rt_status st;   /* counters (flows/latency filled on read) */
	struct rt_hist lat;
	uint32_t next_handle;
	uint32_t dump_epoch;
	uint64_t stale_before_ns; /* decided at or before: revalidate */
	bool reval_pending;       /* a policy change not yet acted on */
	size_t n_needs_reval;
	struct rt_req *reqs;      /* batch buffer */
	struct rt_flow **inflight;
	struct rt_rule *orphans;  /* own rules with no flow, to delete */
	size_t n_orphans, cap_orphans;
	struct rt_reap reap;
};

int rt_core__init(struct rt_core *c, const struct rt_core_opts *o,
		  struct rt_backend *be);
void rt_core__fini(struct rt_core *c); /* forgets flows, no backend calls */
uint64_t rt_core__now(const struct rt_core *c);

/* One decided flow from the program. */
int rt_core__event(struct rt_core *c, const struct flowlift_event *ev);
/* Send pending deletes and installs in batches, handling per-request
 * errors (EEXIST adopt, ENOSPC evict + retry, EBUSY backoff). */
int rt_core__flush(struct rt_core *c);
/* Start a reap (no-op if one is under way): with a backend that dumps in
 * slices nothing is read yet; otherwise the whole dump is copied now.
 * 0 or the dump's negative errno (then no reap is under way). */
int rt_core__reap_start(struct rt_core *c);
/* One slice of the reap under way: about max dumped rules (counters,
 * orphans, idle flows) or swept flows (vanished rules); 0: the configured
 * slice. The last slice deletes the orphans and flushes. Returns 1 if
 * slices remain, 0 when no reap is under way (any more), or a negative
 * errno (the reap is abandoned; the next one starts afresh). */
int rt_core__reap_step(struct rt_core *c, size_t max);
static inline bool rt_core__reaping(const struct rt_core *c)
{
	return c->reap.phase != RT_REAP_OFF;
}
/* A whole reap at once (abandoning one under way): one dump, counters,
 * vanished rules, orphans, idle flows; then flush. */
int rt_core__reap(struct rt_core *c);
/* On start: adopt own rules found on the device (up to max_flows), delete
 * the rest (unparseable, duplicates, over the limit). */
int rt_core__adopt(struct rt_core *c);

/* Current decision of the program for flow k: 0 with r's verdict fields
 * set, 1 if the program would no longer report it (slow path), negative
 * errno if it cannot tell (treated as changed). */
typedef int (*rt_decide_fn)(void *arg, const struct flowlift_flow_key *k,
			    struct rt_rule *r);
/* The policy changed at monotonic time now_ns: every flow decided at or
 * before it is re-decided at the next rt_core__revalidate. */
void rt_core__policy_changed(struct rt_core *c, uint64_t now_ns);
/* Re-decide the flows that need it; remove those whose decision changed.
 * Returns how many were removed. */
int rt_core__revalidate(struct rt_core *c, rt_decide_fn fn, void *arg);
/* Remove every rule (unless keep) and forget every flow; retries failed
 * deletes a few rounds. */
int rt_core__shutdown(struct rt_core *c, bool keep);
void rt_core__status(const struct rt_core *c, struct rt_status *st);

/*
 * The agent's loop (rt_loop.c), apart from where events come from and
 * which clock ticks (the core's): read, flush, once per interval the
 * periodic work and the start of a reap, and between two reads at most
 * one reap slice, so that a reap never holds the reader up for longer
 * than a slice.
 */
#define RT_POLL_MS 20 /* batching window for installs */

struct rt_loop_ops {
	/* Hand what the source holds to rt_core__event, waiting up to
	 * timeout_ms for something if it is empty (0: do not wait).
	 * >= 0, or a negative errno (-EINTR goes on) that stops the loop. */
	int (*read)(void *arg, int timeout_ms);
	/* Once per interval, before a reap starts (policy check,
	 * revalidation, stats); a negative errno stops the loop. */
	int (*interval)(void *arg);
};

struct rt_loop {
	struct rt_core *core;
	const struct rt_loop_ops *ops;
	void *arg;
	uint32_t interval_ms;
	const volatile sig_atomic_t *stop; /* set (in a signal handler) */
};

/* Run until *stop; 0 or the negative errno that stopped it. */
int rt_loop__run(const struct rt_loop *l);

/*
 * The loaded program (rt_bpf.c): its maps, the digest of its policy maps,
 * and re-deciding a flow by running it (BPF_PROG_TEST_RUN) on a frame
 * built from the flow key.
 */
struct rt_prog {
	int fd;
	uint32_t id, type; /* enum bpf_prog_type */
	uint8_t tag[8];
	char name[16];
	int events_fd, seen_fd, stats_fd; /* -1 if absent */
	uint32_t events_bytes;            /* the ring buffer's size */
	int *policy_fds;                  /* maps whose contents decide */
	size_t n_policy;
	int n_cpus;
};

/* spec: a bpffs pin path or "id:N". */
int rt_prog__open(struct rt_prog *p, const char *spec, char *err,
		  size_t errsz);
void rt_prog__close(struct rt_prog *p);
/* SHA-1 over the sorted contents of every policy map. */
int rt_prog__digest(const struct rt_prog *p, uint8_t out[20]);
/* rt_decide_fn with arg = struct rt_prog *. */
int rt_prog__decide(void *arg, const struct flowlift_flow_key *k,
		    struct rt_rule *r);
/* flowlift_stats summed over CPUs (zeros if the map is absent). */
int rt_prog__counters(const struct rt_prog *p,
		      uint64_t out[FLOWLIFT_STAT__COUNT]);
/* Drop k from flowlift_seen (the core's forget hook). */
void rt_prog__forget(void *arg, const struct flowlift_flow_key *k);
/* A frame (Ethernet onwards) the program would see for flow k; returns
 * its length or 0 if size is too small. */
size_t rt_frame__build(const struct flowlift_flow_key *k, uint8_t *buf,
		       size_t size);

#endif /* FLOWLIFT_RT_INTERNAL_H */
