// SPDX-License-Identifier: Apache-2.0
/*
 * pass_shadow.c - drop rules that never decide a packet's verdict.
 *
 * In first-match order:
 *  - shadowed: every packet of R matches an earlier rule (one earlier rule
 *    contains R, or earlier rules that differ from R in one field only
 *    together cover R's values on it);
 *  - redundant slowpath: no later non-slowpath rule overlaps R, so without
 *    R its packets still reach the slow path;
 *  - redundant: a later rule with R's action contains R and no rule in
 *    between that overlaps R has another action.
 * Each removal keeps the set's meaning, so they compose. Candidate rules
 * come from the index (for "shadowed", only the rules that may contain R,
 * unless R's union cover is on the index's own field). A query may visit
 * the whole set (a catch-all rule at the end asks about every rule before
 * it), and the pass has pass_index__budget() visits in all: a query over
 * budget keeps the rule and a note says so.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/pass.h"


struct shadow {
	struct ir_ruleset *rs;
	const struct pass_index *idx;
	bool *alive;
	uint64_t total;          /* visits left for the whole pass */
	uint64_t query;          /* at most this many per query */
	size_t cut, queries;     /* queries over budget, of all */
	const struct ir_rule *r; /* the rule asked about */
	/* Union cover: intervals on one field of earlier rules equal to r
	 * elsewhere. */
	enum ir_field_id uf;
	uint64_t *lo, *hi;
	size_t n_iv;
	size_t cap_iv;
};

static int cmp_u64_pair(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Do the collected intervals cover [lo, hi]? */
static bool union_covers(struct shadow *s, uint64_t lo, uint64_t hi)
{
	uint64_t *pairs, reach = lo;
	bool ok = false;
	size_t i;

	if (!s->n_iv)
		return false;
	pairs = malloc(s->n_iv * 2 * sizeof(*pairs));
	if (!pairs)
		return false;
	for (i = 0; i < s->n_iv; i++) {
		pairs[2 * i] = s->lo[i];
		pairs[2 * i + 1] = s->hi[i];
	}
	qsort(pairs, s->n_iv, 2 * sizeof(*pairs), cmp_u64_pair);
	for (i = 0; i < s->n_iv; i++) {
		if (pairs[2 * i] > reach)
			break;
		if (pairs[2 * i + 1] >= hi) {
			ok = true;
			break;
		}
		if (pairs[2 * i + 1] + 1 > reach)
			reach = pairs[2 * i + 1] + 1;
	}
	free(pairs);
	return ok;
}

/* Earlier rule c differs from r on field uf only: remember its interval. */
static void collect_interval(struct shadow *s, const struct ir_rule *c)
{
	const struct ir_match *m = ir_rule__find(c, s->uf);
	uint64_t lo, hi, *l, *h;

	if (!m || !pass_match_interval(m, &lo, &hi) ||
	    !pass_matches_eq_except(c, s->r, s->uf))
		return;
	if (s->n_iv == s->cap_iv) {
		size_t cap = s->cap_iv ? 2 * s->cap_iv : 16;

		l = realloc(s->lo, cap * sizeof(*l));
		if (!l)
			return;
		s->lo = l;
		h = realloc(s->hi, cap * sizeof(*h));
		if (!h)
			return;
		s->hi = h;
		s->cap_iv = cap;
	}
	s->lo[s->n_iv] = lo;
	s->hi[s->n_iv++] = hi;
}

static int earlier_cb(size_t pos, void *arg)
{
	struct shadow *s = arg;
	const struct ir_rule *c = ir_ruleset__rule_c(s->rs, pos);

	if (!s->alive[pos])
		return 0;
	if (pass_rule_covers(c, s->r))
		return 1;
	if (s->uf != IR_F__COUNT)
		collect_interval(s, c);
	return 0;
}

/* A field on which r has an interval match: the union-cover candidate. */
static enum ir_field_id union_field(const struct ir_rule *r)
{
	uint64_t lo, hi;
	uint32_t i;

	for (i = r->n_matches; i-- > 0;)
		if (pass_match_interval(&r->matches[i], &lo, &hi))
			return r->matches[i].field;
	return IR_F__COUNT;
}

/* A query's budget, from what is left of the pass's. */
static bool take_budget(struct shadow *s, uint64_t *budget)
{
	*budget = s->total < s->query ? s->total : s->query;
	s->total -= *budget;
	return *budget > 0;
}

static void give_back(struct shadow *s, uint64_t left)
{
	s->total += left;
}

static bool shadowed(struct shadow *s, size_t i)
{
	uint64_t budget, lo, hi;
	int ret;

	s->queries++;
	if (!take_budget(s, &budget)) {
		s->cut++;
		return false;
	}
	s->r = ir_ruleset__rule_c(s->rs, i);
	s->uf = union_field(s->r);
	s->n_iv = 0;
	if (s->uf != IR_F__COUNT && s->uf == pass_index__field(s->idx))
		ret = pass_index__foreach(s->idx, s->r, 0, i, earlier_cb, s,
					  &budget);
	else
		ret = pass_index__foreach_cover(s->idx, s->r, 0, i, earlier_cb,
						s, &budget);
	give_back(s, budget);
	if (ret == 1)
		return true;
	s->cut += ret == -E2BIG;
	if (ret < 0 || s->uf == IR_F__COUNT)
		return false;
	pass_match_interval(ir_rule__find(s->r, s->uf), &lo, &hi);
	return union_covers(s, lo, hi);
}

/* Later rules, ascending: 1 redundant, 2 needed. */
static int later_cb(size_t pos, void *arg)
{
	struct shadow *s = arg;
	const struct ir_rule *c = ir_ruleset__rule_c(s->rs, pos);
	bool same = pass_action_eq(&c->action, &s->r->action);

	if (!s->alive[pos] || !pass_rules_overlap(c, s->r))
		return 0;
	if (s->r->action.verdict == IR_ACT_SLOWPATH)
		return c->action.verdict == IR_ACT_SLOWPATH ? 0 : 2;
	if (same && pass_rule_covers(c, s->r))
		return 1;
	return same ? 0 : 2;
}

static bool redundant(struct shadow *s, size_t i, size_t n)
{
	uint64_t budget;
	int ret;

	s->queries++;
	if (!take_budget(s, &budget)) {
		s->cut++;
		return false;
	}
	s->r = ir_ruleset__rule_c(s->rs, i);
	ret = pass_index__foreach(s->idx, s->r, i + 1, n, later_cb, s,
				  &budget);
	give_back(s, budget);
	s->cut += ret == -E2BIG;
	if (ret == 0)
		/* Nothing later overlaps: only a slowpath rule may go. */
		return s->r->action.verdict == IR_ACT_SLOWPATH;
	return ret == 1;
}

int lift_pass_shadow(struct ir_ruleset *rs, const struct lift_opts *opts,
		     struct lift_stats *st, char *err, size_t errsz)
{
	size_t i, n = ir_ruleset__count(rs), kept = 0;
	struct shadow s = { .rs = rs, .total = pass_index__budget(n),
			    .query = n > 4096 ? n : 4096 };
	int ret = 0;

	s.alive = malloc((n + 1) * sizeof(*s.alive));
	s.idx = pass_index__new(rs);
	if (!s.alive || !s.idx) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		s.alive[i] = true;
	for (i = 0; i < n; i++)
		if (shadowed(&s, i))
			s.alive[i] = false;
	for (i = n; i-- > 0;)
		if (s.alive[i] && redundant(&s, i, n))
			s.alive[i] = false;
	for (i = 0; i < n; i++)
		kept += s.alive[i];
	if (kept != n)
		ret = pass_keep(rs, s.alive);
	ret = ret ?: pass_note_budget(rs, "shadow", s.cut, s.queries,
				      "those rules were kept");
	if (!ret && (kept != n || s.cut))
		ret = 1;
out:
	if (ret < 0)
		snprintf(err, errsz, "shadow: %s", strerror(-ret));
	free(s.lo);
	free(s.hi);
	free(s.alive);
	pass_index__free((struct pass_index *)s.idx);
	return ret;
}
