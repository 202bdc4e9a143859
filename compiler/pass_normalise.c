// SPDX-License-Identifier: Apache-2.0
/*
 * pass_normalise.c - canonical matches; rules that match nothing and exact
 * duplicates removed.
 *
 * Canonical: one match per field in field order, keys inside their masks,
 * single-value ranges as exact matches, ranges that are one prefix as
 * masks. A match that accepts every value is dropped only where that keeps
 * the rule's meaning under every dissector: under nftables a match on an
 * absent header never matches, so "any value" still says "the header is
 * there" unless the field is metadata or another match on the same header
 * already needs at least as many of its bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/pass.h"

/* Header a field lives in, and the offset of its last byte + 1 there;
 * presence of a field implies presence of every field of the same header
 * that ends no later. Header 0: no such guarantee. */
static const struct {
	uint8_t hdr;
	uint8_t end;
} presence[IR_F__COUNT] = {
	[IR_F_ETH_DST] = { 1, 6 },     [IR_F_ETH_SRC] = { 1, 12 },
	[IR_F_ETH_TYPE] = { 1, 14 },   [IR_F_VLAN_PCP] = { 2, 1 },
	[IR_F_VLAN_ID] = { 2, 2 },     [IR_F_VLAN_TYPE] = { 2, 4 },
	[IR_F_IP4_IHL] = { 3, 1 },     [IR_F_IP4_SRC] = { 3, 16 },
	[IR_F_IP4_DST] = { 3, 20 },    [IR_F_IP6_NEXTHDR] = { 4, 7 },
	[IR_F_IP6_SRC] = { 4, 24 },    [IR_F_IP6_DST] = { 4, 40 },
	[IR_F_L4_SPORT] = { 5, 2 },    [IR_F_L4_DPORT] = { 5, 4 },
	[IR_F_ICMP_TYPE] = { 6, 1 },   [IR_F_ICMP_CODE] = { 6, 2 },
};

static bool presence_implied(const struct ir_match *ms, size_t n,
			     enum ir_field_id f)
{
	const struct ir_field *fd = ir_field__get(f);
	size_t i;

	if (fd && fd->layer == IR_LAYER_META && f != IR_F_NUM_VLANS)
		return true;
	if (!presence[f].hdr)
		return false;
	for (i = 0; i < n; i++) {
		enum ir_field_id g = ms[i].field;

		if (g != f && !pass_match_is_any(&ms[i]) &&
		    presence[g].hdr == presence[f].hdr &&
		    presence[g].end >= presence[f].end)
			return true;
	}
	return false;
}

/* Canonical form of one match; 1 if it can match nothing. */
static int canon_match(struct ir_match *m)
{
	uint64_t max = pass_field_max(m->field);
	struct ir_val full;
	size_t i, n = ir_field__bytes(m->field);

	if (m->kind == IR_MATCH_RANGE) {
		if (m->lo > m->hi || m->lo > max)
			return 1;
		if (m->hi > max)
			m->hi = max;
		if (m->lo || m->hi != max) /* "any" stays as written */
			pass_match_from_interval(m, m->field, m->lo, m->hi);
		return 0;
	}
	pass_field_mask(m->field, &full);
	for (i = 0; i < IR_VAL_MAX; i++) {
		m->mask.b[i] &= i < n ? full.b[i] : 0;
		if (m->key.b[i] & ~m->mask.b[i])
			return 1;
	}
	return 0;
}

/* Intersect b into a (same field); 1 if empty, -EOPNOTSUPP if the two
 * kinds do not combine into one match. */
static int and_match(struct ir_match *a, const struct ir_match *b)
{
	uint64_t alo, ahi, blo, bhi;
	size_t i;

	if (a->kind == IR_MATCH_MASK && b->kind == IR_MATCH_MASK) {
		for (i = 0; i < IR_VAL_MAX; i++) {
			if ((a->key.b[i] ^ b->key.b[i]) & a->mask.b[i] &
			    b->mask.b[i])
				return 1;
			a->key.b[i] |= b->key.b[i];
			a->mask.b[i] |= b->mask.b[i];
		}
		return 0;
	}
	if (!pass_match_interval(a, &alo, &ahi) ||
	    !pass_match_interval(b, &blo, &bhi))
		return -EOPNOTSUPP;
	if (blo > alo)
		alo = blo;
	if (bhi < ahi)
		ahi = bhi;
	if (alo > ahi)
		return 1;
	pass_match_from_interval(a, a->field, alo, ahi);
	return 0;
}

/* Rewrite r's matches canonically; 1 if r can match nothing. */
static int canon_rule(struct ir_rule *r, size_t pos, char *err, size_t errsz)
{
	struct ir_match ms[IR_MAX_MATCHES];
	bool have[IR_F__COUNT] = { false };
	struct ir_match by[IR_F__COUNT];
	size_t i, n = 0;
	int ret;

	for (i = 0; i < r->n_matches; i++) {
		struct ir_match m = r->matches[i];

		if (m.field >= IR_F__COUNT) {
			snprintf(err, errsz, "rule %zu: bad field %d", pos,
				 m.field);
			return -EINVAL;
		}
		if (canon_match(&m))
			return 1;
		if (!have[m.field]) {
			by[m.field] = m;
			have[m.field] = true;
			continue;
		}
		ret = and_match(&by[m.field], &m);
		if (ret < 0) {
			snprintf(err, errsz,
				 "rule %zu: a mask and a range on %s do not "
				 "combine into one match", pos,
				 ir_field__get(m.field)->name);
			return ret;
		}
		if (ret)
			return 1;
	}
	for (i = 0; i < IR_F__COUNT; i++)
		if (have[i])
			ms[n++] = by[i];
	r->n_matches = 0;
	for (i = 0; i < n; i++)
		if (!pass_match_is_any(&ms[i]) ||
		    !presence_implied(ms, n, ms[i].field))
			r->matches[r->n_matches++] = ms[i];
	return 0;
}

struct hpos {
	uint64_t h;
	size_t pos;
};

static int cmp_hpos(const void *a, const void *b)
{
	const struct hpos *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* A later rule with the same matches as an earlier one never decides. */
static int mark_duplicates(struct ir_ruleset *rs, bool *keep)
{
	size_t i, j, n = ir_ruleset__count(rs), k = 0;
	struct hpos *hp = malloc((n + 1) * sizeof(*hp));

	if (!hp)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (keep[i]) {
			hp[k].h = pass_matches_hash(ir_ruleset__rule_c(rs, i),
						    IR_F__COUNT);
			hp[k++].pos = i;
		}
	qsort(hp, k, sizeof(*hp), cmp_hpos);
	for (i = 0; i < k; i++) {
		const struct ir_rule *a = ir_ruleset__rule_c(rs, hp[i].pos);

		if (!keep[hp[i].pos])
			continue;
		for (j = i + 1; j < k && hp[j].h == hp[i].h; j++)
			if (keep[hp[j].pos] &&
			    pass_matches_eq(a, ir_ruleset__rule_c(rs,
								  hp[j].pos)))
				keep[hp[j].pos] = false;
	}
	free(hp);
	return 0;
}

int lift_pass_normalise(struct ir_ruleset *rs, const struct lift_opts *opts,
			struct lift_stats *st, char *err, size_t errsz)
{
	size_t i, n = ir_ruleset__count(rs), kept = 0;
	bool *keep = calloc(n + 1, sizeof(*keep));
	int ret = 0;

	if (!keep)
		return -ENOMEM;
	for (i = 0; i < n && ret >= 0; i++) {
		ret = canon_rule(ir_ruleset__rule(rs, i), i, err, errsz);
		keep[i] = ret == 0;
	}
	if (ret >= 0)
		ret = mark_duplicates(rs, keep);
	if (ret >= 0) {
		for (i = 0; i < n; i++)
			kept += keep[i];
		if (kept != n)
			ret = pass_keep(rs, keep);
	}
	free(keep);
	/* Matches may have been rewritten in place: always "changed". */
	return ret < 0 ? ret : 1;
}
