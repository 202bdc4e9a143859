// SPDX-License-Identifier: Apache-2.0
/*
 * rt_flow.c - the flow table and the flow state machine.
 *
 * A flow lives in a chained hash table keyed by its flow key and, at the
 * same time, on exactly one list: the list of its state. The lists are what
 * the core walks (install queue, idlest-first installed flows, delete
 * queue), so no operation scans the whole table except reaping and
 * revalidation, which look at every installed flow by design.
 *
 * All state changes go through rt_flow__transition(), which refuses moves
 * the table below does not list (as OVS's ukey_state transitions).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_internal.h"

/* legal[from][to] */
static const bool legal[RT_FLOW__COUNT][RT_FLOW__COUNT] = {
	/* batched for install; dropped before install (revalidated, limit,
	 * shutdown, failed) */
	[RT_FLOW_NEW][RT_FLOW_INSTALLING] = true,
	[RT_FLOW_NEW][RT_FLOW_GONE] = true,
	/* acked or adopted (EEXIST); retry later (EBUSY, ENOSPC after an
	 * eviction, an error that may or may not have applied); failed */
	[RT_FLOW_INSTALLING][RT_FLOW_INSTALLED] = true,
	[RT_FLOW_INSTALLING][RT_FLOW_NEW] = true,
	[RT_FLOW_INSTALLING][RT_FLOW_GONE] = true,
	/* idle, revalidated, evicted, shutdown; removed by someone else */
	[RT_FLOW_INSTALLED][RT_FLOW_DELETING] = true,
	[RT_FLOW_INSTALLED][RT_FLOW_GONE] = true,
	/* deleted (or found already gone) */
	[RT_FLOW_DELETING][RT_FLOW_GONE] = true,
};

static const char *const state_names[RT_FLOW__COUNT] = {
	[RT_FLOW_NEW] = "new",
	[RT_FLOW_INSTALLING] = "installing",
	[RT_FLOW_INSTALLED] = "installed",
	[RT_FLOW_DELETING] = "deleting",
	[RT_FLOW_GONE] = "gone",
};

static const char *const reason_names[RT_DEL__COUNT] = {
	[RT_DEL_NONE] = "none",
	[RT_DEL_IDLE] = "idle",
	[RT_DEL_REVALIDATED] = "revalidated",
	[RT_DEL_EVICTED] = "evicted",
	[RT_DEL_SHUTDOWN] = "shutdown",
	[RT_DEL_FAILED] = "failed",
	[RT_DEL_VANISHED] = "vanished",
};

const char *rt_flow_state__name(enum rt_flow_state s)
{
	return (unsigned int)s < RT_FLOW__COUNT ? state_names[s] : "?";
}

const char *rt_del_reason__name(enum rt_del_reason r)
{
	return (unsigned int)r < RT_DEL__COUNT ? reason_names[r] : "?";
}

bool rt_flow_state__legal(enum rt_flow_state from, enum rt_flow_state to)
{
	if ((unsigned int)from >= RT_FLOW__COUNT ||
	    (unsigned int)to >= RT_FLOW__COUNT)
		return false;
	return legal[from][to];
}

static uint64_t key_hash(const struct flowlift_flow_key *k)
{
	uint64_t w[sizeof(*k) / 8], h = 0x9e3779b97f4a7c15ull;

	memcpy(w, k, sizeof(w));
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h;
}

static struct rt_flow **bucket(const struct rt_table *t,
			       const struct flowlift_flow_key *k)
{
	return &t->buckets[key_hash(k) & (t->n_buckets - 1)];
}

int rt_table__init(struct rt_table *t, size_t hint)
{
	size_t n = 1024;

	memset(t, 0, sizeof(*t));
	while (n < hint && n < (1u << 30))
		n <<= 1;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	t->n_buckets = n;
	return 0;
}

void rt_table__fini(struct rt_table *t)
{
	for (int s = 0; s < RT_FLOW__COUNT; s++) {
		struct rt_flow *f = t->lists[s].head, *next;

		for (; f; f = next) {
			next = f->next;
			free(f);
		}
	}
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

struct rt_flow *rt_table__find(const struct rt_table *t,
			       const struct flowlift_flow_key *k)
{
	struct rt_flow *f = *bucket(t, k);

	for (; f; f = f->hnext)
		if (!memcmp(&f->key, k, sizeof(*k)))
			return f;
	return NULL;
}

struct rt_flow *const *rt_table__slot(const struct rt_table *t,
				      const struct flowlift_flow_key *k)
{
	return bucket(t, k);
}

static void grow(struct rt_table *t)
{
	size_t n = t->n_buckets * 2;
	struct rt_flow **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < t->n_buckets; i++) {
		struct rt_flow *f = t->buckets[i], *next;

		for (; f; f = next) {
			size_t b = key_hash(&f->key) & (n - 1);

			next = f->hnext;
			f->hnext = nb[b];
			nb[b] = f;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->n_buckets = n;
}

static void list_append(struct rt_list *l, struct rt_flow *f)
{
	f->next = NULL;
	f->prev = l->tail;
	if (l->tail)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
	l->n++;
}

static void list_unlink(struct rt_list *l, struct rt_flow *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		l->head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = NULL;
	l->n--;
}

struct rt_flow *rt_table__add(struct rt_table *t,
			      const struct flowlift_flow_key *k)
{
	struct rt_flow *f, **b;

	if (t->count >= t->n_buckets)
		grow(t);
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->key = *k;
	f->state = RT_FLOW_NEW;
	b = bucket(t, k);
	f->hnext = *b;
	*b = f;
	t->count++;
	list_append(&t->lists[RT_FLOW_NEW], f);
	return f;
}

static void table_remove(struct rt_table *t, struct rt_flow *f)
{
	struct rt_flow **p = bucket(t, &f->key);

	for (; *p; p = &(*p)->hnext) {
		if (*p == f) {
			*p = f->hnext;
			t->count--;
			break;
		}
	}
	free(f);
}

int rt_flow__transition(struct rt_table *t, struct rt_flow *f,
			enum rt_flow_state to, enum rt_del_reason reason)
{
	enum rt_flow_state from = f->state;

	if (!rt_flow_state__legal(from, to))
		return -EINVAL;
	list_unlink(&t->lists[from], f);
	f->state = to;
	if (to == RT_FLOW_DELETING || to == RT_FLOW_GONE)
		f->reason = reason;
	if (to == RT_FLOW_GONE) {
		table_remove(t, f);
		return 0;
	}
	list_append(&t->lists[to], f);
	return 0;
}

int rt_table__walk(struct rt_table *t, size_t *cursor, size_t max,
		   void (*fn)(struct rt_flow *f, void *arg), void *arg)
{
	size_t seen = 0, b = *cursor;

	/* Whole buckets, so that the cursor stays a bucket index. A table
	 * that grew since the last slice keeps every flow of the buckets
	 * not yet walked at an index >= the cursor (the new bit is high),
	 * so nothing is missed; flows already walked may come again. */
	for (; b < t->n_buckets && seen < max; b++) {
		struct rt_flow *f = t->buckets[b], *next;

		for (; f; f = next, seen++) {
			next = f->hnext;
			fn(f, arg);
		}
		seen += 1; /* an empty bucket costs a little too */
	}
	*cursor = b;
	return b < t->n_buckets;
}

void rt_table__touch(struct rt_table *t, struct rt_flow *f)
{
	struct rt_list *l = &t->lists[f->state];

	if (l->tail == f)
		return;
	list_unlink(l, f);
	list_append(l, f);
}
