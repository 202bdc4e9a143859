// SPDX-License-Identifier: Apache-2.0
/*
 * lift_path.c - path states, the depth-first work stack, and path ends.
 *
 * Paths are explored depth first with an explicit stack. A two-way fork
 * queues the second side and continues with the first, so everything the
 * first side forks later sits above the queued side and is finished first.
 * Case splits with many cases (map entries, field-bit enumerations) are one
 * work item that yields one child at a time, so a 100k-entry map costs one
 * state per live case, not 100k. Each ended path becomes a rule whose
 * priority is its position in that order (see lift_internal.h for why the
 * order makes the rule set sound).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "compiler/lift_internal.h"

struct lift_arena_chunk {
	struct lift_arena_chunk *next;
	size_t used, cap;
	char data[];
};

void *lift_alloc(struct lift_ctx *ctx, size_t n)
{
	struct lift_arena_chunk *c = ctx->arena;

	n = (n + 7) & ~(size_t)7;
	if (!c || c->used + n > c->cap) {
		size_t cap = n > 65536 ? n : 65536;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = ctx->arena;
		c->used = 0;
		c->cap = cap;
		ctx->arena = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

static struct lift_state *state_alloc(struct lift_ctx *ctx)
{
	struct lift_state *st = ctx->free_states;

	if (st) {
		ctx->free_states = *(struct lift_state **)st;
		return st;
	}
	return malloc(sizeof(*st));
}

void lift_state__free(struct lift_ctx *ctx, struct lift_state *st)
{
	if (!st)
		return;
	if (ctx->cur == st)
		ctx->cur = NULL;
	*(struct lift_state **)st = ctx->free_states;
	ctx->free_states = st;
}

struct lift_state *lift_state__new(struct lift_ctx *ctx)
{
	struct lift_state *st = state_alloc(ctx);

	if (!st)
		return NULL;
	memset(st, 0, offsetof(struct lift_state, fr));
	st->prog = ctx->prog;
	st->last_pc = UINT32_MAX;
	st->n_frames = 1;
	st->len_hi = 65535;
	st->cur_first = UINT32_MAX;
	ir_rule__init(&st->rule);
	st->r[1].kind = LV_CTX;
	st->r[10].kind = LV_STACK;
	/* frame 0 has no caller: its saved r6-r9 hold nothing, but pinning
	 * and cloning walk them, so they must read as nothing */
	memset(&st->fr[0], 0, offsetof(struct lift_frame, slot));
	st->fr[0].lo = LIFT_SLOTS;
	return st;
}

struct lift_state *lift_state__clone(struct lift_ctx *ctx,
				     const struct lift_state *st)
{
	struct lift_state *c = state_alloc(ctx);

	if (!c)
		return NULL;
	memcpy(c, st, offsetof(struct lift_state, fr));
	for (int f = 0; f < st->n_frames; f++) {
		const struct lift_frame *s = &st->fr[f];
		struct lift_frame *d = &c->fr[f];

		memcpy(d, s, offsetof(struct lift_frame, slot));
		memcpy(&d->slot[s->lo], &s->slot[s->lo],
		       (LIFT_SLOTS - s->lo) * sizeof(s->slot[0]));
	}
	return c;
}

static int grow_work(struct lift_ctx *ctx)
{
	size_t cap = ctx->cap_work ? ctx->cap_work * 2 : 64;
	struct lift_work *w;

	if (ctx->n_work < ctx->cap_work)
		return 0;
	w = realloc(ctx->work, cap * sizeof(*w));
	if (!w)
		return -ENOMEM;
	ctx->work = w;
	ctx->cap_work = cap;
	return 0;
}

struct lift_work *lift_push_work(struct lift_ctx *ctx,
				 enum lift_work_kind kind,
				 struct lift_state *st)
{
	struct lift_work *w;

	if (grow_work(ctx))
		return NULL;
	w = &ctx->work[ctx->n_work++];
	memset(w, 0, sizeof(*w));
	w->kind = kind;
	w->st = st;
	if (ctx->cur == st)
		ctx->cur = NULL; /* the work item owns it now */
	return w;
}

int lift_push_state(struct lift_ctx *ctx, struct lift_state *st)
{
	if (!lift_push_work(ctx, LW_STATE, st)) {
		lift_state__free(ctx, st);
		return -ENOMEM;
	}
	return 0;
}

bool lift_budget_left(struct lift_ctx *ctx)
{
	return ctx->started < ctx->budget;
}

struct lift_state *lift_fork(struct lift_ctx *ctx, struct lift_state *st,
			     int *err)
{
	struct lift_state *c;

	*err = 0;
	if (!lift_budget_left(ctx)) {
		int ret = lift_slow(ctx, st, "path limit (%u) reached",
				    ctx->max_paths);

		*err = ret < 0 ? ret : 0;
		return NULL;
	}
	ctx->started++;
	c = lift_state__clone(ctx, st);
	if (!c)
		*err = -ENOMEM;
	return c;
}

void lift_note_insn(struct lift_ctx *ctx, struct lift_state *st)
{
	struct lift_range_node *n;

	if (st->cur_first != UINT32_MAX && st->pc == st->cur_last + 1 &&
	    st->prog == st->cur_prog) {
		st->cur_last = st->pc;
		return;
	}
	if (st->cur_first != UINT32_MAX) {
		n = lift_alloc(ctx, sizeof(*n));
		if (n) {
			n->prev = st->ranges;
			n->first = st->cur_first;
			n->last = st->cur_last;
			n->prog = st->cur_prog;
			st->ranges = n;
		}
	}
	st->cur_first = st->cur_last = st->pc;
	st->cur_prog = st->prog;
}

int lift_add_ref(struct lift_ctx *ctx, struct lift_state *st,
		 const char *ref)
{
	struct lift_ref_node *n = lift_alloc(ctx, sizeof(*n));
	size_t len = strlen(ref) + 1;

	if (!n)
		return -ENOMEM;
	n->ref = lift_alloc(ctx, len);
	if (!n->ref)
		return -ENOMEM;
	memcpy(n->ref, ref, len);
	n->prev = st->refs;
	st->refs = n;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct ir_insn_range *x = a, *y = b;

	if (x->prog != y->prog)
		return x->prog < y->prog ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Index of the program for ir_insn_range.prog: 0 for the lifted one,
 * else its place in p->progs plus one (names borrowed from the object;
 * ir_ruleset__add copies them). -ENOMEM, or the index. */
static long prog_index(struct lift_ctx *ctx, struct ir_prov *p,
		       const struct lift_prog *prog)
{
	char **v;

	if (prog == ctx->prog)
		return 0;
	for (uint32_t i = 0; i < p->n_progs; i++)
		if (p->progs[i] == prog->name)
			return i + 1;
	v = realloc(p->progs, (p->n_progs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	p->progs = v;
	v[p->n_progs++] = prog->name;
	return p->n_progs;
}

static int build_prov(struct lift_ctx *ctx, const struct lift_state *st,
		      struct ir_prov *p)
{
	size_t n = st->cur_first != UINT32_MAX, k, m;
	const struct lift_range_node *r;
	const struct lift_ref_node *f;
	const struct lift_prog **prog;
	long idx = 0;

	for (r = st->ranges; r; r = r->prev)
		n++;
	p->path = ctx->seq;
	p->ranges = calloc(n ? n : 1, sizeof(*p->ranges));
	prog = calloc(n ? n : 1, sizeof(*prog));
	if (!p->ranges || !prog) {
		free(prog);
		return -ENOMEM;
	}
	/* chronological order, so that tail-called programs are numbered in
	 * the order the path reached them */
	k = n;
	if (st->cur_first != UINT32_MAX) {
		p->ranges[--k] = (struct ir_insn_range){ st->cur_first,
							 st->cur_last, 0 };
		prog[k] = st->cur_prog;
	}
	for (r = st->ranges; r; r = r->prev) {
		p->ranges[--k] = (struct ir_insn_range){ r->first, r->last,
							 0 };
		prog[k] = r->prog;
	}
	for (k = 0; k < n && idx >= 0; k++) {
		idx = prog_index(ctx, p, prog[k]);
		p->ranges[k].prog = (uint32_t)idx;
	}
	free(prog);
	if (idx < 0)
		return (int)idx;
	k = n;
	qsort(p->ranges, k, sizeof(*p->ranges), cmp_range);
	for (size_t i = m = 0; i < k; i++) {
		if (m && p->ranges[i].prog == p->ranges[m - 1].prog &&
		    p->ranges[i].first <= p->ranges[m - 1].last + 1) {
			if (p->ranges[i].last > p->ranges[m - 1].last)
				p->ranges[m - 1].last = p->ranges[i].last;
			continue;
		}
		p->ranges[m++] = p->ranges[i];
	}
	p->n_ranges = m;
	for (n = 0, f = st->refs; f; f = f->prev)
		n++;
	if (!n)
		return 0;
	p->maprefs = calloc(n, sizeof(char *));
	if (!p->maprefs)
		return -ENOMEM;
	/* chronological order */
	k = n;
	for (f = st->refs; f; f = f->prev)
		p->maprefs[--k] = f->ref;
	p->n_maprefs = n;
	return 0;
}

/* Frame-length and VLAN facts as matches (program-seen -> wire). Sets
 * *narrowed when the rule had to exclude tagged frames: those are part of
 * the path's region and need a slow-path rule right after it, or they would
 * fall through to rules of later paths. */
static int finish_rule(struct lift_ctx *ctx, const struct lift_state *st,
		       struct ir_rule *r, bool *narrowed)
{
	uint64_t lo, hi, et;
	bool tagged = false;
	struct ir_match m;
	int ret;

	if (ctx->tc && st->seen_l2) {
		if (lift_rule_bounds(r, IR_F_NUM_VLANS, &lo, &hi)) {
			tagged = lo >= 1;
		} else if (!lift_rule_exact(r, IR_F_ETH_TYPE, &et) ||
			   et == 0x8100 || et == 0x88a8) {
			/* tagged frames reach the program with the tag
			 * stripped: keep them out of this rule */
			ir_match__exact(&m, IR_F_NUM_VLANS, 0);
			ret = ir_rule__and(r, &m);
			if (ret)
				return ret;
			*narrowed = true;
		}
	}
	if (st->len_lo > 0 || st->len_hi < 65535) {
		uint64_t add = tagged ? 4 : 0;

		lo = st->len_lo + add;
		hi = st->len_hi + add;
		if (hi > 65535)
			hi = 65535;
		if (lo > 65535)
			return 1;
		ir_match__range(&m, IR_F_META_LEN, lo, hi);
		ret = ir_rule__and(r, &m);
		if (ret)
			return ret;
	}
	return 0;
}

static int emit(struct lift_ctx *ctx, const struct lift_state *st,
		struct ir_rule *r, const struct ir_action *a)
{
	int ret;

	r->action = *a;
	r->prio = ctx->seq + 1;
	memset(&r->prov, 0, sizeof(r->prov));
	ret = build_prov(ctx, st, &r->prov);
	if (!ret)
		ret = ir_ruleset__add(ctx->rs, r);
	free(r->prov.ranges);
	free(r->prov.maprefs);
	free(r->prov.progs); /* the names are the object's */
	if (ret)
		return fl_err(ctx->err, ctx->errsz, ret, "adding rule: %s",
			      strerror(-ret));
	ctx->seq++;
	return 0;
}

int lift_end(struct lift_ctx *ctx, struct lift_state *st,
	     const struct ir_action *a)
{
	static const struct ir_action slow = { .verdict = IR_ACT_SLOWPATH };
	bool narrowed = false;
	struct ir_rule r;
	int ret;

	if (st->dead) {
		lift_state__free(ctx, st);
		return LIFT_STOP;
	}
	memcpy(&r, &st->rule, sizeof(r));
	ret = finish_rule(ctx, st, &r, &narrowed);
	if (ret < 0 || (ret && !narrowed)) {
		lift_state__free(ctx, st);
		return ret < 0 ? ret : LIFT_STOP;
	}
	if (!ret)
		ret = emit(ctx, st, &r, a);
	if (!ret && narrowed) {
		/* tagged frames of this path: slow path */
		struct lift_state t = { 0 };

		memcpy(&r, &st->rule, sizeof(r));
		t.len_lo = st->len_lo;
		t.len_hi = st->len_hi;
		ret = finish_rule(ctx, &t, &r, &narrowed);
		if (!ret)
			ret = emit(ctx, st, &r, &slow);
		else if (ret == 1)
			ret = 0;
	}
	lift_state__free(ctx, st);
	if (ret)
		return ret;
	if (ctx->opts->progress && !(ctx->seq % 100000))
		fprintf(stderr, "flowlift: %u paths\n", ctx->seq);
	return LIFT_STOP;
}

static uint32_t fnv(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h ? h : 1;
}

/* Remember a reason; true if it is new. */
static int note_reason(struct lift_ctx *ctx, const char *why)
{
	uint32_t h = fnv(why);
	size_t i;

	if (ctx->n_reasons * 2 >= ctx->hash_cap) {
		size_t cap = ctx->hash_cap ? ctx->hash_cap * 2 : 64;
		uint32_t *t = calloc(cap, sizeof(*t));

		if (!t)
			return -ENOMEM;
		for (size_t k = 0; k < ctx->n_reasons; k++) {
			i = fnv(ctx->reasons[k]) & (cap - 1);
			while (t[i])
				i = (i + 1) & (cap - 1);
			t[i] = k + 1;
		}
		free(ctx->reason_hash);
		ctx->reason_hash = t;
		ctx->hash_cap = cap;
	}
	for (i = h & (ctx->hash_cap - 1); ctx->reason_hash[i];
	     i = (i + 1) & (ctx->hash_cap - 1))
		if (!strcmp(ctx->reasons[ctx->reason_hash[i] - 1], why))
			return 0;
	if (ctx->n_reasons == ctx->cap_reasons) {
		size_t cap = ctx->cap_reasons ? ctx->cap_reasons * 2 : 16;
		char **r = realloc(ctx->reasons, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		ctx->reasons = r;
		ctx->cap_reasons = cap;
	}
	ctx->reasons[ctx->n_reasons] = strdup(why);
	if (!ctx->reasons[ctx->n_reasons])
		return -ENOMEM;
	ctx->reason_hash[i] = ++ctx->n_reasons;
	return 1;
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p;
}

int lift_slow(struct lift_ctx *ctx, struct lift_state *st, const char *fmt,
	      ...)
{
	struct ir_action a = { .verdict = IR_ACT_SLOWPATH };
	const struct lift_line *l;
	char why[256], note[768], where[160];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	l = lift_prog__line(st->prog, st->pc);
	if (l && l->file)
		snprintf(where, sizeof(where), "insn %u (%s:%u)", st->pc,
			 base_name(l->file), l->line);
	else
		snprintf(where, sizeof(where), "insn %u", st->pc);
	if (st->prog != ctx->prog)
		snprintf(note, sizeof(note), "prog '%s' %s: %s",
			 st->prog->name, where, why);
	else
		snprintf(note, sizeof(note), "%s: %s", where, why);
	if (!st->dead) {
		ret = note_reason(ctx, note);
		if (ret < 0)
			return ret;
		if (ret && ctx->opts->diag)
			fprintf(ctx->opts->diag, "prog '%s': %s; path left to "
				"slow path\n", ctx->prog->name, note);
		ctx->paths_slow++;
	}
	return lift_end(ctx, st, &a);
}

static int run(struct lift_ctx *ctx, struct lift_state *st)
{
	int ret;

	if (st->dead) {
		lift_state__free(ctx, st);
		return 0;
	}
	ctx->cur = st;
	if (st->pending_slow) {
		ret = lift_slow(ctx, st, "%s", st->pending_slow);
		return ret < 0 ? ret : 0;
	}
	do
		ret = lift_step(ctx, st);
	while (ret == LIFT_NEXT);
	return ret < 0 ? ret : 0;
}

static void work_fini(struct lift_ctx *ctx, struct lift_work *w)
{
	lift_state__free(ctx, w->st);
	free(w->key);
	free(w->order);
}

int lift_explore(struct lift_ctx *ctx)
{
	struct lift_state *st = lift_state__new(ctx);
	int ret;

	if (!st)
		return -ENOMEM;
	ctx->started = 1;
	ret = lift_push_state(ctx, st);
	while (!ret && ctx->n_work) {
		struct lift_work *w = &ctx->work[ctx->n_work - 1];

		if (w->kind == LW_STATE) {
			st = w->st;
			ctx->n_work--;
		} else {
			ret = lift_work_next(ctx, w, &st);
			if (ret < 0)
				break;
			if (!st) {
				work_fini(ctx, &ctx->work[--ctx->n_work]);
				continue;
			}
		}
		ret = run(ctx, st);
	}
	return ret;
}

void lift_ctx__fini(struct lift_ctx *ctx)
{
	struct lift_arena_chunk *c, *n;
	struct lift_state *s;

	/* a path an error stopped half way */
	lift_state__free(ctx, ctx->cur);
	while (ctx->n_work)
		work_fini(ctx, &ctx->work[--ctx->n_work]);
	free(ctx->work);
	while ((s = ctx->free_states)) {
		ctx->free_states = *(struct lift_state **)s;
		free(s);
	}
	for (c = ctx->arena; c; c = n) {
		n = c->next;
		free(c);
	}
	for (size_t i = 0; i < ctx->n_reasons; i++)
		free(ctx->reasons[i]);
	free(ctx->reasons);
	free(ctx->reason_hash);
	free(ctx->state_maps);
}
