// SPDX-License-Identifier: Apache-2.0
/*
 * pass_expand.c - one match as a union of matches a target can express.
 *
 * A range becomes its minimal prefix cover (or its values, on a target with
 * exact matches only); a mask with holes becomes one prefix per setting of
 * the hole bits above its lowest set bit. The pieces are disjoint and their
 * union is exactly the original set, so a rule split along them keeps its
 * meaning at one priority.
 */
#include <errno.h>
#include <string.h>

#include "compiler/pass.h"

bool pass_match_expressible(const struct ir_match *m, unsigned int cap)
{
	if (!cap)
		return false;
	if (m->kind == IR_MATCH_RANGE)
		return m->lo == m->hi ? cap & (IR_CAP_EXACT | IR_CAP_MASK |
					       IR_CAP_PREFIX | IR_CAP_RANGE)
				      : cap & IR_CAP_RANGE;
	if (pass_match_is_exact(m))
		return cap & (IR_CAP_EXACT | IR_CAP_MASK | IR_CAP_PREFIX);
	if (pass_mask_plen(m->field, &m->mask) >= 0)
		return cap & (IR_CAP_MASK | IR_CAP_PREFIX);
	return cap & IR_CAP_MASK;
}

static int push(struct ir_match *out, size_t *n, size_t max,
		const struct ir_match *m)
{
	if (*n >= max)
		return -E2BIG;
	out[(*n)++] = *m;
	return 0;
}

/* Minimal prefix cover of [lo, hi]; values only if !prefix. */
static int cover_range(enum ir_field_id f, uint64_t lo, uint64_t hi,
		       bool prefix, struct ir_match *out, size_t *n,
		       size_t max)
{
	struct ir_match m;
	int err;

	for (;;) {
		uint64_t size = 1;

		/* Largest aligned block starting at lo that fits. */
		while (prefix && !(lo & size) && size < (1ull << 62) &&
		       lo + 2 * size - 1 <= hi && lo + 2 * size - 1 >= lo)
			size *= 2;
		pass_match_from_interval(&m, f, lo, lo + size - 1);
		err = push(out, n, max, &m);
		if (err)
			return err;
		if (lo + size - 1 >= hi)
			return 0;
		lo += size;
	}
}

/* Bit positions (from the field's MSB, 0-based) of holes to enumerate. */
static int holes(const struct ir_match *m, bool prefix, unsigned int *pos,
		 unsigned int maxh)
{
	const struct ir_field *fd = ir_field__get(m->field);
	size_t nb = ir_field__bytes(m->field);
	unsigned int w = fd->width, pad = nb * 8 - w, i, last = 0, k = 0;
	bool any = false;

	for (i = 0; i < w; i++) {
		unsigned int bit = i + pad;

		if (m->mask.b[bit / 8] & (0x80 >> (bit % 8))) {
			last = i;
			any = true;
		}
	}
	for (i = 0; i < w; i++) {
		unsigned int bit = i + pad;

		if (m->mask.b[bit / 8] & (0x80 >> (bit % 8)))
			continue;
		if (prefix && (!any || i > last))
			continue;
		if (k == maxh)
			return -E2BIG;
		pos[k++] = bit;
	}
	return k;
}

static int fill_holes(const struct ir_match *m, bool prefix,
		      struct ir_match *out, size_t *n, size_t max)
{
	unsigned int pos[IR_VAL_MAX * 8], k, i;
	uint64_t combo;
	int h, err;

	h = holes(m, prefix, pos, 20);
	if (h < 0)
		return h;
	k = h;
	if ((1ull << k) > max)
		return -E2BIG;
	for (combo = 0; combo < (1ull << k); combo++) {
		struct ir_match p = *m;

		for (i = 0; i < k; i++) {
			uint8_t bit = 0x80 >> (pos[i] % 8);

			p.mask.b[pos[i] / 8] |= bit;
			if (combo & (1ull << i))
				p.key.b[pos[i] / 8] |= bit;
		}
		err = push(out, n, max, &p);
		if (err)
			return err;
	}
	return 0;
}

int pass_expand_match(const struct ir_match *m, unsigned int cap,
		      struct ir_match *out, size_t max)
{
	bool prefix = cap & (IR_CAP_PREFIX | IR_CAP_MASK);
	uint64_t lo, hi;
	size_t n = 0;
	int err;

	if (pass_match_expressible(m, cap))
		return push(out, &n, max, m) ?: 1;
	if (!(cap & (IR_CAP_EXACT | IR_CAP_PREFIX | IR_CAP_MASK)))
		return -EOPNOTSUPP;
	if (m->kind == IR_MATCH_RANGE) {
		err = cover_range(m->field, m->lo, m->hi, prefix, out, &n,
				  max);
		return err ?: (int)n;
	}
	if (!prefix && pass_match_interval(m, &lo, &hi))
		err = cover_range(m->field, lo, hi, false, out, &n, max);
	else
		err = fill_holes(m, prefix, out, &n, max);
	return err ?: (int)n;
}
