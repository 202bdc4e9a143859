// SPDX-License-Identifier: Apache-2.0
/*
 * ir_diff.c - semantic difference of two rule sets: the regions of packet
 * space whose verdict changes, each with a witness frame.
 *
 * Both rule sets are first turned into "cubes": conjunctions of key/mask
 * and range matches in priority order, each naming its rule, followed by a
 * catch-all slow-path cube. A range stays one range (meta.len=34-65535 is
 * one cube, not ten prefixes) unless some rule masks the same field with a
 * mask that is not a prefix; only then are that field's ranges expanded to
 * prefix blocks, so that on every field a cube's values are either a
 * key/mask or an interval (a range, or a prefix seen as its block), and
 * intersection, containment and difference stay exact. The packets decided by cube a in
 * A and cube b in B are exactly (a & b) minus every earlier cube of A and
 * of B; where a and b act differently and that set is not empty, it is a
 * difference. Carving the earlier cubes out of a & b decides whether it is
 * empty and where to take a witness; the region is reported once per pair
 * of rules as their intersection minus the earlier rules that overlap it,
 * named (see struct pend). Which cubes can
 * overlap is answered by a per-rule-set index on one field (the one most
 * rules match by prefix), so that two rule sets of 100k rules are not
 * compared pairwise. Renumbered priorities, reordered disjoint rules and
 * merged or split prefixes therefore show no difference. Regions are over
 * packets whose matched headers are present; a witness frame is dissected
 * again and re-evaluated on both sides before it is reported.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir_internal.h"

#define DIFF_MAX_PIECES 4096 /* carving work per pair, then sampling */
#define DIFF_SAMPLES 256

struct cube {
	struct ir_rule r; /* MASK matches only; r.prio = rule index */
};

struct cubes {
	struct cube *c;
	size_t n, cap;
	const struct ir_ruleset *rs;
};

struct pentry {
	struct ir_val key;
	unsigned int plen;
	uint32_t cube;
};

/* Index over one field: prefix matches sorted by key, the rest always
 * candidates. */
struct index {
	enum ir_field_id f;
	struct pentry *p;
	size_t np;
	uint32_t *wild;
	size_t nw;
	bool has_plen[IR_VAL_MAX * 8 + 1]; /* prefix lengths present */
};

/* Fields whose ranges are expanded to prefixes (see the top). */
struct expand {
	bool f[IR_F__COUNT];
};

struct ir_diff {
	struct ir_diff_region *r;
	size_t n, cap, max;
	bool truncated;
	enum ir_dissector d;
	const struct ir_ruleset *a, *b;
	uint64_t rng;
};

bool ir_action__equal(const struct ir_action *x, const struct ir_action *y)
{
	if (x->verdict != y->verdict || x->n_rewrites != y->n_rewrites)
		return false;
	if (x->verdict == IR_ACT_REDIRECT &&
	    (x->ifindex != y->ifindex || x->ingress != y->ingress))
		return false;
	for (unsigned int i = 0; i < x->n_rewrites; i++) {
		const struct ir_rewrite *p = &x->rewrites[i];
		const struct ir_rewrite *q = &y->rewrites[i];

		if (p->kind != q->kind)
			return false;
		if (p->kind == IR_RW_VLAN_PUSH &&
		    (p->vid != q->vid || p->pcp != q->pcp ||
		     p->proto != q->proto))
			return false;
		if (p->kind == IR_RW_SET_FIELD &&
		    (p->field != q->field || memcmp(&p->val, &q->val, sizeof(p->val)) ||
		     memcmp(&p->mask, &q->mask, sizeof(p->mask))))
			return false;
	}
	return true;
}

static int cubes_push(struct cubes *cs, const struct ir_rule *r)
{
	if (cs->n == cs->cap) {
		size_t ncap = cs->cap ? cs->cap * 2 : 64;
		struct cube *nc = realloc(cs->c, ncap * sizeof(*nc));

		if (!nc)
			return -ENOMEM;
		cs->c = nc;
		cs->cap = ncap;
	}
	cs->c[cs->n].r = *r;
	cs->c[cs->n].r.prov = (struct ir_prov){ .path = -1 };
	cs->n++;
	return 0;
}

/* Largest aligned block starting at lo within [lo, hi]: its prefix. */
static int expand_range(struct cubes *cs, const struct ir_rule *r, size_t mi)
{
	const struct ir_match *m = &r->matches[mi];
	unsigned int w = ir_field__get(m->field)->width;
	uint64_t lo = m->lo, hi = m->hi;
	struct ir_rule piece;
	int err;

	for (;;) {
		unsigned int bits = 0;

		while (bits < w && !(lo & ((2ull << bits) - 1)) &&
		       lo + ((2ull << bits) - 1) <= hi)
			bits++;
		piece = *r;
		piece.matches[mi].kind = IR_MATCH_MASK;
		memset(&piece.matches[mi].key, 0, sizeof(struct ir_val) * 2);
		ir_val__from_u64(&piece.matches[mi].key, m->field, lo);
		ir_val__prefix_mask(&piece.matches[mi].mask, m->field,
				    w - bits);
		err = cubes_push(cs, &piece);
		if (err || lo + ((1ull << bits) - 1) >= hi)
			return err;
		lo += 1ull << bits;
	}
}

static bool is_range(const struct ir_match *m)
{
	return m && m->kind == IR_MATCH_RANGE;
}

/* Mark the fields that some rule of rs matches by range (bit 0) and some
 * by a mask that is not a prefix (bit 1). */
static void field_kinds(const struct ir_ruleset *rs, uint8_t *kinds)
{
	for (size_t i = 0; i < ir_ruleset__count(rs); i++) {
		const struct ir_rule *r = ir_ruleset__rule_c(rs, i);

		for (size_t k = 0; k < r->n_matches; k++) {
			const struct ir_match *m = &r->matches[k];

			if (is_range(m))
				kinds[m->field] |= 1;
			else if (ir_val__plen(&m->mask, m->field) < 0)
				kinds[m->field] |= 2;
		}
	}
}

static void expand_init(struct expand *x, const struct ir_ruleset *a,
			const struct ir_ruleset *b)
{
	uint8_t kinds[IR_F__COUNT] = { 0 };

	field_kinds(a, kinds);
	field_kinds(b, kinds);
	for (int f = 0; f < IR_F__COUNT; f++)
		x->f[f] = kinds[f] == 3;
}

static int cubes_build(struct cubes *cs, const struct ir_ruleset *rs,
		       const struct expand *x)
{
	struct ir_rule any;
	int err = 0;

	cs->rs = rs;
	for (size_t i = 0; i < ir_ruleset__count(rs) && !err; i++) {
		struct ir_rule r = *ir_ruleset__rule_c(rs, i);
		size_t ranges = 0, at = 0;

		r.prio = (uint32_t)i;
		for (size_t k = 0; k < r.n_matches; k++)
			if (is_range(&r.matches[k]) &&
			    x->f[r.matches[k].field])
				ranges++, at = k;
		if (ranges == 0) {
			err = cubes_push(cs, &r);
		} else if (ranges == 1) {
			err = expand_range(cs, &r, at);
		} else {
			/* Expand one range at a time through a scratch set. */
			struct cubes tmp = { 0 };

			err = expand_range(&tmp, &r, at);
			for (size_t k = 0; k < tmp.n && !err; k++) {
				struct ir_rule *t = &tmp.c[k].r;
				size_t j;

				for (j = 0; j < t->n_matches; j++)
					if (is_range(&t->matches[j]) &&
					    x->f[t->matches[j].field])
						break;
				err = expand_range(cs, t, j);
			}
			free(tmp.c);
		}
	}
	ir_rule__init(&any);
	any.prio = (uint32_t)ir_ruleset__count(rs);
	any.action.verdict = IR_ACT_SLOWPATH;
	return err ?: cubes_push(cs, &any);
}

/* The values of m on field f as an interval: a range as it is, a prefix
 * as its block, no match as the whole field. Only for fields that some
 * cube matches by range, where every mask is a prefix. */
static void interval(const struct ir_match *m, enum ir_field_id f,
		     uint64_t *lo, uint64_t *hi)
{
	if (!m) {
		*lo = 0;
		*hi = ir_field__max(f);
	} else if (is_range(m)) {
		*lo = m->lo;
		*hi = m->hi;
	} else {
		*lo = ir_val__u64(&m->key, f);
		*hi = *lo | (ir_field__max(f) & ~ir_val__u64(&m->mask, f));
	}
}

static bool overlap(const struct ir_rule *x, const struct ir_rule *y)
{
	for (size_t i = 0; i < x->n_matches; i++) {
		const struct ir_match *mx = &x->matches[i];
		const struct ir_match *my = ir_rule__find(y, mx->field);
		uint64_t xl, xh, yl, yh;

		if (!my)
			continue;
		if (is_range(mx) || is_range(my)) {
			interval(mx, mx->field, &xl, &xh);
			interval(my, mx->field, &yl, &yh);
			if (xl > yh || yl > xh)
				return false;
			continue;
		}
		for (size_t b = 0; b < IR_VAL_MAX; b++)
			if ((mx->key.b[b] ^ my->key.b[b]) & mx->mask.b[b] &
			    my->mask.b[b])
				return false;
	}
	return true;
}

static int pentry_cmp(const void *x, const void *y)
{
	const struct pentry *p = x, *q = y;
	int c = memcmp(&p->key, &q->key, sizeof(p->key));

	if (c)
		return c;
	return p->plen < q->plen ? -1 : p->plen > q->plen;
}

/* Distinct prefixes that cubes use on field f: a good index field splits
 * the rules into many small groups (eth.type, on which every rule agrees,
 * is a bad one however often it is matched). */
static size_t distinct_prefixes(const struct cubes *cs, enum ir_field_id f,
				struct pentry *tmp)
{
	size_t n = 0, d = 0;

	for (size_t i = 0; i < cs->n; i++) {
		const struct ir_match *m = ir_rule__find(&cs->c[i].r, f);
		int plen = m && !is_range(m) ? ir_val__plen(&m->mask, f) : 0;

		if (plen > 0)
			tmp[n++] = (struct pentry){ m->key, (unsigned)plen, 0 };
	}
	qsort(tmp, n, sizeof(*tmp), pentry_cmp);
	for (size_t i = 0; i < n; i++)
		if (!i || pentry_cmp(&tmp[i - 1], &tmp[i]))
			d++;
	return d;
}

static int index_build(struct index *ix, const struct cubes *cs)
{
	bool used[IR_F__COUNT] = { false };
	size_t best = 0;

	memset(ix, 0, sizeof(*ix));
	ix->p = calloc(cs->n + 1, sizeof(*ix->p));
	ix->wild = calloc(cs->n + 1, sizeof(*ix->wild));
	if (!ix->p || !ix->wild)
		return -ENOMEM;
	for (size_t i = 0; i < cs->n; i++)
		for (size_t k = 0; k < cs->c[i].r.n_matches; k++)
			used[cs->c[i].r.matches[k].field] = true;
	for (int f = 0; f < IR_F__COUNT; f++) {
		size_t d = used[f] ? distinct_prefixes(cs, (enum ir_field_id)f,
						       ix->p) : 0;

		if (d > best)
			best = d, ix->f = (enum ir_field_id)f;
	}
	for (size_t i = 0; i < cs->n; i++) {
		const struct ir_match *m = ir_rule__find(&cs->c[i].r, ix->f);
		int plen = m && !is_range(m) ? ir_val__plen(&m->mask, ix->f)
					     : 0;

		if (best && plen > 0) {
			ix->p[ix->np++] = (struct pentry){ m->key, (unsigned)plen,
							   (uint32_t)i };
			ix->has_plen[plen] = true;
		} else
			ix->wild[ix->nw++] = (uint32_t)i;
	}
	qsort(ix->p, ix->np, sizeof(*ix->p), pentry_cmp);
	return 0;
}

static void index_free(struct index *ix)
{
	free(ix->p);
	free(ix->wild);
}

static size_t lower_bound(const struct index *ix, const struct ir_val *key,
			  unsigned int plen)
{
	struct pentry want = { .key = *key, .plen = plen };
	size_t lo = 0, hi = ix->np;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pentry_cmp(&ix->p[mid], &want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int u32_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

struct idlist {
	uint32_t *v;
	size_t n, cap;
	size_t uniq; /* v[0..uniq) sorted and unique (see add_rules) */
};

static int idlist_push(struct idlist *l, uint32_t id)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		uint32_t *nv = realloc(l->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n++] = id;
	return 0;
}

/* Prefixes before 'limit' that overlap the range m: those holding m->lo,
 * and those starting inside it (keys sort as numbers). */
static int range_query(const struct index *ix, const struct ir_match *m,
		       uint32_t limit, struct idlist *out)
{
	unsigned int w = ir_field__get(ix->f)->width;
	struct ir_val k, hi, pm;
	size_t at;
	int err = 0;

	ir_val__from_u64(&k, ix->f, m->lo);
	for (unsigned int l = 1; l <= w && !err; l++) {
		struct ir_val kl;

		if (!ix->has_plen[l])
			continue;
		ir_val__prefix_mask(&pm, ix->f, l);
		for (size_t b = 0; b < IR_VAL_MAX; b++)
			kl.b[b] = k.b[b] & pm.b[b];
		if (!memcmp(&kl, &k, sizeof(k)))
			continue; /* starts at lo: found below */
		at = lower_bound(ix, &kl, l);
		for (; at < ix->np && !err && ix->p[at].plen == l &&
		       !memcmp(&ix->p[at].key, &kl, sizeof(kl)); at++)
			if (ix->p[at].cube < limit)
				err = idlist_push(out, ix->p[at].cube);
	}
	ir_val__from_u64(&hi, ix->f, m->hi);
	for (at = lower_bound(ix, &k, 0); at < ix->np && !err &&
	     memcmp(&ix->p[at].key, &hi, sizeof(hi)) <= 0; at++)
		if (ix->p[at].cube < limit)
			err = idlist_push(out, ix->p[at].cube);
	return err;
}

/* Cubes of cs before 'limit' that overlap q, ascending. */
static int index_query(const struct index *ix, const struct cubes *cs,
		       const struct ir_rule *q, uint32_t limit,
		       struct idlist *out)
{
	const struct ir_match *m = ir_rule__find(q, ix->f);
	int qlen = m && !is_range(m) ? ir_val__plen(&m->mask, ix->f) : 0;
	int err = 0;

	out->n = 0;
	for (size_t i = 0; i < ix->nw && !err; i++)
		if (ix->wild[i] < limit)
			err = idlist_push(out, ix->wild[i]);
	if (is_range(m))
		err = err ?: range_query(ix, m, limit, out);
	else if (qlen < 0)
		qlen = 0; /* a non-prefix mask: every prefix may overlap */
	/* Shorter prefixes containing q's. */
	for (int l = 1; l < qlen && !err; l++) {
		struct ir_val k, pm;
		size_t at;

		if (!ix->has_plen[l])
			continue;
		ir_val__prefix_mask(&pm, ix->f, (unsigned)l);
		for (size_t b = 0; b < IR_VAL_MAX; b++)
			k.b[b] = m->key.b[b] & pm.b[b];
		at = lower_bound(ix, &k, (unsigned)l);
		for (; at < ix->np && !err && ix->p[at].plen == (unsigned)l &&
		       !memcmp(&ix->p[at].key, &k, sizeof(k)); at++)
			if (ix->p[at].cube < limit)
				err = idlist_push(out, ix->p[at].cube);
	}
	/* Prefixes at least as long, inside q's. */
	if (is_range(m)) {
		/* done above */
	} else if (qlen == 0) {
		for (size_t i = 0; i < ix->np && !err; i++)
			if (ix->p[i].cube < limit)
				err = idlist_push(out, ix->p[i].cube);
	} else {
		struct ir_val pm;
		size_t at = lower_bound(ix, &m->key, 0);

		ir_val__prefix_mask(&pm, ix->f, (unsigned)qlen);
		for (; at < ix->np && !err; at++) {
			const struct pentry *p = &ix->p[at];
			bool inside = true;

			for (size_t b = 0; b < IR_VAL_MAX; b++)
				if ((p->key.b[b] ^ m->key.b[b]) & pm.b[b])
					inside = false;
			if (!inside)
				break;
			if (p->plen >= (unsigned)qlen && p->cube < limit)
				err = idlist_push(out, p->cube);
		}
	}
	if (err)
		return err;
	if (out->n) /* qsort(NULL, 0) is undefined (UBSan) */
		qsort(out->v, out->n, sizeof(*out->v), u32_cmp);
	/* Keep only true overlaps. */
	size_t k = 0;
	for (size_t i = 0; i < out->n; i++)
		if (overlap(q, &cs->c[out->v[i]].r))
			out->v[k++] = out->v[i];
	out->n = k;
	return 0;
}

struct pieces {
	struct ir_rule *v;
	size_t n, cap;
};

static int pieces_push(struct pieces *p, const struct ir_rule *r)
{
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 16;
		struct ir_rule *nv = realloc(p->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		p->v = nv;
		p->cap = ncap;
	}
	p->v[p->n++] = *r;
	return 0;
}

/* rest & [lo, hi] on field f, appended to out when not empty. */
static int push_clipped(const struct ir_rule *rest, enum ir_field_id f,
			uint64_t lo, uint64_t hi, struct pieces *out)
{
	struct ir_rule piece = *rest;
	struct ir_match m;
	int ret;

	ir_match__range(&m, f, lo, hi);
	ret = ir_rule__and(&piece, &m);
	if (ret < 0)
		return ret;
	return ret ? 0 : pieces_push(out, &piece);
}

/* Append p minus e (they overlap) to out as disjoint cubes, field by field
 * of e: the part of what is left of p that e's match on the field
 * excludes, then what is left narrowed to it. An interval is cut into the
 * parts below and above e's; a mask bit by bit, for each bit e fixes and p
 * leaves open. */
static int subtract(const struct ir_rule *p, const struct ir_rule *e,
		    struct pieces *out)
{
	struct ir_rule rest = *p;

	for (size_t i = 0; i < e->n_matches; i++) {
		const struct ir_match *em = &e->matches[i];
		const struct ir_match *rm = ir_rule__find(&rest, em->field);
		size_t nb = ir_field__bytes(em->field);
		uint64_t pl, ph, el, eh;
		int err;

		if (is_range(em) || is_range(rm)) {
			struct ir_match cut;

			interval(rm, em->field, &pl, &ph);
			interval(em, em->field, &el, &eh);
			err = pl < el ? push_clipped(&rest, em->field, pl,
						     el - 1, out) : 0;
			err = err ?: ph > eh ? push_clipped(&rest, em->field,
							    eh + 1, ph, out)
					     : 0;
			if (err)
				return err;
			ir_match__range(&cut, em->field, el, eh);
			err = ir_rule__and(&rest, &cut);
			if (err)
				return err < 0 ? err : 0;
			continue;
		}
		for (size_t b = 0; b < nb; b++) {
			for (int bit = 7; bit >= 0; bit--) {
				const struct ir_match *pm =
					ir_rule__find(&rest, em->field);
				uint8_t m = (uint8_t)(1u << bit);
				struct ir_match one = { .field = em->field,
							.kind = IR_MATCH_MASK };
				struct ir_rule piece;

				if (!(em->mask.b[b] & m) ||
				    (pm && (pm->mask.b[b] & m)))
					continue;
				one.mask.b[b] = m;
				one.key.b[b] = (uint8_t)(~em->key.b[b] & m);
				piece = rest;
				err = ir_rule__and(&piece, &one);
				if (err < 0)
					return err;
				if (!err) {
					err = pieces_push(out, &piece);
					if (err)
						return err;
				}
				one.key.b[b] = em->key.b[b] & m;
				err = ir_rule__and(&rest, &one);
				if (err)
					return err < 0 ? err : 0;
			}
		}
	}
	return 0; /* what is left of p lies inside e */
}

/* Does cube e contain cube r? */
static bool contains(const struct ir_rule *e, const struct ir_rule *r)
{
	for (size_t i = 0; i < e->n_matches; i++) {
		const struct ir_match *em = &e->matches[i];
		const struct ir_match *rm = ir_rule__find(r, em->field);
		uint64_t el, eh, rl, rh;

		if (is_range(em) || is_range(rm)) {
			interval(em, em->field, &el, &eh);
			interval(rm, em->field, &rl, &rh);
			if (rl < el || rh > eh)
				return false;
			continue;
		}

		for (size_t b = 0; b < IR_VAL_MAX; b++) {
			uint8_t rmask = rm ? rm->mask.b[b] : 0;

			if ((em->mask.b[b] & ~rmask) ||
			    ((em->key.b[b] ^ (rm ? rm->key.b[b] : 0)) &
			     em->mask.b[b]))
				return false;
		}
	}
	return true;
}

/* R minus the earlier cubes; -E2BIG when it grows past the work bound. */
static int carve(const struct ir_rule *r, const struct cubes *ca,
		 const struct idlist *ea, const struct cubes *cb,
		 const struct idlist *eb, struct pieces *out)
{
	struct pieces cur = { 0 }, next = { 0 };
	int err;

	/* One earlier cube holding all of R (the same rule on the other
	 * side, typically) empties it before any fragmenting. */
	for (size_t k = 0; k < ea->n + eb->n; k++)
		if (contains(k < ea->n ? &ca->c[ea->v[k]].r
				       : &cb->c[eb->v[k - ea->n]].r, r)) {
			memset(out, 0, sizeof(*out));
			return 0;
		}
	err = pieces_push(&cur, r);

	for (size_t k = 0; k < ea->n + eb->n && !err && cur.n; k++) {
		const struct ir_rule *e = k < ea->n ? &ca->c[ea->v[k]].r
						    : &cb->c[eb->v[k - ea->n]].r;
		struct pieces t;

		next.n = 0;
		for (size_t i = 0; i < cur.n && !err; i++) {
			if (!overlap(&cur.v[i], e))
				err = pieces_push(&next, &cur.v[i]);
			else
				err = subtract(&cur.v[i], e, &next);
		}
		if (!err && next.n > DIFF_MAX_PIECES)
			err = -E2BIG;
		t = cur, cur = next, next = t;
	}
	free(next.v);
	if (err) {
		free(cur.v);
		return err;
	}
	*out = cur;
	return 0;
}

static uint64_t rnd(struct ir_diff *d)
{
	/* xorshift64*: witnesses are reproducible run to run. */
	d->rng ^= d->rng >> 12;
	d->rng ^= d->rng << 25;
	d->rng ^= d->rng >> 27;
	return d->rng * 0x2545f4914f6cdd1dull;
}

/* A point of cube r for the given attempt: constrained bits as r says,
 * open bits all zeros, then all ones, then random; a range's value at its
 * low end, then (each range on a coin toss) drawn from a window above it
 * that doubles per attempt (small values first: the frame length and the IPv4 header length
 * are ranges, and short, plain frames read best). Fields r leaves open
 * stay absent, so the synthesiser picks ordinary values for them. */
static void point_of(struct ir_diff *d, const struct ir_rule *r, int attempt,
		     struct ir_keys *k)
{
	int fill = attempt < 2 ? attempt : 2;

	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];
		struct ir_val full;

		k->present[m->field] = true;
		if (is_range(m)) {
			uint64_t span = m->hi - m->lo, x = m->lo;

			uint64_t win = 4ull << attempt;

			if (attempt && (rnd(d) & 1)) /* each on its own */
				x += rnd(d) % (span < win - 1 ? span + 1 : win);
			ir_val__from_u64(&k->v[m->field], m->field, x);
			continue;
		}
		ir_val__full(&full, m->field);
		for (size_t b = 0; b < IR_VAL_MAX; b++) {
			uint8_t open = (uint8_t)(full.b[b] & ~m->mask.b[b]);
			uint8_t v = fill == 0 ? 0 : fill == 1 ? 0xff
							      : (uint8_t)rnd(d);

			k->v[m->field].b[b] = (uint8_t)(m->key.b[b] | (v & open));
		}
	}
}

static long rule_index(const struct ir_ruleset *rs, const struct ir_rule *r)
{
	return r ? (long)(r - ir_ruleset__rule_c(rs, 0)) : -1;
}

static const struct ir_action slowpath = { .verdict = IR_ACT_SLOWPATH };

/* A frame in cube r that the two sets decide differently, into reg. */
static bool witness(struct ir_diff *d, const struct ir_rule *r,
		    struct ir_diff_region *reg)
{
	for (int attempt = 0; attempt < 2 + 8; attempt++) {
		struct ir_meta meta;
		struct ir_keys k, got;
		const struct ir_rule *ra, *rb;
		int len;

		point_of(d, r, attempt, &k);
		len = ir_keys__synth(&k, d->d, reg->frame, sizeof(reg->frame));
		if (len < 0)
			continue;
		meta.ifindex = (uint32_t)ir_val__u64(&k.v[IR_F_META_IFINDEX],
						     IR_F_META_IFINDEX);
		meta.mark = (uint32_t)ir_val__u64(&k.v[IR_F_META_MARK],
						  IR_F_META_MARK);
		ir_dissect(d->d, reg->frame, (size_t)len, &meta, &got);
		ra = ir_ruleset__eval(d->a, d->d, &got);
		rb = ir_ruleset__eval(d->b, d->d, &got);
		if (ir_action__equal(ra ? &ra->action : &slowpath,
				     rb ? &rb->action : &slowpath))
			continue;
		reg->frame_len = len;
		reg->keys = got;
		reg->meta = meta;
		reg->a_rule = rule_index(d->a, ra);
		reg->b_rule = rule_index(d->b, rb);
		reg->old_act = ra ? ra->action : slowpath;
		reg->new_act = rb ? rb->action : slowpath;
		return true;
	}
	return false;
}

/* Sort l and drop repeats. */
static void idlist_uniq(struct idlist *l)
{
	size_t k = 0;

	if (l->n) /* qsort(NULL, 0) is undefined */
		qsort(l->v, l->n, sizeof(*l->v), u32_cmp);
	for (size_t i = 0; i < l->n; i++)
		if (!k || l->v[k - 1] != l->v[i])
			l->v[k++] = l->v[i];
	l->n = l->uniq = k;
}

/* Add the rules of the cubes in l to the rule list out. Repeats are
 * dropped whenever the list has doubled since the last time (one pair of
 * rules can meet the same earlier rule in each of its cube pairs, and the
 * default rules of two LPM lists have every entry as an exception). */
static int add_rules(struct idlist *out, const struct cubes *cs,
		     const struct idlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		int err = idlist_push(out, cs->c[l->v[i]].r.prio);

		if (err)
			return err;
	}
	if (out->n > 2 * out->uniq + 64)
		idlist_uniq(out);
	return 0;
}

static void set_except(uint32_t *out, uint32_t *n, struct idlist *rules)
{
	idlist_uniq(rules);
	*n = (uint32_t)rules->n;
	for (size_t i = 0; i < rules->n && i < IR_DIFF_EXCEPT; i++)
		out[i] = rules->v[i];
}

/* The region two rules decide, described by the rules' own matches (ranges
 * kept) where they combine, else by one cube's. */
static void describe(const struct ir_diff *d, uint32_t ra, uint32_t rb,
		     const struct ir_rule *cube, struct ir_rule *out)
{
	const struct ir_rule *x = ra < ir_ruleset__count(d->a)
					  ? ir_ruleset__rule_c(d->a, ra) : NULL;
	const struct ir_rule *y = rb < ir_ruleset__count(d->b)
					  ? ir_ruleset__rule_c(d->b, rb) : NULL;

	ir_rule__init(out);
	for (size_t k = 0; x && k < x->n_matches; k++)
		if (ir_rule__and(out, &x->matches[k]))
			goto cube;
	for (size_t k = 0; y && k < y->n_matches; k++)
		if (ir_rule__and(out, &y->matches[k]))
			goto cube;
	return;
cube:
	*out = *cube;
	out->prov = (struct ir_prov){ .path = -1 };
}

static int push_region(struct ir_diff *d, const struct ir_diff_region *reg)
{
	if (d->n == d->max) {
		d->truncated = true;
		return 0;
	}
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		struct ir_diff_region *nr = realloc(d->r, ncap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		d->r = nr;
		d->cap = ncap;
	}
	d->r[d->n++] = *reg;
	return 0;
}

/*
 * One region per pair of rules (ra in A, rb in B) that decide some packet
 * differently: their intersection, minus the earlier rules of either set
 * that overlap it (those decide first), named rather than carved out (the
 * exact carving of one changed entry out of an LPM complement can be a
 * thousand cubes). A pair is gathered over all its cube pairs, since ra's
 * cubes come together: the exceptions are the union of theirs, and the
 * witness comes from the first cube pair with something left after
 * carving.
 */
struct pend {
	uint32_t rb;
	size_t at; /* its slot in struct pending */
	bool found;
	struct ir_rule cube; /* where the witness came from */
	struct ir_diff_region reg;
	struct idlist ea, eb; /* rule indexes */
};

struct pending {
	uint32_t ra;
	struct pend *v;
	size_t n, cap;
	uint32_t *slot; /* open addressing on rb: index + 1, 0 free */
	size_t n_slot;
};

static size_t slot_of(const struct pending *p, uint32_t rb)
{
	size_t i = (rb * 2654435761u) & (p->n_slot - 1);

	while (p->slot[i] && p->v[p->slot[i] - 1].rb != rb)
		i = (i + 1) & (p->n_slot - 1);
	return i;
}

static int pend_rehash(struct pending *p)
{
	size_t n = p->n_slot ? p->n_slot * 2 : 64;
	uint32_t *t = calloc(n, sizeof(*t));

	if (!t)
		return -ENOMEM;
	free(p->slot);
	p->slot = t;
	p->n_slot = n;
	for (size_t i = 0; i < p->n; i++) {
		p->v[i].at = slot_of(p, p->v[i].rb);
		p->slot[p->v[i].at] = (uint32_t)i + 1;
	}
	return 0;
}

static struct pend *pend_get(struct pending *p, uint32_t rb)
{
	size_t s;

	if ((p->n + 1) * 2 > p->n_slot && pend_rehash(p))
		return NULL;
	s = slot_of(p, rb);
	if (p->slot[s])
		return &p->v[p->slot[s] - 1];
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 8;
		struct pend *nv = realloc(p->v, ncap * sizeof(*nv));

		if (!nv)
			return NULL;
		p->v = nv;
		p->cap = ncap;
	}
	memset(&p->v[p->n], 0, sizeof(p->v[0]));
	p->v[p->n].rb = rb;
	p->v[p->n].at = s;
	p->slot[s] = (uint32_t)++p->n;
	return &p->v[p->n - 1];
}

/* Emit the finished pairs of rule p->ra. */
static int pend_flush(struct ir_diff *d, struct pending *p)
{
	int err = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct pend *q = &p->v[i];

		if (q->found && !err) {
			describe(d, p->ra, q->rb, &q->cube, &q->reg.match);
			set_except(q->reg.except_a, &q->reg.n_except_a, &q->ea);
			set_except(q->reg.except_b, &q->reg.n_except_b, &q->eb);
			err = push_region(d, &q->reg);
		}
		free(q->ea.v);
		free(q->eb.v);
	}
	/* clear the slots in use, not the table: flushed once per rule */
	for (size_t i = 0; i < p->n; i++)
		p->slot[p->v[i].at] = 0;
	p->n = 0;
	return err;
}

static int diff_pair(struct ir_diff *d, const struct cubes *ca,
		     const struct index *ia, uint32_t a, const struct cubes *cb,
		     const struct index *ib, uint32_t b, struct idlist *ea,
		     struct idlist *eb, struct pend *q)
{
	struct ir_rule r = ca->c[a].r;
	struct pieces left = { 0 };
	int err;

	for (size_t k = 0; k < cb->c[b].r.n_matches; k++)
		if (ir_rule__and(&r, &cb->c[b].r.matches[k]) != 0)
			return 0;
	err = index_query(ia, ca, &r, a, ea) ?: index_query(ib, cb, &r, b, eb);
	err = err ?: add_rules(&q->ea, ca, ea) ?: add_rules(&q->eb, cb, eb);
	if (err || q->found)
		return err;
	err = carve(&r, ca, ea, cb, eb, &left);
	if (err == -E2BIG) {
		/* too fragmented to carve: sample the intersection */
		q->found = witness(d, &r, &q->reg);
		q->reg.approx = true;
		err = 0;
	}
	for (size_t i = 0; i < left.n && i < 64 && !q->found; i++)
		q->found = witness(d, &left.v[i], &q->reg);
	free(left.v);
	if (q->found)
		q->cube = r;
	return err;
}

int ir_diff(const struct ir_ruleset *a, const struct ir_ruleset *b,
	    enum ir_dissector dis, size_t max_regions, struct ir_diff **out)
{
	struct cubes ca = { 0 }, cb = { 0 };
	struct index ia = { 0 }, ib = { 0 };
	struct idlist cand = { 0 }, ea = { 0 }, eb = { 0 };
	struct pending pend = { 0 };
	struct expand x;
	struct ir_diff *d = calloc(1, sizeof(*d));
	int err;

	if (!d)
		return -ENOMEM;
	d->d = dis;
	d->a = a;
	d->b = b;
	d->max = max_regions ? max_regions : 1000;
	d->rng = 0x9e3779b97f4a7c15ull;
	expand_init(&x, a, b);
	err = cubes_build(&ca, a, &x) ?: cubes_build(&cb, b, &x);
	err = err ?: index_build(&ia, &ca) ?: index_build(&ib, &cb);
	for (uint32_t i = 0; i < ca.n && !err && !d->truncated; i++) {
		uint32_t ra = ca.c[i].r.prio;
		const struct ir_action *act;

		if (i && ra != pend.ra)
			err = pend_flush(d, &pend);
		pend.ra = ra;
		act = ra < ir_ruleset__count(a)
			      ? &ir_ruleset__rule_c(a, ra)->action : &slowpath;
		err = err ?: index_query(&ib, &cb, &ca.c[i].r, (uint32_t)cb.n,
					 &cand);
		for (size_t k = 0; k < cand.n && !err; k++) {
			uint32_t j = cand.v[k], rb = cb.c[j].r.prio;
			const struct ir_action *bct =
				rb < ir_ruleset__count(b)
					? &ir_ruleset__rule_c(b, rb)->action
					: &slowpath;
			struct pend *q;

			if (ir_action__equal(act, bct))
				continue;
			q = pend_get(&pend, rb);
			err = q ? diff_pair(d, &ca, &ia, i, &cb, &ib, j, &ea,
					    &eb, q)
				: -ENOMEM;
		}
	}
	err = err ?: pend_flush(d, &pend);
	if (err)
		pend_flush(d, &pend); /* frees */
	free(pend.v);
	free(pend.slot);
	free(cand.v);
	free(ea.v);
	free(eb.v);
	index_free(&ia);
	index_free(&ib);
	free(ca.c);
	free(cb.c);
	if (err) {
		ir_diff__free(d);
		return err;
	}
	*out = d;
	return 0;
}

size_t ir_diff__count(const struct ir_diff *d)
{
	return d->n;
}

const struct ir_diff_region *ir_diff__region(const struct ir_diff *d,
					     size_t i)
{
	return i < d->n ? &d->r[i] : NULL;
}

bool ir_diff__truncated(const struct ir_diff *d)
{
	return d->truncated;
}

void ir_diff__free(struct ir_diff *d)
{
	if (!d)
		return;
	free(d->r);
	free(d);
}
