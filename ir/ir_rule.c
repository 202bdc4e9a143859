// SPDX-License-Identifier: Apache-2.0
/*
 * ir_rule.c - one rule: its matches (kept one per field, in field order),
 * provenance (deep-copied), and the conjunction of a new match with what
 * the rule already has (ir_rule__and), which the lifter uses to narrow a
 * path's constraints and to detect paths that can match nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir_internal.h"

void ir_rule__init(struct ir_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->action.verdict = IR_ACT_SLOWPATH;
	r->prov.path = -1;
}

static void strv_free(char **v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void ir_prov__fini(struct ir_prov *p)
{
	strv_free(p->maprefs, p->n_maprefs);
	strv_free(p->progs, p->n_progs);
	free(p->ranges);
	p->maprefs = p->progs = NULL;
	p->ranges = NULL;
	p->n_maprefs = p->n_progs = 0;
	p->n_ranges = 0;
}

void ir_rule__fini(struct ir_rule *r)
{
	if (r)
		ir_prov__fini(&r->prov);
}

/* Copy n strings into *dst; *n_dst counts those copied (for freeing). */
static int strv_copy(char ***dst, uint32_t *n_dst, char *const *src,
		     uint32_t n)
{
	if (!n)
		return 0;
	*dst = calloc(n, sizeof(**dst));
	if (!*dst)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		(*dst)[i] = strdup(src[i]);
		if (!(*dst)[i])
			return -ENOMEM;
		*n_dst = i + 1;
	}
	return 0;
}

int ir_prov__copy(struct ir_prov *dst, const struct ir_prov *src)
{
	struct ir_prov p = { .path = src->path };

	if (src->n_ranges) {
		p.ranges = malloc(src->n_ranges * sizeof(*p.ranges));
		if (!p.ranges)
			return -ENOMEM;
		memcpy(p.ranges, src->ranges, src->n_ranges * sizeof(*p.ranges));
		p.n_ranges = src->n_ranges;
	}
	if (strv_copy(&p.maprefs, &p.n_maprefs, src->maprefs,
		      src->n_maprefs) ||
	    strv_copy(&p.progs, &p.n_progs, src->progs, src->n_progs)) {
		ir_prov__fini(&p);
		return -ENOMEM;
	}
	*dst = p;
	return 0;
}

int ir_rule__copy(struct ir_rule *dst, const struct ir_rule *src)
{
	struct ir_prov p;
	int err;

	err = ir_prov__copy(&p, &src->prov);
	if (err)
		return err;
	memcpy(dst, src, sizeof(*dst));
	dst->prov = p;
	return 0;
}

const struct ir_match *ir_rule__find(const struct ir_rule *r,
				     enum ir_field_id f)
{
	for (uint32_t i = 0; i < r->n_matches; i++)
		if (r->matches[i].field == f)
			return &r->matches[i];
	return NULL;
}

void ir_match__exact(struct ir_match *m, enum ir_field_id f, uint64_t v)
{
	memset(m, 0, sizeof(*m));
	m->field = f;
	m->kind = IR_MATCH_MASK;
	ir_val__from_u64(&m->key, f, v);
	ir_val__full(&m->mask, f);
}

void ir_match__prefix(struct ir_match *m, enum ir_field_id f,
		      const uint8_t *addr, unsigned int plen)
{
	size_t n = ir_field__bytes(f);

	memset(m, 0, sizeof(*m));
	m->field = f;
	m->kind = IR_MATCH_MASK;
	ir_val__prefix_mask(&m->mask, f, plen);
	for (size_t i = 0; i < n; i++)
		m->key.b[i] = addr[i] & m->mask.b[i];
}

void ir_match__range(struct ir_match *m, enum ir_field_id f, uint64_t lo,
		     uint64_t hi)
{
	memset(m, 0, sizeof(*m));
	m->field = f;
	m->kind = IR_MATCH_RANGE;
	m->lo = lo;
	m->hi = hi;
}

/* A well-formed match: known field, mask within width and key within
 * mask, ranges only on fields of at most 64 bits. */
static int match_valid(const struct ir_match *m)
{
	const struct ir_field *fd = ir_field__get(m->field);

	if (!fd)
		return -EINVAL;
	if (m->kind == IR_MATCH_RANGE)
		return fd->width <= 64 ? 0 : -EINVAL;
	if (m->kind != IR_MATCH_MASK || !ir_val__fits(&m->mask, m->field))
		return -EINVAL;
	for (size_t i = 0; i < IR_VAL_MAX; i++)
		if (m->key.b[i] & ~m->mask.b[i])
			return -EINVAL;
	return 0;
}

static int and_masks(struct ir_match *a, const struct ir_match *b)
{
	for (size_t i = 0; i < IR_VAL_MAX; i++)
		if ((a->key.b[i] ^ b->key.b[i]) & a->mask.b[i] & b->mask.b[i])
			return 1;
	for (size_t i = 0; i < IR_VAL_MAX; i++) {
		a->key.b[i] |= b->key.b[i];
		a->mask.b[i] |= b->mask.b[i];
	}
	return 0;
}

/* Store [lo, hi] in 'out': as a key/mask when it is one aligned prefix
 * block, else as a range. */
static void set_range(struct ir_match *out, enum ir_field_id f, uint64_t lo,
		      uint64_t hi)
{
	unsigned int w = ir_field__get(f)->width;
	uint64_t span = hi - lo;

	if (((span + 1) & span) == 0 && (lo & span) == 0 &&
	    (span != UINT64_MAX || w == 64)) {
		unsigned int bits = 0;

		while (bits < 64 && (span >> bits))
			bits++;
		if (bits <= w) {
			memset(out, 0, sizeof(*out));
			out->field = f;
			out->kind = IR_MATCH_MASK;
			ir_val__from_u64(&out->key, f, lo);
			ir_val__prefix_mask(&out->mask, f, w - bits);
			return;
		}
	}
	ir_match__range(out, f, lo, hi);
}

/* Intersect the mask match 'mm' with [lo, hi] into 'out'. */
static int and_mask_range(struct ir_match *out, const struct ir_match *mm,
			  uint64_t lo, uint64_t hi)
{
	enum ir_field_id f = mm->field;
	unsigned int w = ir_field__get(f)->width;
	int plen = ir_val__plen(&mm->mask, f);
	uint64_t k, kh;

	if (plen < 0 && lo == hi) {
		/* An exact value under an arbitrary mask. */
		struct ir_val v;

		ir_val__from_u64(&v, f, lo);
		for (size_t i = 0; i < IR_VAL_MAX; i++)
			if ((v.b[i] & mm->mask.b[i]) != mm->key.b[i])
				return 1;
		ir_match__exact(out, f, lo);
		return 0;
	}
	if (plen < 0)
		return -EOPNOTSUPP;
	k = ir_val__u64(&mm->key, f);
	kh = k | (ir_field__max(f) & ~ir_val__u64(&mm->mask, f));
	if ((unsigned int)plen == w) {
		if (k < lo || k > hi)
			return 1;
		*out = *mm;
		return 0;
	}
	if (lo < k)
		lo = k;
	if (hi > kh)
		hi = kh;
	if (lo > hi)
		return 1;
	set_range(out, f, lo, hi);
	return 0;
}

static int and_into(struct ir_match *out, const struct ir_match *a_,
		    const struct ir_match *b_)
{
	const struct ir_match a0 = *a_, b0 = *b_; /* out may alias either */
	const struct ir_match *a = &a0, *b = &b0;

	if (a->kind == IR_MATCH_MASK && b->kind == IR_MATCH_MASK) {
		*out = *a;
		return and_masks(out, b);
	}
	if (a->kind == IR_MATCH_RANGE && b->kind == IR_MATCH_RANGE) {
		uint64_t lo = a->lo > b->lo ? a->lo : b->lo;
		uint64_t hi = a->hi < b->hi ? a->hi : b->hi;

		if (lo > hi)
			return 1;
		ir_match__range(out, a->field, lo, hi);
		return 0;
	}
	if (a->kind == IR_MATCH_RANGE)
		return and_mask_range(out, b, a->lo, a->hi);
	return and_mask_range(out, a, b->lo, b->hi);
}

int ir_rule__and(struct ir_rule *r, const struct ir_match *m)
{
	struct ir_match tmp;
	uint32_t i;
	int err;

	err = match_valid(m);
	if (err)
		return err;
	tmp = *m;
	if (m->kind == IR_MATCH_RANGE) {
		uint64_t max = ir_field__max(m->field);

		if (m->lo > m->hi || m->lo > max)
			return 1;
		tmp.hi = m->hi > max ? max : m->hi;
	}
	for (i = 0; i < r->n_matches; i++) {
		if (r->matches[i].field == m->field) {
			err = and_into(&tmp, &r->matches[i], &tmp);
			if (err)
				return err;
			r->matches[i] = tmp;
			return 0;
		}
		if (r->matches[i].field > m->field)
			break;
	}
	if (r->n_matches >= IR_MAX_MATCHES)
		return -E2BIG;
	memmove(&r->matches[i + 1], &r->matches[i],
		(r->n_matches - i) * sizeof(r->matches[0]));
	r->matches[i] = tmp;
	r->n_matches++;
	return 0;
}
