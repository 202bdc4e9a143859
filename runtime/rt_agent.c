// SPDX-License-Identifier: Apache-2.0
/*
 * rt_agent.c - the agent: the core (rt_core.c) wired to a loaded program's
 * ring buffer and maps, the real clock, and a stats file.
 *
 * One thread, one loop (rt_loop.c): poll the ring buffer (events go to
 * the core as they come), flush installs in batches after each poll, and
 * once per interval: check the policy maps' digest (a change marks every
 * flow decided before it for revalidation), revalidate, rewrite the stats
 * file atomically, and start a reap, which then runs in slices between
 * polls. Events are drained before the digest is taken and carry the time
 * they were decided, so a decision made under the old policy is never
 * installed unchecked.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "common/common.h"
#include "compiler/compiler.h"
#include "runtime/rt_internal.h"

struct rt_agent {
	struct rt_agent_opts o;
	struct rt_core core;
	struct rt_prog prog;
	struct ring_buffer *rb;
	uint8_t digest[20];
	volatile sig_atomic_t stop;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct rt_agent *a = ctx;
	struct flowlift_event ev;

	if (rt_event__parse(data, size, &ev)) {
		a->core.st.events_invalid++;
		return 0;
	}
	rt_core__event(&a->core, &ev);
	return 0;
}

/* The loaded program must be the one in the object: same tag (SHA-256
 * based on 6.18+, SHA-1 before). Only the instructions are compared: the
 * agent reads the live maps itself. */
static int check_object(struct rt_agent *a, char *err, size_t errsz)
{
	struct lift_object *obj;
	struct lift_prog *lp;
	char want[17], have[17];
	int ret = 0;

	obj = lift_object__open(a->o.obj_path, err, errsz);
	if (!obj)
		return -errno;
	lp = lift_object__find_prog(obj, a->o.prog_name, err, errsz);
	if (!lp) {
		ret = -ENOENT;
	} else if (memcmp(lp->tag, a->prog.tag, 8) &&
		   memcmp(lp->tag_sha1, a->prog.tag, 8)) {
		fl_hex(lp->tag, 8, want);
		fl_hex(a->prog.tag, 8, have);
		ret = fl_err(err, errsz, -EKEYREJECTED,
			     "program '%s' in %s has tag %s, the loaded one "
			     "(%s) %s", a->o.prog_name, a->o.obj_path, want,
			     a->o.prog, have);
	}
	lift_object__free(obj);
	return ret;
}

static int setup(struct rt_agent *a, char *err, size_t errsz)
{
	struct rt_core_opts co = {
		.idle_timeout_ms = a->o.idle_timeout_ms,
		.max_flows = a->o.max_flows,
		.hw_lag_ms = a->o.hw_lag_ms,
		.batch = a->o.batch,
		.log = a->o.log,
		.forget = rt_prog__forget,
		.forget_arg = &a->prog,
		.reap_slice = a->o.reap_slice,
	};
	int ret;

	ret = rt_prog__open(&a->prog, a->o.prog, err, errsz);
	if (ret)
		return ret;
	if (a->o.obj_path) {
		ret = check_object(a, err, errsz);
		if (ret)
			return ret;
	}
	ret = rt_prog__digest(&a->prog, a->digest);
	if (ret)
		return fl_err(err, errsz, ret, "reading policy maps: %s",
			      strerror(-ret));
	ret = rt_core__init(&a->core, &co, a->o.backend);
	if (ret)
		return fl_err(err, errsz, ret, "flow table: %s",
			      strerror(-ret));
	a->rb = ring_buffer__new(a->prog.events_fd, on_event, a, NULL);
	if (!a->rb)
		return fl_err(err, errsz, -errno, "ring buffer: %s",
			      strerror(errno));
	ret = rt_core__adopt(&a->core);
	if (ret)
		return fl_err(err, errsz, ret, "listing existing rules: %s",
			      strerror(-ret));
	return 0;
}

struct rt_agent *rt_agent__new(const struct rt_agent_opts *o, char *err,
			       size_t errsz)
{
	struct rt_agent *a;
	int ret;

	if (!o || !o->prog || !o->backend) {
		fl_err(err, errsz, -EINVAL, "agent needs a program and a "
					    "backend");
		rt_backend__free(o ? o->backend : NULL);
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		rt_backend__free(o->backend);
		return NULL;
	}
	a->o = *o;
	if (!a->o.interval_ms)
		a->o.interval_ms = 1000;
	if (!a->o.hw_lag_ms)
		a->o.hw_lag_ms = 2000;
	a->prog.fd = a->prog.events_fd = a->prog.seen_fd = -1;
	a->prog.stats_fd = -1;
	ret = setup(a, err, errsz);
	if (ret) {
		rt_agent__free(a);
		errno = -ret;
		return NULL;
	}
	return a;
}

void rt_agent__status(const struct rt_agent *a, struct rt_status *st)
{
	uint64_t c[FLOWLIFT_STAT__COUNT];

	rt_core__status(&a->core, st);
	if (!rt_prog__counters(&a->prog, c)) {
		st->rb_drops = c[FLOWLIFT_STAT_DROPS];
		st->rb_skipped = c[FLOWLIFT_STAT_SKIPPED];
	}
	st->rb_bytes = a->prog.events_bytes;
}

static int write_stats(struct rt_agent *a)
{
	struct fl_outfile out;
	struct rt_status st;
	int ret;

	if (!a->o.stats_path)
		return 0;
	rt_agent__status(a, &st);
	ret = fl_open_outfile(&out, a->o.stats_path);
	if (ret)
		return ret;
	ret = rt_stats__write_prom(&st, &a->core.lat, out.f);
	if (ret) {
		fl_abort_outfile(&out);
		return ret;
	}
	return fl_commit_outfile(&out);
}

/* Once per interval. */
static int interval(struct rt_agent *a)
{
	uint8_t d[20];
	int ret;

	ret = rt_prog__digest(&a->prog, d);
	if (ret)
		return ret;
	if (memcmp(d, a->digest, sizeof(d))) {
		memcpy(a->digest, d, sizeof(d));
		rt_core__policy_changed(&a->core, mono_ns());
		if (a->o.log)
			fprintf(a->o.log, "flowlift agent: policy maps "
					  "changed: revalidating\n");
	}
	rt_core__revalidate(&a->core, rt_prog__decide, &a->prog);
	ret = rt_core__flush(&a->core);
	if (ret)
		return ret;
	ret = write_stats(a);
	if (ret && a->o.log)
		fprintf(a->o.log, "flowlift agent: writing %s: %s\n",
			a->o.stats_path, strerror(-ret));
	return 0;
}

static int loop_interval(void *arg)
{
	return interval(arg);
}

static int loop_read(void *arg, int timeout_ms)
{
	struct rt_agent *a = arg;

	return ring_buffer__poll(a->rb, timeout_ms);
}

static const struct rt_loop_ops loop_ops = {
	.read = loop_read,
	.interval = loop_interval,
};

int rt_agent__run(struct rt_agent *a)
{
	struct rt_loop l = {
		.core = &a->core,
		.ops = &loop_ops,
		.arg = a,
		.interval_ms = a->o.interval_ms,
		.stop = &a->stop,
	};
	int ret = rt_loop__run(&l);

	rt_core__shutdown(&a->core, a->o.keep_rules);
	write_stats(a);
	return ret;
}

void rt_agent__stop(struct rt_agent *a)
{
	a->stop = 1;
}

void rt_agent__free(struct rt_agent *a)
{
	if (!a)
		return;
	ring_buffer__free(a->rb);
	rt_core__fini(&a->core);
	rt_prog__close(&a->prog);
	rt_backend__free(a->o.backend);
	free(a);
}
