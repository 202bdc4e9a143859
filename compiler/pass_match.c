// SPDX-License-Identifier: Apache-2.0
/*
 * pass_match.c - match and rule algebra for the IR passes.
 *
 * Every answer errs on the safe side for its callers: "may overlap" is true
 * when unsure (a pass then keeps rules apart), "contains" is false when
 * unsure (a pass then keeps the rule). Containment is per field: a rule
 * covers another only if it matches no field the other leaves open, which
 * holds under both absent-as-zero (flower) and absent-never-matches (nft)
 * dissector semantics.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/pass.h"

static unsigned int field_width(enum ir_field_id f)
{
	const struct ir_field *fd = ir_field__get(f);

	return fd ? fd->width : 0;
}

void pass_field_mask(enum ir_field_id f, struct ir_val *m)
{
	size_t n = ir_field__bytes(f);
	unsigned int pad = n * 8 - field_width(f);

	memset(m, 0, sizeof(*m));
	if (!n)
		return;
	memset(m->b, 0xff, n);
	m->b[0] = 0xff >> pad;
}

uint64_t pass_field_max(enum ir_field_id f)
{
	unsigned int w = field_width(f);

	return w >= 64 ? UINT64_MAX : (1ull << w) - 1;
}

bool pass_val_eq(const struct ir_val *a, const struct ir_val *b, size_t n)
{
	return !memcmp(a->b, b->b, n);
}

int pass_mask_plen(enum ir_field_id f, const struct ir_val *m)
{
	size_t n = ir_field__bytes(f);
	unsigned int w = field_width(f), pad = n * 8 - w, i;
	int plen = -1;

	for (i = 0; i < w; i++) {
		unsigned int bit = i + pad;
		bool one = m->b[bit / 8] & (0x80 >> (bit % 8));

		if (one && plen >= 0)
			return -1;
		if (!one && plen < 0)
			plen = i;
	}
	return plen < 0 ? (int)w : plen;
}

bool pass_match_is_exact(const struct ir_match *m)
{
	struct ir_val full;

	if (m->kind == IR_MATCH_RANGE)
		return m->lo == m->hi;
	pass_field_mask(m->field, &full);
	return pass_val_eq(&m->mask, &full, ir_field__bytes(m->field));
}

bool pass_match_is_any(const struct ir_match *m)
{
	size_t i, n = ir_field__bytes(m->field);

	if (m->kind == IR_MATCH_RANGE)
		return m->lo == 0 && m->hi >= pass_field_max(m->field);
	for (i = 0; i < n; i++)
		if (m->mask.b[i])
			return false;
	return true;
}

bool pass_match_accepts_zero(const struct ir_match *m)
{
	size_t i, n = ir_field__bytes(m->field);

	if (m->kind == IR_MATCH_RANGE)
		return m->lo == 0;
	for (i = 0; i < n; i++)
		if (m->key.b[i])
			return false;
	return true;
}

bool pass_match_interval(const struct ir_match *m, uint64_t *lo,
			 uint64_t *hi)
{
	uint64_t key, mask, max = pass_field_max(m->field);

	if (field_width(m->field) > 64)
		return false;
	if (m->kind == IR_MATCH_RANGE) {
		*lo = m->lo;
		*hi = m->hi;
		return true;
	}
	if (pass_mask_plen(m->field, &m->mask) < 0)
		return false;
	key = ir_val__u64(&m->key, m->field);
	mask = ir_val__u64(&m->mask, m->field);
	*lo = key & mask;
	*hi = (key & mask) | (~mask & max);
	return true;
}

void pass_match_from_interval(struct ir_match *m, enum ir_field_id f,
			      uint64_t lo, uint64_t hi)
{
	uint64_t size = hi - lo + 1;

	memset(m, 0, sizeof(*m));
	if (lo == hi) {
		ir_match__exact(m, f, lo);
		return;
	}
	if (size && !(size & (size - 1)) && !(lo & (size - 1))) {
		uint64_t mask = pass_field_max(f) & ~(size - 1);

		m->field = f;
		m->kind = IR_MATCH_MASK;
		ir_val__from_u64(&m->key, f, lo);
		ir_val__from_u64(&m->mask, f, mask);
		return;
	}
	ir_match__range(m, f, lo, hi);
}

/* Smallest and largest value a mask match accepts (<= 64-bit fields). */
static void mask_bounds(const struct ir_match *m, uint64_t *lo, uint64_t *hi)
{
	uint64_t key = ir_val__u64(&m->key, m->field);
	uint64_t mask = ir_val__u64(&m->mask, m->field);

	*lo = key & mask;
	*hi = (key & mask) | (~mask & pass_field_max(m->field));
}

bool pass_match_overlap(const struct ir_match *a, const struct ir_match *b)
{
	uint64_t alo, ahi, blo, bhi;
	size_t i, n = ir_field__bytes(a->field);

	if (a->field != b->field)
		return true;
	if (a->kind == IR_MATCH_MASK && b->kind == IR_MATCH_MASK) {
		for (i = 0; i < n; i++)
			if ((a->key.b[i] ^ b->key.b[i]) & a->mask.b[i] &
			    b->mask.b[i])
				return false;
		return true;
	}
	if (field_width(a->field) > 64)
		return true;
	if (!pass_match_interval(a, &alo, &ahi))
		mask_bounds(a, &alo, &ahi);
	if (!pass_match_interval(b, &blo, &bhi))
		mask_bounds(b, &blo, &bhi);
	/* Exact for intervals; for a non-prefix mask only its hull. */
	return alo <= bhi && blo <= ahi;
}

bool pass_match_contains(const struct ir_match *outer,
			 const struct ir_match *inner)
{
	uint64_t olo, ohi, ilo, ihi;
	size_t i, n = ir_field__bytes(outer->field);

	if (outer->field != inner->field)
		return false;
	if (pass_match_is_any(outer))
		return true;
	if (outer->kind == IR_MATCH_MASK && inner->kind == IR_MATCH_MASK) {
		for (i = 0; i < n; i++) {
			if (outer->mask.b[i] & ~inner->mask.b[i])
				return false;
			if ((outer->key.b[i] ^ inner->key.b[i]) &
			    outer->mask.b[i])
				return false;
		}
		return true;
	}
	if (field_width(outer->field) > 64)
		return false;
	if (!pass_match_interval(inner, &ilo, &ihi))
		mask_bounds(inner, &ilo, &ihi);
	if (pass_match_interval(outer, &olo, &ohi))
		return olo <= ilo && ihi <= ohi;
	/* Outer is a non-prefix mask: only a single value is easy. */
	if (ilo != ihi)
		return false;
	return (ilo & ir_val__u64(&outer->mask, outer->field)) ==
	       ir_val__u64(&outer->key, outer->field);
}

bool pass_match_eq(const struct ir_match *a, const struct ir_match *b)
{
	size_t n = ir_field__bytes(a->field);

	if (a->field != b->field || a->kind != b->kind)
		return false;
	if (a->kind == IR_MATCH_RANGE)
		return a->lo == b->lo && a->hi == b->hi;
	return pass_val_eq(&a->key, &b->key, n) &&
	       pass_val_eq(&a->mask, &b->mask, n);
}

static uint64_t mix(uint64_t h, uint64_t x)
{
	h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

static uint64_t mix_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = mix(h, p[i]);
	return h;
}

uint64_t pass_match_hash(const struct ir_match *m, uint64_t h)
{
	size_t n = ir_field__bytes(m->field);

	h = mix(h, ((uint64_t)m->field << 8) | m->kind);
	if (m->kind == IR_MATCH_RANGE)
		return mix(mix(h, m->lo), m->hi);
	h = mix_bytes(h, m->key.b, n);
	return mix_bytes(h, m->mask.b, n);
}

static bool rewrite_eq(const struct ir_rewrite *a, const struct ir_rewrite *b)
{
	size_t n;

	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case IR_RW_VLAN_PUSH:
		return a->vid == b->vid && a->proto == b->proto &&
		       a->pcp == b->pcp;
	case IR_RW_VLAN_POP:
		return true;
	case IR_RW_SET_FIELD:
		n = ir_field__bytes(a->field);
		return a->field == b->field &&
		       pass_val_eq(&a->val, &b->val, n) &&
		       pass_val_eq(&a->mask, &b->mask, n);
	}
	return false;
}

bool pass_action_eq(const struct ir_action *a, const struct ir_action *b)
{
	unsigned int i;

	if (a->verdict != b->verdict || a->n_rewrites != b->n_rewrites)
		return false;
	if (a->verdict == IR_ACT_REDIRECT &&
	    (a->ifindex != b->ifindex || a->ingress != b->ingress))
		return false;
	for (i = 0; i < a->n_rewrites; i++)
		if (!rewrite_eq(&a->rewrites[i], &b->rewrites[i]))
			return false;
	return true;
}

uint64_t pass_action_hash(const struct ir_action *a, uint64_t h)
{
	unsigned int i;

	h = mix(h, a->verdict);
	if (a->verdict == IR_ACT_REDIRECT)
		h = mix(mix(h, a->ifindex), a->ingress);
	h = mix(h, a->n_rewrites);
	for (i = 0; i < a->n_rewrites; i++)
		h = mix(mix(h, a->rewrites[i].kind), a->rewrites[i].field);
	return h;
}

static void by_field(const struct ir_rule *r,
		     const struct ir_match *tab[IR_F__COUNT])
{
	uint32_t i;

	memset(tab, 0, sizeof(*tab) * IR_F__COUNT);
	for (i = 0; i < r->n_matches; i++)
		if (r->matches[i].field < IR_F__COUNT)
			tab[r->matches[i].field] = &r->matches[i];
}

bool pass_rules_overlap(const struct ir_rule *a, const struct ir_rule *b)
{
	const struct ir_match *tab[IR_F__COUNT];
	uint32_t i;

	by_field(a, tab);
	for (i = 0; i < b->n_matches; i++) {
		const struct ir_match *m = &b->matches[i];

		if (m->field < IR_F__COUNT && tab[m->field] &&
		    !pass_match_overlap(tab[m->field], m))
			return false;
	}
	return true;
}

bool pass_rule_covers(const struct ir_rule *outer,
		      const struct ir_rule *inner)
{
	const struct ir_match *tab[IR_F__COUNT];
	uint32_t i;

	by_field(inner, tab);
	for (i = 0; i < outer->n_matches; i++) {
		const struct ir_match *m = &outer->matches[i];

		if (m->field >= IR_F__COUNT || !tab[m->field] ||
		    !pass_match_contains(m, tab[m->field]))
			return false;
	}
	return true;
}

bool pass_matches_eq(const struct ir_rule *a, const struct ir_rule *b)
{
	const struct ir_match *tab[IR_F__COUNT];
	uint32_t i;

	if (a->n_matches != b->n_matches)
		return false;
	by_field(a, tab);
	for (i = 0; i < b->n_matches; i++) {
		const struct ir_match *m = &b->matches[i];

		if (m->field >= IR_F__COUNT || !tab[m->field] ||
		    !pass_match_eq(tab[m->field], m))
			return false;
	}
	return true;
}

bool pass_matches_eq_except(const struct ir_rule *a, const struct ir_rule *b,
			    enum ir_field_id skip)
{
	const struct ir_match *tab[IR_F__COUNT];
	uint32_t i, na = 0, nb = 0;

	by_field(a, tab);
	for (i = 0; i < a->n_matches; i++)
		na += a->matches[i].field != skip;
	for (i = 0; i < b->n_matches; i++) {
		const struct ir_match *m = &b->matches[i];

		if (m->field == skip)
			continue;
		nb++;
		if (m->field >= IR_F__COUNT || !tab[m->field] ||
		    !pass_match_eq(tab[m->field], m))
			return false;
	}
	return na == nb;
}

uint64_t pass_matches_hash(const struct ir_rule *r, enum ir_field_id skip)
{
	uint64_t h = 0;
	uint32_t i;

	/* Order-independent: a sum of per-match hashes. */
	for (i = 0; i < r->n_matches; i++)
		if (r->matches[i].field != skip)
			h += pass_match_hash(&r->matches[i], 0x5bd1e995);
	return mix(h, r->n_matches - (ir_rule__find(r, skip) ? 1 : 0));
}

void pass_rule_drop_match(struct ir_rule *r, enum ir_field_id f)
{
	uint32_t i;

	for (i = 0; i < r->n_matches; i++) {
		if (r->matches[i].field != f)
			continue;
		memmove(&r->matches[i], &r->matches[i + 1],
			(r->n_matches - i - 1) * sizeof(r->matches[0]));
		r->n_matches--;
		return;
	}
}

static int cmp_range(const void *a, const void *b)
{
	const struct ir_insn_range *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->last < y->last ? -1 : x->last > y->last;
}

int pass_prov_merge(struct ir_prov *dst, const struct ir_prov *src)
{
	uint32_t i, n;
	void *p;

	if (dst->path != src->path)
		dst->path = -1;
	if (src->n_ranges) {
		p = realloc(dst->ranges, (dst->n_ranges + src->n_ranges) *
						 sizeof(*dst->ranges));
		if (!p)
			return -ENOMEM;
		dst->ranges = p;
		memcpy(dst->ranges + dst->n_ranges, src->ranges,
		       src->n_ranges * sizeof(*src->ranges));
		dst->n_ranges += src->n_ranges;
		/* The union of two paths has no order: sort and coalesce. */
		qsort(dst->ranges, dst->n_ranges, sizeof(*dst->ranges),
		      cmp_range);
		for (i = 1, n = 1; i < dst->n_ranges; i++) {
			struct ir_insn_range *last = &dst->ranges[n - 1];

			if (dst->ranges[i].first <= last->last + 1) {
				if (dst->ranges[i].last > last->last)
					last->last = dst->ranges[i].last;
				continue;
			}
			dst->ranges[n++] = dst->ranges[i];
		}
		dst->n_ranges = n;
	}
	if (!src->n_maprefs)
		return 0;
	p = realloc(dst->maprefs,
		    (dst->n_maprefs + src->n_maprefs) * sizeof(char *));
	if (!p)
		return -ENOMEM;
	dst->maprefs = p;
	for (i = 0; i < src->n_maprefs; i++) {
		char *s = strdup(src->maprefs[i]);

		if (!s)
			return -ENOMEM;
		dst->maprefs[dst->n_maprefs++] = s;
	}
	return 0;
}
