// SPDX-License-Identifier: Apache-2.0
/*
 * rt_core.c - what the agent does with flows, independent of where events
 * come from and which clock ticks: admit reported flows (dedup, flow limit),
 * install them in batches and act on each request's result, reap idle rules
 * from one dump per interval, revalidate after a policy change, adopt a
 * previous instance's rules, and clean up on shutdown.
 *
 * Nothing is lost: a rule the agent may have put on the device is either
 * tracked by a flow or, when a dump lists it with the agent's cookie and no
 * flow claims it, deleted as an orphan. Results that leave it unclear
 * whether an add applied (a netlink error) are retried; the retry meets
 * EEXIST and adopts, or the next dump finds the orphan.
 *
 * Reaping is conservative because hardware counters lag (~2 s): a rule is
 * reaped only if its packet count has not moved for the idle timeout, the
 * device's lastused agrees, and both still hold one lag period later.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "runtime/rt_internal.h"

#define RT_MAX_ATTEMPTS 8
#define RT_BACKOFF_US 10000ull    /* first EBUSY retry; doubles */
#define RT_BACKOFF_MAX_US 1000000ull
#define RT_FLUSH_ROUNDS 4
#define RT_TABLE_PRESIZE_MAX (1u << 21)

#define LOG(c, fmt, ...)                                                     \
	do {                                                                 \
		if ((c)->o.log)                                              \
			fprintf((c)->o.log, "flowlift agent: " fmt "\n",     \
				##__VA_ARGS__);                              \
	} while (0)

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t rt_core__now(const struct rt_core *c)
{
	return c->o.now_us ? c->o.now_us(c->o.now_arg) : mono_us();
}

int rt_core__init(struct rt_core *c, const struct rt_core_opts *o,
		  struct rt_backend *be)
{
	int err;

	memset(c, 0, sizeof(*c));
	c->o = *o;
	if (!c->o.idle_timeout_ms)
		c->o.idle_timeout_ms = 30000;
	if (!c->o.max_flows)
		c->o.max_flows = 1u << 20;
	if (!c->o.batch)
		c->o.batch = 128;
	if (!c->o.reap_slice)
		c->o.reap_slice = RT_REAP_SLICE;
	c->be = be;
	c->next_handle = 1;
	c->st.max_flows = c->o.max_flows;
	/* Sized for the flow limit (8 bytes a bucket, untouched pages cost
	 * nothing): growing rehashes every flow at once, a stall of tens of
	 * ms at 100k+ flows during which the ring buffer fills. */
	err = rt_table__init(&c->t, c->o.max_flows < RT_TABLE_PRESIZE_MAX ?
					    c->o.max_flows :
					    RT_TABLE_PRESIZE_MAX);
	if (err)
		return err;
	c->reqs = calloc(c->o.batch, sizeof(*c->reqs));
	c->inflight = calloc(c->o.batch, sizeof(*c->inflight));
	if (!c->reqs || !c->inflight) {
		rt_core__fini(c);
		return -ENOMEM;
	}
	return 0;
}

void rt_core__fini(struct rt_core *c)
{
	rt_table__fini(&c->t);
	free(c->reqs);
	free(c->inflight);
	free(c->orphans);
	free(c->reap.copy);
	c->reqs = NULL;
	c->inflight = NULL;
	c->orphans = NULL;
	memset(&c->reap, 0, sizeof(c->reap));
}

static void rule_of(const struct rt_flow *f, struct rt_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->key = f->key;
	r->verdict = f->verdict;
	r->flags = f->flags;
	r->redirect_ifindex = f->redirect_ifindex;
	r->handle = f->handle;
}

static bool same_decision(const struct rt_flow *f, uint8_t verdict,
			  uint8_t flags, uint32_t redirect_ifindex)
{
	return f->verdict == verdict && f->flags == flags &&
	       f->redirect_ifindex == redirect_ifindex;
}

static bool sweepable(const struct rt_flow *f)
{
	return f->state == RT_FLOW_INSTALLED || f->state == RT_FLOW_DELETING;
}

/* f, on the device when the reap started, is listed (or gone): one less
 * for the sweep to look for. */
static void unlisted_done(struct rt_core *c, const struct rt_flow *f)
{
	if (c->reap.phase != RT_REAP_OFF && c->reap.n_unlisted &&
	    f->dump_epoch != c->dump_epoch && sweepable(f))
		c->reap.n_unlisted--;
}

/* f was born or installed now: a reap under way must neither judge it by
 * a dump that may predate it nor sweep it as vanished. */
static void mark_fresh(struct rt_core *c, struct rt_flow *f)
{
	f->dump_epoch = c->dump_epoch;
	f->fresh = 1;
}

/* Count and forget f (it is freed). */
static void gone(struct rt_core *c, struct rt_flow *f, enum rt_del_reason why)
{
	static const size_t counter[RT_DEL__COUNT] = {
		[RT_DEL_IDLE] = offsetof(struct rt_status, reaped),
		[RT_DEL_REVALIDATED] = offsetof(struct rt_status, revalidated),
		[RT_DEL_EVICTED] = offsetof(struct rt_status, evicted),
		[RT_DEL_SHUTDOWN] = offsetof(struct rt_status,
					     removed_shutdown),
		[RT_DEL_FAILED] = offsetof(struct rt_status, failed),
		[RT_DEL_VANISHED] = offsetof(struct rt_status, vanished),
	};

	if (why != RT_DEL_NONE)
		(*(uint64_t *)((char *)&c->st + counter[why]))++;
	if ((why == RT_DEL_IDLE || why == RT_DEL_REVALIDATED) && c->o.forget)
		c->o.forget(c->o.forget_arg, &f->key);
	if (f->needs_reval && c->n_needs_reval)
		c->n_needs_reval--;
	unlisted_done(c, f);
	rt_flow__transition(&c->t, f, RT_FLOW_GONE, why);
}

static void start_delete(struct rt_core *c, struct rt_flow *f,
			 enum rt_del_reason why)
{
	rt_flow__transition(&c->t, f, RT_FLOW_DELETING, why);
}

/* Evict the idlest installed flow; false if there is none. */
static bool evict_one(struct rt_core *c)
{
	struct rt_flow *f = rt_table__head(&c->t, RT_FLOW_INSTALLED);

	if (!f)
		return false;
	start_delete(c, f, RT_DEL_EVICTED);
	return true;
}

int rt_core__event(struct rt_core *c, const struct flowlift_event *ev)
{
	struct rt_flow *f = rt_table__find(&c->t, &ev->key);
	size_t live;

	c->st.events++;
	if (f) {
		c->st.events_dup++;
		if (same_decision(f, ev->verdict, ev->flags,
				  ev->redirect_ifindex))
			return 0;
		/* The program changed its mind: the policy changed. */
		if (f->state == RT_FLOW_NEW) {
			f->verdict = ev->verdict;
			f->flags = ev->flags;
			f->redirect_ifindex = ev->redirect_ifindex;
			f->generation = ev->generation;
			f->decided_ns = ev->timestamp_ns;
		} else if (f->state == RT_FLOW_INSTALLED) {
			start_delete(c, f, RT_DEL_REVALIDATED);
		}
		return 0;
	}
	live = c->t.count - c->t.lists[RT_FLOW_DELETING].n;
	if (live >= c->o.max_flows && !evict_one(c)) {
		c->st.dropped_full++;
		return -ENOSPC;
	}
	f = rt_table__add(&c->t, &ev->key);
	if (!f)
		return -ENOMEM;
	f->verdict = ev->verdict;
	f->flags = ev->flags;
	f->redirect_ifindex = ev->redirect_ifindex;
	f->generation = ev->generation;
	f->decided_ns = ev->timestamp_ns;
	f->first_us = f->retry_us = rt_core__now(c);
	mark_fresh(c, f);
	if (c->stale_before_ns && ev->timestamp_ns <= c->stale_before_ns) {
		f->needs_reval = 1;
		c->n_needs_reval++;
	}
	return 0;
}

/* Snapshot the flows of list s that pass 'want' (lists change under the
 * batch loops below). */
static struct rt_flow **snapshot(struct rt_core *c, enum rt_flow_state s,
				 bool (*want)(const struct rt_flow *, uint64_t),
				 uint64_t now, size_t *n)
{
	struct rt_flow **v = malloc((c->t.lists[s].n + 1) * sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (struct rt_flow *f = c->t.lists[s].head; f; f = f->next)
		if (want(f, now))
			v[(*n)++] = f;
	return v;
}

static bool deletable(const struct rt_flow *f, uint64_t now)
{
	return f->handle != 0; /* unknown handles are learnt from a dump */
}

static bool ready(const struct rt_flow *f, uint64_t now)
{
	return f->retry_us <= now;
}

static int flush_deletes(struct rt_core *c)
{
	struct rt_flow **v;
	size_t n;

	v = snapshot(c, RT_FLOW_DELETING, deletable, 0, &n);
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n;) {
		size_t k = 0;

		for (; k < c->o.batch && i < n; k++, i++) {
			c->inflight[k] = v[i];
			rule_of(v[i], &c->reqs[k].rule);
		}
		c->be->ops->del(c->be, c->reqs, k);
		for (size_t j = 0; j < k; j++) {
			struct rt_flow *f = c->inflight[j];
			int err = c->reqs[j].err;

			if (!err || err == -ENOENT) {
				gone(c, f, f->reason);
				continue;
			}
			c->st.del_errors++;
			rt_table__touch(&c->t, f);
			LOG(c, "delete of handle %u failed: %s%s%s", f->handle,
			    strerror(-err), *c->reqs[j].msg ? ": " : "",
			    c->reqs[j].msg);
		}
	}
	free(v);
	return 0;
}

static uint32_t new_handle(struct rt_core *c)
{
	if (!c->next_handle)
		c->next_handle = 1;
	return c->next_handle++;
}

static bool transient(int err)
{
	return err == -EBUSY || err == -EAGAIN || err == -EINTR ||
	       err == -ENOBUFS || err == -ETIMEDOUT || err == -EIO ||
	       err == -ENOMEM;
}

/* Act on one add result; true if a flow was evicted to make room. */
static bool add_result(struct rt_core *c, struct rt_flow *f,
		       const struct rt_req *q, uint64_t now)
{
	int err = q->err;

	f->attempts++;
	if (!err || err == -EEXIST) {
		rt_flow__transition(&c->t, f, RT_FLOW_INSTALLED, RT_DEL_NONE);
		f->active_us = now;
		mark_fresh(c, f);
		if (err) {
			f->handle = 0; /* the existing rule's: from a dump */
			c->st.adopted++;
		} else {
			c->st.installed++;
			rt_hist__add(&c->lat, now - f->first_us);
		}
		return false;
	}
	if (err == -ENOSPC) {
		c->st.enospc++;
		if (f->attempts < RT_MAX_ATTEMPTS && evict_one(c)) {
			rt_flow__transition(&c->t, f, RT_FLOW_NEW, RT_DEL_NONE);
			f->retry_us = now;
			return true;
		}
	} else if (transient(err) && f->attempts < RT_MAX_ATTEMPTS) {
		uint64_t b = RT_BACKOFF_US << (f->attempts - 1);

		c->st.ebusy_retries++;
		rt_flow__transition(&c->t, f, RT_FLOW_NEW, RT_DEL_NONE);
		f->retry_us = now + (b < RT_BACKOFF_MAX_US ? b : RT_BACKOFF_MAX_US);
		return false;
	}
	LOG(c, "install failed after %u attempts: %s%s%s", f->attempts,
	    strerror(-err), *q->msg ? ": " : "", q->msg);
	gone(c, f, RT_DEL_FAILED);
	return false;
}

/* Returns 1 if flows were evicted for room (flush again), 0, or -errno. */
static int flush_installs(struct rt_core *c)
{
	uint64_t now = rt_core__now(c);
	bool evicted = false;
	struct rt_flow **v;
	size_t n;

	v = snapshot(c, RT_FLOW_NEW, ready, now, &n);
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n;) {
		size_t k = 0;

		for (; k < c->o.batch && i < n; k++, i++) {
			struct rt_flow *f = v[i];

			f->handle = new_handle(c);
			rt_flow__transition(&c->t, f, RT_FLOW_INSTALLING,
					    RT_DEL_NONE);
			c->inflight[k] = f;
			rule_of(f, &c->reqs[k].rule);
		}
		c->be->ops->add(c->be, c->reqs, k);
		now = rt_core__now(c);
		for (size_t j = 0; j < k; j++)
			evicted |= add_result(c, c->inflight[j], &c->reqs[j],
					      now);
	}
	free(v);
	return evicted;
}

static int flush_orphans(struct rt_core *c)
{
	for (size_t i = 0; i < c->n_orphans;) {
		size_t k = 0;

		for (; k < c->o.batch && i < c->n_orphans; k++, i++)
			c->reqs[k].rule = c->orphans[i];
		c->be->ops->del(c->be, c->reqs, k);
		for (size_t j = 0; j < k; j++) {
			/* ENOENT: gone meanwhile (a copied dump is
			 * older than the deletes since) */
			if (!c->reqs[j].err)
				c->st.orphans_deleted++;
			else if (c->reqs[j].err != -ENOENT)
				LOG(c, "orphan handle %u not deleted: %s",
				    c->reqs[j].rule.handle,
				    strerror(-c->reqs[j].err));
		}
	}
	c->n_orphans = 0; /* failures come back in the next dump */
	return 0;
}

int rt_core__flush(struct rt_core *c)
{
	int err = 0;

	for (int round = 0; round < RT_FLUSH_ROUNDS; round++) {
		err = flush_deletes(c);
		if (err)
			return err;
		err = flush_installs(c);
		if (err <= 0)
			break;
	}
	return err < 0 ? err : flush_deletes(c);
}

static int add_orphan(struct rt_core *c, const struct rt_rule *r)
{
	if (c->n_orphans == c->cap_orphans) {
		size_t cap = c->cap_orphans ? c->cap_orphans * 2 : 64;
		struct rt_rule *o = realloc(c->orphans, cap * sizeof(*o));

		if (!o)
			return -ENOMEM;
		c->orphans = o;
		c->cap_orphans = cap;
	}
	c->orphans[c->n_orphans++] = *r;
	return 0;
}

/* Track a rule found on the device as flow f (now INSTALLED). */
static void adopt(struct rt_core *c, struct rt_flow *f,
		  const struct rt_dumped *d, uint64_t now)
{
	rt_flow__transition(&c->t, f, RT_FLOW_INSTALLING, RT_DEL_NONE);
	rt_flow__transition(&c->t, f, RT_FLOW_INSTALLED, RT_DEL_NONE);
	f->handle = d->rule.handle;
	f->packets = d->packets;
	f->active_us = now;
	f->dump_epoch = c->dump_epoch;
	f->fresh = 0;
	c->st.adopted++;
}

static void idle_check(struct rt_core *c, struct rt_flow *f,
		       const struct rt_dumped *d, uint64_t now)
{
	uint64_t idle_us = (uint64_t)c->o.idle_timeout_ms * 1000;

	if (d->packets != f->packets) {
		f->packets = d->packets;
		f->active_us = now;
		f->idle_since_us = 0;
		rt_table__touch(&c->t, f);
		return;
	}
	if (now - f->active_us < idle_us ||
	    d->lastused_ms < c->o.idle_timeout_ms) {
		f->idle_since_us = 0;
		return;
	}
	/* Idle by both measures; confirm one counter lag later. */
	if (!f->idle_since_us)
		f->idle_since_us = now;
	if (now - f->idle_since_us >= (uint64_t)c->o.hw_lag_ms * 1000)
		start_delete(c, f, RT_DEL_IDLE);
}

/* Dumped rules are looked up in batches: a lookup is two cache misses
 * (the bucket, the flow), and a batch overlaps them. */
#define RT_REAP_BATCH 16

struct reap_ctx {
	struct rt_core *c;
	uint64_t now;
	size_t n;
	struct rt_dumped batch[RT_REAP_BATCH];
};

static int reap_one(struct reap_ctx *x, const struct rt_dumped *d)
{
	struct rt_core *c = x->c;
	struct rt_flow *f;

	if (!d->parsed)
		return add_orphan(c, &d->rule);
	f = rt_table__find(&c->t, &d->rule.key);
	if (!f)
		return add_orphan(c, &d->rule);
	if (f->dump_epoch == c->dump_epoch) {
		/* Listed already (a resumed walk may list twice): a second
		 * handle is a duplicate. Fresh: this dump may predate it. */
		if (!f->fresh && f->handle && f->handle != d->rule.handle)
			return add_orphan(c, &d->rule);
		return 0;
	}
	if (f->state == RT_FLOW_NEW) {
		/* An add we retry did apply after all. */
		if (!same_decision(f, d->rule.verdict, d->rule.flags,
				   d->rule.redirect_ifindex))
			return add_orphan(c, &d->rule);
		adopt(c, f, d, x->now);
		return 0;
	}
	if (f->handle && f->handle != d->rule.handle)
		return add_orphan(c, &d->rule); /* a duplicate */
	f->handle = d->rule.handle;
	unlisted_done(c, f);
	f->dump_epoch = c->dump_epoch;
	f->fresh = 0;
	if (f->state != RT_FLOW_INSTALLED)
		return 0;
	if (!same_decision(f, d->rule.verdict, d->rule.flags,
			   d->rule.redirect_ifindex)) {
		/* adopted on EEXIST, but the rule there says otherwise */
		start_delete(c, f, RT_DEL_REVALIDATED);
		return 0;
	}
	idle_check(c, f, d, x->now);
	return 0;
}

static int reap_batch(struct reap_ctx *x)
{
	struct rt_flow *const *slot[RT_REAP_BATCH];
	int err = 0;

	for (size_t i = 0; i < x->n; i++) {
		slot[i] = rt_table__slot(&x->c->t, &x->batch[i].rule.key);
		__builtin_prefetch(slot[i]);
	}
	for (size_t i = 0; i < x->n; i++)
		__builtin_prefetch(*slot[i]);
	for (size_t i = 0; i < x->n && !err; i++)
		err = reap_one(x, &x->batch[i]);
	x->n = 0;
	return err;
}

static int reap_cb(const struct rt_dumped *d, void *arg)
{
	struct reap_ctx *x = arg;

	x->batch[x->n++] = *d;
	return x->n == RT_REAP_BATCH ? reap_batch(x) : 0;
}

/* A flow the dump did not list is gone from the device. */
static void sweep_one(struct rt_flow *f, void *arg)
{
	struct rt_core *c = arg;

	if (f->dump_epoch == c->dump_epoch)
		return;
	if (f->state == RT_FLOW_INSTALLED) {
		LOG(c, "rule handle %u vanished", f->handle);
		gone(c, f, RT_DEL_VANISHED);
	} else if (f->state == RT_FLOW_DELETING) {
		gone(c, f, f->reason);
	}
}

static int copy_cb(const struct rt_dumped *d, void *arg)
{
	struct rt_reap *r = arg;

	if (r->n_copy == r->cap_copy) {
		size_t cap = r->cap_copy ? r->cap_copy * 2 : 1024;
		struct rt_dumped *v = realloc(r->copy, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->copy = v;
		r->cap_copy = cap;
	}
	r->copy[r->n_copy++] = *d;
	return 0;
}

static void reap_end(struct rt_core *c)
{
	struct rt_reap *r = &c->reap;

	free(r->copy);
	r->copy = NULL;
	r->n_copy = r->cap_copy = r->pos = 0;
	r->phase = RT_REAP_OFF;
}

int rt_core__reap_start(struct rt_core *c)
{
	struct rt_reap *r = &c->reap;
	int err;

	if (r->phase != RT_REAP_OFF)
		return 0;
	c->dump_epoch++;
	c->n_orphans = 0;
	r->cursor = 0;
	r->bucket = 0;
	r->slices = 0;
	r->n_unlisted = c->t.lists[RT_FLOW_INSTALLED].n +
			c->t.lists[RT_FLOW_DELETING].n;
	r->start_us = r->copy_us = rt_core__now(c);
	if (c->be->ops->dump_slice) {
		r->work_us = 0;
		r->phase = RT_REAP_DUMP;
		return 0;
	}
	err = c->be->ops->dump(c->be, copy_cb, r);
	r->work_us = rt_core__now(c) - r->start_us;
	if (err) {
		LOG(c, "dump failed: %s", strerror(-err));
		reap_end(c);
		return err;
	}
	r->phase = RT_REAP_COPY;
	return 0;
}

/* One slice of the phase under way; 1 if it has more, 0 if it is done. */
static int reap_slice(struct rt_core *c, size_t max, uint64_t now)
{
	struct rt_reap *r = &c->reap;
	struct reap_ctx x = { .c = c, .now = now };
	int err = 0, more;

	switch (r->phase) {
	case RT_REAP_DUMP:
		more = c->be->ops->dump_slice(c->be, &r->cursor, max, reap_cb,
					      &x);
		err = reap_batch(&x);
		return more < 0 ? more : err ?: more;
	case RT_REAP_COPY:
		x.now = r->copy_us; /* the counters' time */
		for (size_t n = 0; r->pos < r->n_copy && n < max && !err; n++)
			err = reap_cb(&r->copy[r->pos++], &x);
		if (!err)
			err = reap_batch(&x);
		return err ?: r->pos < r->n_copy;
	case RT_REAP_SWEEP:
		if (!r->n_unlisted)
			return 0; /* the dump listed every one */
		return rt_table__walk(&c->t, &r->bucket, max, sweep_one, c);
	default:
		return 0;
	}
}

int rt_core__reap_step(struct rt_core *c, size_t max)
{
	struct rt_reap *r = &c->reap;
	uint64_t t0 = rt_core__now(c), t1;
	int ret;

	if (r->phase == RT_REAP_OFF)
		return 0;
	ret = reap_slice(c, max ? max : c->o.reap_slice, t0);
	t1 = rt_core__now(c);
	r->work_us += t1 - t0;
	r->slices++;
	c->st.reap_slices++;
	if (ret < 0) {
		LOG(c, "reap: %s", strerror(-ret));
		reap_end(c);
		return ret;
	}
	if (ret)
		return 1;
	if (r->phase != RT_REAP_SWEEP) {
		r->phase = RT_REAP_SWEEP;
		return 1;
	}
	c->st.last_reap_scan_us = r->work_us;
	c->st.last_reap_wall_us = t1 - r->start_us;
	c->st.reaps++;
	reap_end(c);
	flush_orphans(c);
	ret = rt_core__flush(c);
	return ret < 0 ? ret : 0;
}

int rt_core__reap(struct rt_core *c)
{
	int ret;

	reap_end(c);
	ret = rt_core__reap_start(c);
	if (ret)
		return ret;
	do
		ret = rt_core__reap_step(c, SIZE_MAX);
	while (ret > 0);
	return ret;
}

static int adopt_cb(const struct rt_dumped *d, void *arg)
{
	struct reap_ctx *x = arg;
	struct rt_core *c = x->c;
	struct rt_flow *f;

	if (!d->parsed || rt_table__find(&c->t, &d->rule.key) ||
	    c->t.count >= c->o.max_flows)
		return add_orphan(c, &d->rule);
	f = rt_table__add(&c->t, &d->rule.key);
	if (!f)
		return -ENOMEM;
	f->verdict = d->rule.verdict;
	f->flags = d->rule.flags;
	f->redirect_ifindex = d->rule.redirect_ifindex;
	/* decided under a policy we never saw: re-decide first thing */
	f->needs_reval = 1;
	c->n_needs_reval++;
	adopt(c, f, d, x->now);
	if (f->handle >= c->next_handle)
		c->next_handle = f->handle + 1;
	return 0;
}

int rt_core__adopt(struct rt_core *c)
{
	struct reap_ctx x = { .c = c, .now = rt_core__now(c) };
	int err;

	c->dump_epoch++;
	c->n_orphans = 0;
	err = c->be->ops->dump(c->be, adopt_cb, &x);
	if (err)
		return err;
	if (c->n_orphans)
		LOG(c, "deleting %zu orphaned rules", c->n_orphans);
	return flush_orphans(c);
}

void rt_core__policy_changed(struct rt_core *c, uint64_t now_ns)
{
	c->stale_before_ns = now_ns;
	c->reval_pending = true;
	c->st.revalidations++;
}

static int revalidate_list(struct rt_core *c, enum rt_flow_state s,
			   rt_decide_fn fn, void *arg)
{
	struct rt_flow *f = c->t.lists[s].head, *next;
	int removed = 0;

	for (; f; f = next) {
		struct rt_rule r = { 0 };
		int rc;

		next = f->next;
		if (!f->needs_reval && f->decided_ns > c->stale_before_ns)
			continue;
		rc = fn(arg, &f->key, &r);
		if (!rc && same_decision(f, r.verdict, r.flags,
					 r.redirect_ifindex)) {
			f->decided_ns = c->stale_before_ns + 1;
			if (f->needs_reval) {
				f->needs_reval = 0;
				c->n_needs_reval--;
			}
			continue;
		}
		removed++;
		if (s == RT_FLOW_NEW)
			gone(c, f, RT_DEL_REVALIDATED);
		else
			start_delete(c, f, RT_DEL_REVALIDATED);
	}
	return removed;
}

int rt_core__revalidate(struct rt_core *c, rt_decide_fn fn, void *arg)
{
	int removed;

	if (!c->n_needs_reval && !c->reval_pending)
		return 0;
	removed = revalidate_list(c, RT_FLOW_NEW, fn, arg) +
		  revalidate_list(c, RT_FLOW_INSTALLED, fn, arg);
	c->n_needs_reval = 0;
	/* Flows decided up to stale_before_ns are checked; events drained
	 * later that were decided before it are flagged on arrival. */
	c->reval_pending = false;
	if (removed)
		LOG(c, "revalidation removed %d flows", removed);
	return removed;
}

int rt_core__shutdown(struct rt_core *c, bool keep)
{
	struct rt_flow *f, *next;

	if (keep)
		return 0;
	for (f = c->t.lists[RT_FLOW_NEW].head; f; f = next) {
		next = f->next;
		gone(c, f, RT_DEL_SHUTDOWN);
	}
	for (f = c->t.lists[RT_FLOW_INSTALLED].head; f; f = next) {
		next = f->next;
		start_delete(c, f, RT_DEL_SHUTDOWN);
	}
	for (int round = 0; round < 5 && c->t.lists[RT_FLOW_DELETING].n;
	     round++) {
		int err = flush_deletes(c);

		if (err)
			return err;
		if (c->t.lists[RT_FLOW_DELETING].n)
			rt_core__reap(c); /* learn handles, clear vanished */
	}
	return c->t.lists[RT_FLOW_DELETING].n ? -EBUSY : 0;
}

void rt_core__status(const struct rt_core *c, struct rt_status *st)
{
	*st = c->st;
	st->flows = c->t.count;
	st->flows_installed = c->t.lists[RT_FLOW_INSTALLED].n;
	st->lat_count = c->lat.count;
	st->lat_p50_us = rt_hist__quantile(&c->lat, 0.50);
	st->lat_p90_us = rt_hist__quantile(&c->lat, 0.90);
	st->lat_p99_us = rt_hist__quantile(&c->lat, 0.99);
}
