// SPDX-License-Identifier: Apache-2.0
/*
 * pass_merge.c - rules that differ in one field become one rule.
 *
 * Rules with the same action and the same matches on every field but f,
 * whose values on f union to one prefix (or, on numeric fields, one range),
 * are one rule: two /25 make a /24, dport 80 and 81 make 80-81. The merged
 * rule takes the place of its earliest member, which is exact as long as no
 * member moves past a rule with another action that overlaps it.
 *
 * Near-linear: rules are grouped by a hash of (action, all other matches)
 * and sorted, never compared pairwise; the "nothing in between" check asks
 * the candidate index. All moves of one field are planned against the same
 * rule set and then applied together: two members of different groups that
 * overlap with different actions never swap order, since either move would
 * cross the other's position, which its own check forbids.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/pass.h"

#define CHECK_BUDGET 256 /* per move check, or n when the pass has more */
#define MAX_ROUNDS 16

typedef unsigned __int128 u128;

struct ment {
	uint64_t h;
	uint32_t pos;
};

/* A member's interval on f, and the chain of members merged into it. */
struct iv {
	u128 lo, hi;
	uint32_t pos;  /* earliest member */
	uint32_t head; /* member list, through next[] */
	uint32_t tail;
	uint32_t n;
};

struct merge {
	struct ir_ruleset *rs;
	struct pass_index *idx;
	bool *alive;
	uint32_t *next; /* member lists */
	enum ir_field_id f;
	bool ranges;    /* f may take a non-prefix range */
	const struct ir_rule *m; /* member being checked */
	/* The plan: (target pos, interval) and members to drop. */
	struct iv *plan;
	size_t n_plan, cap_plan;
	struct iv *stk;
	size_t cap_stk;
	bool changed;
	size_t cut, queries; /* move checks over budget, of all */
	uint64_t total;      /* visits left for the whole pass */
	uint64_t query;      /* at most this many per move check */
};

static u128 val128(const struct ir_val *v, enum ir_field_id f)
{
	size_t i, n = ir_field__bytes(f);
	u128 x = 0;

	for (i = 0; i < n; i++)
		x = (x << 8) | v->b[i];
	return x;
}

static void val_from128(struct ir_val *v, enum ir_field_id f, u128 x)
{
	size_t i, n = ir_field__bytes(f);

	memset(v, 0, sizeof(*v));
	for (i = n; i-- > 0; x >>= 8)
		v->b[i] = (uint8_t)x;
}

static u128 field_max128(enum ir_field_id f)
{
	unsigned int w = ir_field__get(f)->width;

	return w >= 128 ? ~(u128)0 : ((u128)1 << w) - 1;
}

static bool interval128(const struct ir_match *m, u128 *lo, u128 *hi)
{
	u128 key, mask;

	if (m->kind == IR_MATCH_RANGE) {
		*lo = m->lo;
		*hi = m->hi;
		return true;
	}
	if (pass_mask_plen(m->field, &m->mask) < 0)
		return false;
	key = val128(&m->key, m->field);
	mask = val128(&m->mask, m->field);
	*lo = key & mask;
	*hi = *lo | (~mask & field_max128(m->field));
	return true;
}

static bool is_prefix(u128 lo, u128 hi)
{
	u128 size = hi - lo + 1;

	if (!size) /* the whole 128-bit space */
		return true;
	return !(size & (size - 1)) && !(lo & (size - 1));
}

static void set_interval(struct ir_match *m, enum ir_field_id f, u128 lo,
			 u128 hi)
{
	if (ir_field__get(f)->width <= 64) {
		pass_match_from_interval(m, f, (uint64_t)lo, (uint64_t)hi);
		return;
	}
	memset(m, 0, sizeof(*m));
	m->field = f;
	m->kind = IR_MATCH_MASK;
	val_from128(&m->key, f, lo);
	val_from128(&m->mask, f, field_max128(f) & ~(hi - lo));
}

static bool range_field(enum ir_field_id f)
{
	const struct ir_field *fd = ir_field__get(f);

	return fd->width <= 64 &&
	       (fd->fmt == IR_FMT_DEC || fd->fmt == IR_FMT_HEX);
}

static int cmp_ment(const void *a, const void *b)
{
	const struct ment *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_iv(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi > y->hi ? -1 : x->hi < y->hi;
}

/* A rule between chain start and member with another action overlapping
 * the member stops the member from moving up. */
static int interfere_cb(size_t pos, void *arg)
{
	struct merge *mg = arg;
	const struct ir_rule *c = ir_ruleset__rule_c(mg->rs, pos);

	if (!mg->alive[pos] || pass_action_eq(&c->action, &mg->m->action))
		return 0;
	return pass_rules_overlap(c, mg->m) ? 1 : 0;
}

static bool can_move(struct merge *mg, size_t from, size_t to)
{
	uint64_t budget = mg->total < mg->query ? mg->total : mg->query;
	int ret;

	mg->total -= budget;
	mg->m = ir_ruleset__rule_c(mg->rs, to);
	ret = pass_index__foreach(mg->idx, mg->m, from + 1, to, interfere_cb,
				  mg, &budget);
	mg->total += budget;
	mg->queries++;
	mg->cut += ret == -E2BIG;
	return ret == 0;
}

static void absorb(struct merge *mg, struct iv *a, const struct iv *b)
{
	if (b->hi > a->hi)
		a->hi = b->hi;
	if (b->pos < a->pos)
		a->pos = b->pos;
	mg->next[a->tail] = b->head;
	a->tail = b->tail;
	a->n += b->n;
}

static bool buddies(const struct iv *a, const struct iv *b)
{
	u128 size = a->hi - a->lo + 1;

	if (!size || !(size << 1))
		return false;
	return b->hi - b->lo + 1 == size && b->lo == a->hi + 1 &&
	       !(a->lo & ((size << 1) - 1));
}

static int plan_push(struct merge *mg, const struct iv *v)
{
	if (mg->n_plan == mg->cap_plan) {
		size_t cap = mg->cap_plan ? 2 * mg->cap_plan : 64;
		void *p = realloc(mg->plan, cap * sizeof(*mg->plan));

		if (!p)
			return -ENOMEM;
		mg->plan = p;
		mg->cap_plan = cap;
	}
	mg->plan[mg->n_plan++] = *v;
	return 0;
}

/* Members ivs[0..n) of one chain, in any order: aggregate. */
static int aggregate(struct merge *mg, struct iv *ivs, size_t n)
{
	size_t i, top = 0;
	int err = 0;

	qsort(ivs, n, sizeof(*ivs), cmp_iv);
	for (i = 0; i < n; i++) {
		struct iv *t = top ? &ivs[top - 1] : NULL;

		if (t && (ivs[i].hi <= t->hi ||
			  (mg->ranges && ivs[i].lo <= t->hi + 1))) {
			absorb(mg, t, &ivs[i]);
			continue;
		}
		ivs[top++] = ivs[i];
		while (!mg->ranges && top >= 2 &&
		       buddies(&ivs[top - 2], &ivs[top - 1])) {
			absorb(mg, &ivs[top - 2], &ivs[top - 1]);
			top--;
		}
	}
	for (i = 0; i < top && !err; i++)
		if (ivs[i].n > 1 && (mg->ranges || is_prefix(ivs[i].lo,
							     ivs[i].hi)))
			err = plan_push(mg, &ivs[i]);
	return err;
}

static int stk_reserve(struct merge *mg, size_t n)
{
	void *p;

	if (n <= mg->cap_stk)
		return 0;
	p = realloc(mg->stk, n * sizeof(*mg->stk));
	if (!p)
		return -ENOMEM;
	mg->stk = p;
	mg->cap_stk = n;
	return 0;
}

/* One class: same action and other matches, positions ascending. */
static int plan_class(struct merge *mg, const uint32_t *pos, size_t n)
{
	size_t i, k = 0, start = pos[0];
	int err = stk_reserve(mg, n);

	for (i = 0; i < n && !err; i++) {
		const struct ir_rule *r = ir_ruleset__rule_c(mg->rs, pos[i]);
		struct iv *v;

		if (i && !can_move(mg, start, pos[i])) {
			err = k > 1 ? aggregate(mg, mg->stk, k) : 0;
			k = 0;
			start = pos[i];
		}
		v = &mg->stk[k++];
		interval128(ir_rule__find(r, mg->f), &v->lo, &v->hi);
		v->pos = v->head = v->tail = pos[i];
		v->n = 1;
		mg->next[pos[i]] = UINT32_MAX;
	}
	if (!err && k > 1)
		err = aggregate(mg, mg->stk, k);
	return err;
}

static uint64_t class_hash(const struct ir_rule *r, enum ir_field_id f)
{
	return pass_action_hash(&r->action, pass_matches_hash(r, f));
}

static bool same_class(const struct ir_rule *a, const struct ir_rule *b,
		       enum ir_field_id f)
{
	return pass_action_eq(&a->action, &b->action) &&
	       pass_matches_eq_except(a, b, f);
}

/* Split a run of equal hashes into exact classes (collisions are rare). */
static int plan_hash_run(struct merge *mg, struct ment *run, size_t n,
			 uint32_t *buf)
{
	size_t i, k, left = n;
	int err = 0;

	while (left > 1 && !err) {
		const struct ir_rule *rep =
			ir_ruleset__rule_c(mg->rs, run[0].pos);
		size_t rest = 0;

		for (i = 0, k = 0; i < left; i++) {
			const struct ir_rule *r =
				ir_ruleset__rule_c(mg->rs, run[i].pos);

			if (same_class(rep, r, mg->f))
				buf[k++] = run[i].pos;
			else
				run[rest++] = run[i];
		}
		if (k > 1)
			err = plan_class(mg, buf, k);
		left = rest;
	}
	return err;
}

static int apply_plan(struct merge *mg)
{
	size_t i;
	int err = 0;

	for (i = 0; i < mg->n_plan && !err; i++) {
		struct iv *v = &mg->plan[i];
		struct ir_rule *r = ir_ruleset__rule(mg->rs, v->pos);
		struct ir_match m;
		uint32_t p;

		set_interval(&m, mg->f, v->lo, v->hi);
		*(struct ir_match *)ir_rule__find(r, mg->f) = m;
		for (p = v->head; p != UINT32_MAX && !err; p = mg->next[p]) {
			if (p == v->pos)
				continue;
			err = pass_prov_merge(&r->prov,
					      &ir_ruleset__rule(mg->rs, p)->prov);
			mg->alive[p] = false;
		}
		mg->changed = true;
	}
	mg->n_plan = 0;
	return err;
}

static int merge_field(struct merge *mg, enum ir_field_id f, struct ment *ms,
		       uint32_t *buf)
{
	size_t i, j, k = 0, n = ir_ruleset__count(mg->rs);
	u128 lo, hi;
	int err = 0;

	mg->f = f;
	mg->ranges = range_field(f);
	for (i = 0; i < n; i++) {
		const struct ir_rule *r = ir_ruleset__rule_c(mg->rs, i);
		const struct ir_match *m = ir_rule__find(r, f);

		if (!mg->alive[i] || !m || !interval128(m, &lo, &hi))
			continue;
		ms[k].h = class_hash(r, f);
		ms[k++].pos = i;
	}
	qsort(ms, k, sizeof(*ms), cmp_ment);
	for (i = 0; i < k && !err; i = j) {
		for (j = i + 1; j < k && ms[j].h == ms[i].h; j++)
			;
		if (j - i > 1)
			err = plan_hash_run(mg, ms + i, j - i, buf);
	}
	return err ?: apply_plan(mg);
}

static int rebuild_index(struct merge *mg)
{
	pass_index__free(mg->idx);
	mg->idx = pass_index__new(mg->rs);
	return mg->idx ? 0 : -ENOMEM;
}

static int merge_round(struct merge *mg, struct ment *ms, uint32_t *buf)
{
	size_t i, n = ir_ruleset__count(mg->rs);
	enum ir_field_id f;
	int err = 0;

	for (i = 0; i < n; i++)
		mg->alive[i] = true;
	err = rebuild_index(mg);
	for (f = 0; f < IR_F__COUNT && !err; f++) {
		bool was = mg->changed;

		mg->changed = false;
		err = merge_field(mg, f, ms, buf);
		if (!err && mg->changed && pass_index__field(mg->idx) == f)
			err = rebuild_index(mg);
		mg->changed |= was;
	}
	return err ?: pass_keep(mg->rs, mg->alive);
}

int lift_pass_merge(struct ir_ruleset *rs, const struct lift_opts *opts,
		    struct lift_stats *st, char *err, size_t errsz)
{
	size_t n = ir_ruleset__count(rs);
	struct merge mg = { .rs = rs, .total = pass_index__budget(n),
			    .query = n > CHECK_BUDGET ? n : CHECK_BUDGET };
	struct ment *ms = malloc((n + 1) * sizeof(*ms));
	uint32_t *buf = malloc((n + 1) * sizeof(*buf));
	bool any = false;
	int ret = 0, round;

	mg.alive = malloc((n + 1) * sizeof(*mg.alive));
	mg.next = malloc((n + 1) * sizeof(*mg.next));
	if (!ms || !buf || !mg.alive || !mg.next)
		ret = -ENOMEM;
	for (round = 0; round < MAX_ROUNDS && !ret; round++) {
		mg.changed = false;
		ret = merge_round(&mg, ms, buf);
		any |= mg.changed;
		if (!mg.changed)
			break;
	}
	if (!ret && mg.cut) {
		ret = pass_note_budget(rs, "merge", mg.cut, mg.queries,
				       "those rules were not merged");
		any = true;
	}
	if (ret < 0)
		snprintf(err, errsz, "merge: %s", strerror(-ret));
	pass_index__free(mg.idx);
	free(mg.plan);
	free(mg.stk);
	free(mg.alive);
	free(mg.next);
	free(ms);
	free(buf);
	return ret < 0 ? ret : any;
}
