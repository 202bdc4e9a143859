// SPDX-License-Identifier: Apache-2.0
/*
 * pass_index.c - which earlier or later rules may overlap a rule.
 *
 * Shadowing, redundancy and priority assignment all ask "which rules may
 * overlap this one"; asking every rule is quadratic, and 100k rules from a
 * hash map is a normal size. Rules that match one field exactly with
 * different values are disjoint, so the index buckets the set by the field
 * that splits it best (fewest expected candidates); a rule exact on that
 * field meets only its bucket and the rules not exact on it. Callers carry a
 * budget and fall back to a safe answer when it runs out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/pass.h"

struct idx_ent {
	struct ir_val v;
	uint32_t pos;
};

struct pass_index {
	enum ir_field_id field; /* IR_F__COUNT: no bucketing */
	size_t n;               /* rules */
	struct idx_ent *ents;   /* exact on field, by (value, pos) */
	size_t n_ents;
	uint32_t *wild;         /* not exact on field, ascending */
	size_t n_wild;
};

static size_t cmp_bytes; /* qsort has no context argument */

static int cmp_ent(const void *a, const void *b)
{
	const struct idx_ent *x = a, *y = b;
	int c = memcmp(x->v.b, y->v.b, cmp_bytes);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Exact entries of field f, sorted; returns the count. */
static size_t collect(const struct ir_ruleset *rs, enum ir_field_id f,
		      struct idx_ent *ents)
{
	size_t i, k = 0, n = ir_ruleset__count(rs);

	for (i = 0; i < n; i++) {
		const struct ir_match *m =
			ir_rule__find(ir_ruleset__rule_c(rs, i), f);

		if (!m || m->kind != IR_MATCH_MASK || !pass_match_is_exact(m))
			continue;
		ents[k].v = m->key;
		ents[k].pos = i;
		k++;
	}
	cmp_bytes = ir_field__bytes(f);
	qsort(ents, k, sizeof(*ents), cmp_ent);
	return k;
}

/* Expected candidate visits over all queries if bucketing by f. */
static double score(const struct idx_ent *ents, size_t k, size_t n,
		    size_t bytes)
{
	double s = (double)(n - k) * n + (double)k * (n - k);
	size_t i = 0, j;

	while (i < k) {
		for (j = i + 1; j < k && !memcmp(ents[j].v.b, ents[i].v.b,
						 bytes); j++)
			;
		s += (double)(j - i) * (j - i);
		i = j;
	}
	return s;
}

static int build(struct pass_index *idx, const struct ir_ruleset *rs,
		 struct idx_ent *tmp)
{
	double best = (double)idx->n * idx->n;
	enum ir_field_id f;
	size_t i, k, w = 0;

	idx->field = IR_F__COUNT;
	for (f = 0; f < IR_F__COUNT; f++) {
		double s;

		k = collect(rs, f, tmp);
		if (!k)
			continue;
		s = score(tmp, k, idx->n, ir_field__bytes(f));
		if (s < best) {
			best = s;
			idx->field = f;
		}
	}
	if (idx->field == IR_F__COUNT)
		return 0;
	k = collect(rs, idx->field, idx->ents);
	idx->n_ents = k;
	idx->wild = malloc((idx->n - k + 1) * sizeof(*idx->wild));
	if (!idx->wild)
		return -ENOMEM;
	for (i = 0; i < idx->n; i++) {
		const struct ir_match *m = ir_rule__find(
			ir_ruleset__rule_c(rs, i), idx->field);

		if (!m || m->kind != IR_MATCH_MASK || !pass_match_is_exact(m))
			idx->wild[w++] = i;
	}
	idx->n_wild = w;
	return 0;
}

struct pass_index *pass_index__new(const struct ir_ruleset *rs)
{
	struct pass_index *idx = calloc(1, sizeof(*idx));
	struct idx_ent *tmp = NULL;
	int err = -ENOMEM;

	if (!idx)
		return NULL;
	idx->n = ir_ruleset__count(rs);
	idx->ents = malloc((idx->n + 1) * sizeof(*idx->ents));
	tmp = malloc((idx->n + 1) * sizeof(*tmp));
	if (idx->ents && tmp)
		err = build(idx, rs, tmp);
	free(tmp);
	if (err) {
		pass_index__free(idx);
		errno = -err;
		return NULL;
	}
	return idx;
}

void pass_index__free(struct pass_index *idx)
{
	if (!idx)
		return;
	free(idx->ents);
	free(idx->wild);
	free(idx);
}

enum ir_field_id pass_index__field(const struct pass_index *idx)
{
	return idx->field;
}

/* First entry >= (v, pos). */
static size_t ent_lower(const struct pass_index *idx, const struct ir_val *v,
			size_t pos, size_t bytes)
{
	size_t lo = 0, hi = idx->n_ents;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct idx_ent *e = &idx->ents[mid];
		int c = memcmp(e->v.b, v->b, bytes);

		if (c < 0 || (!c && e->pos < pos))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t wild_lower(const struct pass_index *idx, size_t pos)
{
	size_t lo = 0, hi = idx->n_wild;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (idx->wild[mid] < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int visit(size_t pos, pass_index_fn fn, void *arg, uint64_t *budget)
{
	if (!*budget)
		return -E2BIG;
	(*budget)--;
	return fn(pos, arg);
}

int pass_index__foreach(const struct pass_index *idx, const struct ir_rule *r,
			size_t from, size_t to, pass_index_fn fn, void *arg,
			uint64_t *budget)
{
	const struct ir_match *m = NULL;
	size_t e, w, bytes, pos;
	int ret;

	if (to > idx->n)
		to = idx->n;
	if (idx->field != IR_F__COUNT)
		m = ir_rule__find(r, idx->field);
	if (!m || m->kind != IR_MATCH_MASK || !pass_match_is_exact(m)) {
		for (pos = from; pos < to; pos++)
			if ((ret = visit(pos, fn, arg, budget)))
				return ret;
		return 0;
	}
	bytes = ir_field__bytes(idx->field);
	e = ent_lower(idx, &m->key, from, bytes);
	w = wild_lower(idx, from);
	for (;;) {
		bool e_ok = e < idx->n_ents && idx->ents[e].pos < to &&
			    !memcmp(idx->ents[e].v.b, m->key.b, bytes);
		bool w_ok = w < idx->n_wild && idx->wild[w] < to;

		if (!e_ok && !w_ok)
			return 0;
		if (e_ok && (!w_ok || idx->ents[e].pos < idx->wild[w]))
			pos = idx->ents[e++].pos;
		else
			pos = idx->wild[w++];
		if ((ret = visit(pos, fn, arg, budget)))
			return ret;
	}
}
