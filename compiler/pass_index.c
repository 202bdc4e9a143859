// SPDX-License-Identifier: Apache-2.0
/*
 * pass_index.c - which earlier or later rules may overlap a rule.
 *
 * Shadowing, redundancy and priority assignment all ask "which rules may
 * overlap this one"; asking every rule is quadratic, and 100k rules from a
 * hash map or an LPM trie is a normal size. Rules whose sets of values on
 * one field are disjoint are disjoint, so the index picks the field that
 * splits the set best (fewest expected candidates) and files every rule
 * under its value set on that field as prefixes: an exact value is a full
 * length prefix, a prefix mask is itself, a range is cut into at most
 * MAX_PIECES prefixes. Prefixes are laminar (two are nested or disjoint),
 * so the rules a query interval [lo, hi] may meet are those filed under a
 * prefix that starts inside [lo, hi] (one run of the sorted prefixes) or
 * that contains lo (its ancestors: one lookup per prefix length in use),
 * plus the rules that cannot be filed ("wild": no match on the field, the
 * whole field, a non-prefix mask, a range of too many pieces). A rule that
 * cannot be queried (no match on the field, a non-prefix mask) meets every
 * rule. Candidates come out in ascending position from a heap over
 * position-sorted runs, so callers still see first-match order and stop
 * early. Each entry also carries the rule's intervals on the next best
 * fields (N_SEC of them), so that rules disjoint from the query there are
 * skipped without reading the rule or spending budget (a rule set split
 * by prefix, then port, then IPv4 header length is common). Callers carry
 * a budget and fall back to a safe answer when it runs out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/pass.h"

typedef unsigned __int128 u128;

#define MAX_PIECES 32     /* a range cut into more prefixes is wild */
#define MAX_WIDTH 128
#define STACK_SRCS 64     /* heap sources without a malloc */
#define SAMPLE 4096       /* rules looked at to choose the field */
#define N_SEC 2           /* secondary fields kept next to positions */

/* One prefix a rule is filed under (while building). */
struct piece {
	u128 lo, hi;
	uint32_t pos;
};

/* A filed rule: its position and its intervals on the secondary fields
 * (the whole field if it has none), to skip it without reading it. */
struct ent {
	uint32_t pos;
	uint64_t lo[N_SEC], hi[N_SEC];
};

/* Rules filed under one prefix; their entries are pos[first, end). */
struct grp {
	u128 lo, hi;
	uint32_t first, end;
};

struct pass_index {
	enum ir_field_id field; /* IR_F__COUNT: no index */
	unsigned int width;     /* of field */
	size_t n;               /* rules */
	struct grp *grps;       /* by (lo, hi descending) */
	size_t n_grps;
	struct ent *pos;        /* by group, ascending within one */
	struct ent *wild;       /* not filed, ascending */
	size_t n_wild;
	bool has_len[MAX_WIDTH + 1]; /* prefix lengths in use */
	enum ir_field_id sec[N_SEC]; /* next best fields (<= 64 bits) */
	unsigned int n_sec;
};

/* r's intervals on the secondary fields. */
static void sec_bounds(const struct pass_index *idx, const struct ir_rule *r,
		       uint64_t *lo, uint64_t *hi)
{
	unsigned int i;

	for (i = 0; i < N_SEC; i++) {
		const struct ir_match *m = NULL;

		if (i < idx->n_sec)
			m = ir_rule__find(r, idx->sec[i]);
		if (!m || !pass_match_interval(m, &lo[i], &hi[i])) {
			lo[i] = 0;
			hi[i] = UINT64_MAX;
		}
	}
}

static void ent_set(const struct pass_index *idx, const struct ir_ruleset *rs,
		    struct ent *e, size_t pos)
{
	e->pos = pos;
	sec_bounds(idx, ir_ruleset__rule_c(rs, pos), e->lo, e->hi);
}

static u128 field_max(unsigned int w)
{
	return w >= 128 ? ~(u128)0 : ((u128)1 << w) - 1;
}

static u128 val128(const struct ir_val *v, enum ir_field_id f)
{
	size_t i, n = ir_field__bytes(f);
	u128 x = 0;

	for (i = 0; i < n; i++)
		x = (x << 8) | v->b[i];
	return x;
}

/* The match's value set as one interval, if it is one. */
static bool interval(const struct ir_match *m, unsigned int w, u128 *lo,
		     u128 *hi)
{
	u128 key, mask;

	if (m->kind == IR_MATCH_RANGE) {
		*lo = m->lo;
		*hi = m->hi;
		return m->lo <= m->hi;
	}
	if (pass_mask_plen(m->field, &m->mask) < 0)
		return false;
	key = val128(&m->key, m->field);
	mask = val128(&m->mask, m->field);
	*lo = key & mask;
	*hi = *lo | (~mask & field_max(w));
	return true;
}

/* Size - 1 of the largest prefix block starting at lo within [lo, hi]. */
static u128 block_span(u128 lo, u128 hi, unsigned int w)
{
	u128 span = 0;

	while (span != field_max(w)) {
		u128 next = (span << 1) | 1;

		if ((lo & next) || lo + next > hi || lo + next < lo)
			break;
		span = next;
	}
	return span;
}

/* Cut [lo, hi] into prefixes; the count, or -1 if more than max. */
static int cut(u128 lo, u128 hi, unsigned int w, struct piece *out,
	       int max)
{
	int k = 0;

	for (;;) {
		u128 span = block_span(lo, hi, w);

		if (k == max)
			return -1;
		out[k].lo = lo;
		out[k++].hi = lo + span;
		if (lo + span >= hi)
			return k;
		lo += span + 1;
	}
}

/* Pieces rule r is filed under on field f: count, 0 if wild. */
static int pieces_of(const struct ir_rule *r, enum ir_field_id f,
		     unsigned int w, struct piece *out)
{
	const struct ir_match *m = ir_rule__find(r, f);
	u128 lo, hi;
	int k;

	if (!m || !interval(m, w, &lo, &hi))
		return 0;
	if (lo == 0 && hi == field_max(w))
		return 0;
	if (lo == hi || m->kind == IR_MATCH_MASK) {
		out[0].lo = lo;
		out[0].hi = hi;
		return 1;
	}
	k = cut(lo, hi, w, out, MAX_PIECES);
	return k < 0 ? 0 : k;
}

static int cmp_piece(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Pieces on f of s rules spread evenly over the set (all of them when s is
 * the count), sorted; *n_wild counts the rules left out. */
static struct piece *collect(const struct ir_ruleset *rs, enum ir_field_id f,
			     size_t s, size_t *n_pieces, size_t *n_wild)
{
	size_t i, t, k = 0, cap = 0, n = ir_ruleset__count(rs);
	unsigned int w = ir_field__get(f)->width;
	struct piece tmp[MAX_PIECES], *p = NULL;

	*n_wild = 0;
	for (t = 0; t < s; t++) {
		int j, c;

		i = s == n ? t : (size_t)((double)t * n / s);
		c = pieces_of(ir_ruleset__rule_c(rs, i), f, w, tmp);

		if (!c)
			(*n_wild)++;
		if (k + c > cap) {
			struct piece *q;

			cap = (k + c) * 2 + 16;
			q = realloc(p, cap * sizeof(*p));
			if (!q) {
				free(p);
				return NULL;
			}
			p = q;
		}
		for (j = 0; j < c; j++) {
			p[k] = tmp[j];
			p[k++].pos = i;
		}
	}
	if (!p)
		p = malloc(sizeof(*p));
	if (p)
		qsort(p, k, sizeof(*p), cmp_piece);
	*n_pieces = k;
	return p;
}

/* Expected candidate visits over all queries if indexing by f: every rule
 * meets the wild ones, and the rules filed under equal or nested
 * prefixes meet each other. */
static double score(const struct piece *p, size_t k, size_t n,
		    size_t n_wild)
{
	double s = (double)n_wild * n + (double)(n - n_wild) * n_wild;
	struct { u128 hi; double size; } stk[MAX_WIDTH + 2];
	double above = 0;
	size_t i = 0, j, top = 0;

	while (i < k) {
		for (j = i + 1; j < k && p[j].lo == p[i].lo &&
				p[j].hi == p[i].hi; j++)
			;
		while (top && stk[top - 1].hi < p[i].lo)
			above -= stk[--top].size;
		s += (double)(j - i) * (j - i) + 2.0 * (j - i) * above;
		if (top <= MAX_WIDTH) {
			stk[top].hi = p[i].hi;
			stk[top++].size = (double)(j - i);
			above += (double)(j - i);
		}
		i = j;
	}
	return s;
}

static int fill(struct pass_index *idx, const struct ir_ruleset *rs,
		const struct piece *p, size_t k)
{
	size_t i, g = 0;

	idx->grps = malloc((k + 1) * sizeof(*idx->grps));
	idx->pos = malloc((k + 1) * sizeof(*idx->pos));
	if (!idx->grps || !idx->pos)
		return -ENOMEM;
	for (i = 0; i < k; i++) {
		if (!i || p[i].lo != p[i - 1].lo || p[i].hi != p[i - 1].hi) {
			u128 size = p[i].hi - p[i].lo + 1;
			unsigned int len = idx->width;

			for (; size > 1; size >>= 1)
				len--;
			idx->has_len[len] = true;
			idx->grps[g].lo = p[i].lo;
			idx->grps[g].hi = p[i].hi;
			idx->grps[g++].first = i;
		}
		idx->grps[g - 1].end = i + 1;
		ent_set(idx, rs, &idx->pos[i], p[i].pos);
	}
	idx->n_grps = g;
	return 0;
}

static int fill_wild(struct pass_index *idx, const struct ir_ruleset *rs,
		     size_t n_wild)
{
	struct piece tmp[MAX_PIECES];
	size_t i, w = 0;

	idx->wild = malloc((n_wild + 1) * sizeof(*idx->wild));
	if (!idx->wild)
		return -ENOMEM;
	for (i = 0; i < idx->n; i++)
		if (!pieces_of(ir_ruleset__rule_c(rs, i), idx->field,
			       idx->width, tmp))
			ent_set(idx, rs, &idx->wild[w++], i);
	idx->n_wild = w;
	return 0;
}

/* The secondary fields: the best after the index's, of at most 64 bits,
 * that split the set at all. */
static void pick_sec(struct pass_index *idx, double *sc, double none)
{
	enum ir_field_id f, b;

	sc[idx->field] = none;
	for (idx->n_sec = 0; idx->n_sec < N_SEC; idx->n_sec++) {
		for (f = 0, b = IR_F__COUNT; f < IR_F__COUNT; f++)
			if (sc[f] < none && ir_field__get(f)->width <= 64 &&
			    (b == IR_F__COUNT || sc[f] < sc[b]))
				b = f;
		if (b == IR_F__COUNT)
			return;
		idx->sec[idx->n_sec] = b;
		sc[b] = none;
	}
}

/* The field is chosen on a sample of SAMPLE rules: choosing is then
 * linear in the fields, and a poor choice costs time, never soundness. */
static int build(struct pass_index *idx, const struct ir_ruleset *rs)
{
	size_t k, n_wild, sample = idx->n < SAMPLE ? idx->n : SAMPLE;
	double best = (double)sample * sample, sc[IR_F__COUNT];
	struct piece *p;
	enum ir_field_id f;
	int err;

	idx->field = IR_F__COUNT;
	for (f = 0; f < IR_F__COUNT; f++) {
		double s;

		sc[f] = best;
		if (ir_field__get(f)->width > MAX_WIDTH)
			continue;
		p = collect(rs, f, sample, &k, &n_wild);
		if (!p)
			return -ENOMEM;
		s = k ? score(p, k, sample, n_wild) : best;
		sc[f] = k ? s : (double)sample * sample;
		free(p);
		if (s < best) {
			best = s;
			idx->field = f;
		}
	}
	if (idx->field == IR_F__COUNT)
		return 0;
	idx->width = ir_field__get(idx->field)->width;
	pick_sec(idx, sc, (double)sample * sample);
	p = collect(rs, idx->field, idx->n, &k, &n_wild);
	if (!p)
		return -ENOMEM;
	err = fill(idx, rs, p, k);
	free(p);
	return err ?: fill_wild(idx, rs, n_wild);
}

struct pass_index *pass_index__new(const struct ir_ruleset *rs)
{
	struct pass_index *idx = calloc(1, sizeof(*idx));
	int err;

	if (!idx)
		return NULL;
	idx->n = ir_ruleset__count(rs);
	err = build(idx, rs);
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
	free(idx->grps);
	free(idx->pos);
	free(idx->wild);
	free(idx);
}

enum ir_field_id pass_index__field(const struct pass_index *idx)
{
	return idx->field;
}

/* First group with (lo, hi) >= (lo, hi) in (lo, hi descending) order. */
static size_t grp_lower(const struct pass_index *idx, u128 lo, u128 hi)
{
	size_t a = 0, b = idx->n_grps;

	while (a < b) {
		size_t mid = a + (b - a) / 2;
		const struct grp *g = &idx->grps[mid];

		if (g->lo < lo || (g->lo == lo && g->hi > hi))
			a = mid + 1;
		else
			b = mid;
	}
	return a;
}

/* First entry of the ascending run [p, end) at or after from. */
static const struct ent *run_lower(const struct ent *p, const struct ent *end,
				   size_t from)
{
	while (p < end) {
		const struct ent *mid = p + (end - p) / 2;

		if (mid->pos < from)
			p = mid + 1;
		else
			end = mid;
	}
	return p;
}

/* Ascending runs of positions, merged through a min-heap. */
struct run {
	const struct ent *p, *end;
};

struct merger {
	struct run *h;
	size_t n, cap;
	struct run stack[STACK_SRCS];
	uint64_t lo[N_SEC], hi[N_SEC]; /* the query's secondary intervals */
};

/* May the entry's rule meet the query on every secondary field? */
static bool sec_meets(const struct merger *mg, const struct ent *e)
{
	unsigned int i;

	for (i = 0; i < N_SEC; i++)
		if (e->lo[i] > mg->hi[i] || mg->lo[i] > e->hi[i])
			return false;
	return true;
}

static void sift_down(struct merger *mg, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, s = i;
		struct run t;

		if (l < mg->n && mg->h[l].p->pos < mg->h[s].p->pos)
			s = l;
		if (l + 1 < mg->n && mg->h[l + 1].p->pos < mg->h[s].p->pos)
			s = l + 1;
		if (s == i)
			return;
		t = mg->h[i];
		mg->h[i] = mg->h[s];
		mg->h[s] = t;
		i = s;
	}
}

static int add_run(struct merger *mg, const struct ent *p,
		   const struct ent *end, size_t from)
{
	p = run_lower(p, end, from);
	if (p == end)
		return 0;
	if (mg->n == mg->cap) {
		size_t cap = mg->cap * 2;
		struct run *h;

		if (mg->h == mg->stack) {
			h = malloc(cap * sizeof(*h));
			if (h)
				memcpy(h, mg->stack, sizeof(mg->stack));
		} else {
			h = realloc(mg->h, cap * sizeof(*h));
		}
		if (!h)
			return -ENOMEM;
		mg->h = h;
		mg->cap = cap;
	}
	mg->h[mg->n].p = p;
	mg->h[mg->n++].end = end;
	return 0;
}

static int add_grp(struct merger *mg, const struct pass_index *idx,
		   size_t g, size_t from)
{
	return add_run(mg, idx->pos + idx->grps[g].first,
		       idx->pos + idx->grps[g].end, from);
}

/* Runs of every rule filed under a prefix that meets [lo, hi] (cover:
 * only under one that contains lo, as every rule that contains [lo, hi]
 * is, the rest of its value set being ancestors' or pieces of its own). */
static int add_candidates(struct merger *mg, const struct pass_index *idx,
			  u128 lo, u128 hi, size_t from, bool cover)
{
	unsigned int len;
	size_t g;
	int ret;

	for (len = 0; len <= idx->width; len++) {
		u128 host = field_max(idx->width - len), plo = lo & ~host;

		if (!idx->has_len[len] || (plo == lo && !cover))
			continue;
		g = grp_lower(idx, plo, plo | host);
		if (g < idx->n_grps && idx->grps[g].lo == plo &&
		    idx->grps[g].hi == (plo | host) &&
		    (ret = add_grp(mg, idx, g, from)))
			return ret;
	}
	for (g = grp_lower(idx, lo, field_max(idx->width)); !cover &&
	     g < idx->n_grps && idx->grps[g].lo <= hi; g++)
		if ((ret = add_grp(mg, idx, g, from)))
			return ret;
	return add_run(mg, idx->wild, idx->wild + idx->n_wild, from);
}

static int visit(size_t pos, pass_index_fn fn, void *arg, uint64_t *budget)
{
	if (!*budget)
		return -E2BIG;
	(*budget)--;
	return fn(pos, arg);
}

static int merge_visit(struct merger *mg, size_t to, pass_index_fn fn,
		       void *arg, uint64_t *budget)
{
	size_t i, last = SIZE_MAX;
	int ret;

	for (i = mg->n / 2; i-- > 0;)
		sift_down(mg, i);
	while (mg->n && mg->h[0].p->pos < to) {
		const struct ent *e = mg->h[0].p;
		size_t pos = e->pos;

		if (++mg->h[0].p == mg->h[0].end)
			mg->h[0] = mg->h[--mg->n];
		sift_down(mg, 0);
		/* Once per rule (a range is filed under several prefixes),
		 * and only if it may meet the query on every field known. */
		if (pos == last || !sec_meets(mg, e))
			continue;
		last = pos;
		if ((ret = visit(pos, fn, arg, budget)))
			return ret;
	}
	return 0;
}

/* Every position in [from, to), for a query the index cannot narrow. */
static int scan(size_t from, size_t to, pass_index_fn fn, void *arg,
		uint64_t *budget)
{
	size_t pos;
	int ret;

	for (pos = from; pos < to; pos++)
		if ((ret = visit(pos, fn, arg, budget)))
			return ret;
	return 0;
}

static int foreach(const struct pass_index *idx, const struct ir_rule *r,
		   size_t from, size_t to, pass_index_fn fn, void *arg,
		   uint64_t *budget, bool cover)
{
	struct merger mg = { .cap = STACK_SRCS };
	const struct ir_match *m = NULL;
	bool whole;
	u128 lo, hi;
	int ret;

	if (to > idx->n)
		to = idx->n;
	if (idx->field == IR_F__COUNT)
		return scan(from, to, fn, arg, budget);
	m = ir_rule__find(r, idx->field);
	if (m && !interval(m, idx->width, &lo, &hi))
		return scan(from, to, fn, arg, budget);
	whole = !m || (!lo && hi == field_max(idx->width));
	if (whole && !cover)
		return scan(from, to, fn, arg, budget);
	mg.h = mg.stack;
	sec_bounds(idx, r, mg.lo, mg.hi);
	/* A rule that contains the whole field is not filed: wild. */
	ret = whole ? add_run(&mg, idx->wild, idx->wild + idx->n_wild, from)
		    : add_candidates(&mg, idx, lo, hi, from, cover);
	ret = ret ?: merge_visit(&mg, to, fn, arg, budget);
	if (mg.h != mg.stack)
		free(mg.h);
	return ret;
}

int pass_index__foreach(const struct pass_index *idx, const struct ir_rule *r,
			size_t from, size_t to, pass_index_fn fn, void *arg,
			uint64_t *budget)
{
	return foreach(idx, r, from, to, fn, arg, budget, false);
}

int pass_index__foreach_cover(const struct pass_index *idx,
			      const struct ir_rule *r, size_t from, size_t to,
			      pass_index_fn fn, void *arg, uint64_t *budget)
{
	return foreach(idx, r, from, to, fn, arg, budget, true);
}

uint64_t pass_index__budget(size_t n)
{
	uint64_t b = (uint64_t)n * 64;

	return b > (32ull << 20) ? b : 32ull << 20;
}
