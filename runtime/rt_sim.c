// SPDX-License-Identifier: Apache-2.0
/*
 * rt_sim.c - a simulated rule device for scale and fault tests of the
 * agent, beside the real flower backend (never instead of it).
 *
 * It behaves like flower where the agent can tell: one rule per exact key
 * (a second add of the same key is EEXIST), a capacity (ENOSPC), deletes
 * by handle (ENOENT if absent), per-rule packet counters and lastused.
 * Failures are injected per request at a configured rate from a seeded
 * generator, so a failing run repeats exactly. Rules carry an "own" flag
 * standing for the agent's cookie; dumps list only own rules.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/rt_internal.h"

struct sim_rule {
	struct rt_rule r;
	struct sim_rule *hnext;
	uint64_t packets, bytes, hit_us;
	bool own;
};

struct rt_sim {
	struct rt_backend base;
	struct rt_sim_opts o;
	struct sim_rule **buckets;
	size_t n_buckets, count;
	uint64_t rng;
};

static uint64_t sim_now_us(const struct rt_sim *s)
{
	struct timespec ts;

	if (s->o.now_us) /* the test's clock */
		return s->o.now_us(s->o.now_arg);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t rnd(struct rt_sim *s)
{
	/* xorshift64* */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 2685821657736338717ull;
}

static size_t hash(const struct rt_sim *s, const struct flowlift_flow_key *k)
{
	uint64_t w[sizeof(*k) / 8], h = 0xcbf29ce484222325ull;

	memcpy(w, k, sizeof(w));
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		h = (h ^ w[i]) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	return h & (s->n_buckets - 1);
}

static struct sim_rule **find(struct rt_sim *s,
			      const struct flowlift_flow_key *k)
{
	struct sim_rule **p = &s->buckets[hash(s, k)];

	for (; *p; p = &(*p)->hnext)
		if (!memcmp(&(*p)->r.key, k, sizeof(*k)))
			return p;
	return p;
}

static void grow(struct rt_sim *s)
{
	size_t n = s->n_buckets * 2, old = s->n_buckets;
	struct sim_rule **nb = calloc(n, sizeof(*nb)), **ob = s->buckets;

	if (!nb)
		return;
	s->buckets = nb;
	s->n_buckets = n;
	for (size_t i = 0; i < old; i++) {
		struct sim_rule *r = ob[i], *next;

		for (; r; r = next) {
			size_t b = hash(s, &r->r.key);

			next = r->hnext;
			r->hnext = nb[b];
			nb[b] = r;
		}
	}
	free(ob);
}

static int insert(struct rt_sim *s, const struct rt_rule *r, bool own)
{
	struct sim_rule **p, *n;

	if (s->count >= s->n_buckets)
		grow(s);
	p = find(s, &r->key);
	if (*p)
		return -EEXIST;
	if (s->o.capacity && s->count >= s->o.capacity)
		return -ENOSPC;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->r = *r;
	n->own = own;
	n->hit_us = sim_now_us(s);
	*p = n;
	s->count++;
	return 0;
}

static int remove_rule(struct rt_sim *s, const struct rt_rule *r)
{
	struct sim_rule **p = find(s, &r->key), *n = *p;

	if (!n || n->r.handle != r->handle)
		return -ENOENT;
	*p = n->hnext;
	free(n);
	s->count--;
	return 0;
}

/* An injected fault for this request (0: none), from the allowed set. */
static int fault(struct rt_sim *s, unsigned int allowed, bool *applied)
{
	static const struct {
		unsigned int bit;
		int err;
	} faults[] = {
		{ RT_SIM_ENOSPC, -ENOSPC },
		{ RT_SIM_EBUSY, -EBUSY },
		{ RT_SIM_EEXIST, -EEXIST },
		{ RT_SIM_NLERR, -EIO },
	};
	unsigned int set = s->o.faults & allowed, n = 0, pick;

	*applied = false;
	if (!set || rnd(s) % 1000 >= s->o.fail_permille)
		return 0;
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		n += !!(set & faults[i].bit);
	pick = rnd(s) % n;
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		if (!(set & faults[i].bit) || pick--)
			continue;
		/* EEXIST: the earlier attempt's ack was lost, it applied;
		 * netlink errors: half of them after applying */
		*applied = faults[i].bit == RT_SIM_EEXIST ||
			   (faults[i].bit == RT_SIM_NLERR && (rnd(s) & 1));
		return faults[i].err;
	}
	return 0;
}

static void reply(struct rt_req *q, int err, const char *what)
{
	q->err = err;
	q->msg[0] = 0;
	if (err)
		snprintf(q->msg, sizeof(q->msg), "sim: %s: %s", what,
			 strerror(-err));
}

static void latency(const struct rt_sim *s)
{
	if (s->o.latency_us)
		usleep(s->o.latency_us);
}

static int sim_add(struct rt_backend *be, struct rt_req *reqs, size_t n)
{
	struct rt_sim *s = (struct rt_sim *)be;

	latency(s);
	for (size_t i = 0; i < n; i++) {
		bool applied;
		int err = fault(s, RT_SIM_ENOSPC | RT_SIM_EBUSY |
					   RT_SIM_EEXIST | RT_SIM_NLERR,
				&applied);

		if (err && applied)
			insert(s, &reqs[i].rule, true);
		reply(&reqs[i], err ?: insert(s, &reqs[i].rule, true), "add");
	}
	return 0;
}

static int sim_del(struct rt_backend *be, struct rt_req *reqs, size_t n)
{
	struct rt_sim *s = (struct rt_sim *)be;

	latency(s);
	for (size_t i = 0; i < n; i++) {
		bool applied;
		int err = fault(s, RT_SIM_EBUSY | RT_SIM_NLERR, &applied);

		if (err && applied)
			remove_rule(s, &reqs[i].rule);
		reply(&reqs[i], err ?: remove_rule(s, &reqs[i].rule), "del");
	}
	return 0;
}

/* Buckets [*cursor, ...) until about max rules were listed. Growth
 * between slices moves a rule of bucket i to i or i + old size, never
 * below the cursor: a resumed walk misses nothing present throughout. */
static int walk_from(struct rt_sim *s, bool own_only, uint64_t *cursor,
		     size_t max, rt_dump_fn cb, void *arg)
{
	uint64_t now = sim_now_us(s);
	size_t i = *cursor, seen = 0;

	for (; i < s->n_buckets && seen < max; i++, seen++) {
		for (struct sim_rule *r = s->buckets[i]; r; r = r->hnext) {
			struct rt_dumped d = { .rule = r->r, .parsed = true };
			int err;

			if (own_only && !r->own)
				continue;
			d.packets = r->packets;
			d.bytes = r->bytes;
			d.lastused_ms = (now - r->hit_us) / 1000;
			err = cb(&d, arg);
			if (err)
				return err;
			seen++;
		}
	}
	*cursor = i;
	return i < s->n_buckets;
}

static int walk(struct rt_sim *s, bool own_only, rt_dump_fn cb, void *arg)
{
	uint64_t cursor = 0;
	int ret = walk_from(s, own_only, &cursor, SIZE_MAX, cb, arg);

	return ret < 0 ? ret : 0;
}

static int sim_dump(struct rt_backend *be, rt_dump_fn cb, void *arg)
{
	return walk((struct rt_sim *)be, true, cb, arg);
}

static int sim_dump_slice(struct rt_backend *be, uint64_t *cursor,
			  size_t max, rt_dump_fn cb, void *arg)
{
	return walk_from((struct rt_sim *)be, true, cursor, max, cb, arg);
}

static void sim_free(struct rt_backend *be)
{
	struct rt_sim *s = (struct rt_sim *)be;

	for (size_t i = 0; i < s->n_buckets; i++) {
		struct sim_rule *r = s->buckets[i], *next;

		for (; r; r = next) {
			next = r->hnext;
			free(r);
		}
	}
	free(s->buckets);
	free(s);
}

static const struct rt_backend_ops sim_ops = {
	.name = "sim",
	.add = sim_add,
	.del = sim_del,
	.dump = sim_dump,
	.free = sim_free,
	.dump_slice = sim_dump_slice,
};

struct rt_backend *rt_backend_sim__new(const struct rt_sim_opts *o)
{
	struct rt_sim *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->base.ops = &sim_ops;
	if (o)
		s->o = *o;
	s->rng = s->o.seed ? s->o.seed : 0x2545f4914f6cdd1dull;
	s->n_buckets = 1024;
	s->buckets = calloc(s->n_buckets, sizeof(*s->buckets));
	if (!s->buckets) {
		free(s);
		return NULL;
	}
	return &s->base;
}

static struct rt_sim *as_sim(const struct rt_backend *be)
{
	return be && be->ops == &sim_ops ? (struct rt_sim *)be : NULL;
}

int rt_sim__hit(struct rt_backend *be, const struct flowlift_flow_key *k,
		uint64_t packets)
{
	struct rt_sim *s = as_sim(be);
	struct sim_rule *r;

	if (!s)
		return -EINVAL;
	r = *find(s, k);
	if (!r)
		return -ENOENT;
	r->packets += packets;
	r->bytes += packets * 64;
	r->hit_us = sim_now_us(s);
	return 0;
}

size_t rt_sim__count(const struct rt_backend *be)
{
	const struct rt_sim *s = as_sim(be);

	return s ? s->count : 0;
}

int rt_sim__foreach(struct rt_backend *be, rt_dump_fn cb, void *arg)
{
	struct rt_sim *s = as_sim(be);

	return s ? walk(s, false, cb, arg) : -EINVAL;
}

int rt_sim__insert(struct rt_backend *be, const struct rt_rule *r,
		   bool own_cookie)
{
	struct rt_sim *s = as_sim(be);

	return s ? insert(s, r, own_cookie) : -EINVAL;
}

void rt_sim__set_fail(struct rt_backend *be, uint32_t fail_permille)
{
	struct rt_sim *s = as_sim(be);

	if (s)
		s->o.fail_permille = fail_permille;
}

void rt_backend__free(struct rt_backend *be)
{
	if (be)
		be->ops->free(be);
}
