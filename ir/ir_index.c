// SPDX-License-Identifier: Apache-2.0
/*
 * ir_index.c - a first-match index over a rule set, so that verify's
 * interpreter does not walk every rule for every frame.
 *
 * Tuple-space search, the design of Open vSwitch's classifier: rules are
 * grouped into subtables by their shape, the fields they match with
 * their masks (the "tuple"); a subtable is a hash table keyed on the
 * masked values. A lookup probes each subtable once with the frame's keys
 * masked by that subtable's masks. Ranges (meta.len=34-65535, ip4.ihl,
 * port ranges) are not hashed: they are part of the shape (which fields a
 * rule needs) and are checked on the candidate, like any match.
 *
 * Exactly the linear scan's answer: every candidate a probe yields is
 * checked with ir_rule__matches, and the answer is the lowest rule index
 * over all subtables (list order is first-match order). A rule that
 * matches hashes to the bucket its subtable probes, because its masked
 * keys equal the frame's masked keys; so no matching rule is missed.
 * Subtables are kept in order of their first rule, so the probe stops at
 * the first subtable that cannot beat the best rule found so far; a
 * bucket lists its rules in order, so it stops at its first match.
 * Under nftables and rte_flow a rule needing an absent key does not
 * match, so a subtable needing one is skipped without probing; under
 * flower absent keys read as their (zero) value, as in the scan.
 *
 * Built once; the rule set must not change while the index is used.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir_internal.h"

#define IX_KEY_BYTES (IR_F__COUNT * IR_VAL_MAX)

/* One rule in a subtable: the hash of its masked key, its index. */
struct ix_ent {
	uint64_t hash;
	uint32_t rule;
};

/* The rules of one hash: ent[first .. first + count). count 0: empty. */
struct ix_slot {
	uint64_t hash;
	uint32_t first, count;
};

struct ix_sub {
	uint32_t need;     /* fields matched, a bit per ir_field_id */
	uint32_t n_bytes;  /* key bytes hashed */
	uint16_t *off;     /* their offsets in ir_keys.v, flattened */
	uint8_t *mask;     /* and masks */
	uint32_t min_rule; /* its first rule */
	uint32_t n_ent;
	struct ix_ent *ent;
	uint32_t slot_mask;
	struct ix_slot *slots;
	uint64_t sig_hash; /* of need, off, mask (building only) */
};

struct ir_index {
	const struct ir_ruleset *rs;
	struct ix_sub *subs;
	size_t n_subs, cap_subs;
};

/* A rule's shape and key, flattened, while building. */
struct ix_sig {
	uint32_t need, n_bytes;
	uint16_t off[IX_KEY_BYTES];
	uint8_t mask[IX_KEY_BYTES];
	uint8_t key[IX_KEY_BYTES]; /* at full offsets, masked */
};

_Static_assert(IR_F__COUNT <= 32, "field bits fit a uint32_t");
_Static_assert(sizeof(struct ir_val) == IR_VAL_MAX, "ir_keys.v is flat");

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The same function hashes a rule's key at build time and a frame's keys
 * at lookup: the bytes at off[], each under its mask. */
static uint64_t hash_key(const uint8_t *base, const uint16_t *off,
			 const uint8_t *mask, uint32_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull, w = 0;

	for (uint32_t i = 0; i < n; i++) {
		w = w << 8 | (uint8_t)(base[off[i]] & mask[i]);
		if ((i & 7) == 7) {
			h = mix(h ^ w);
			w = 0;
		}
	}
	return mix(h ^ w);
}

static uint64_t hash_sig(const struct ix_sig *s)
{
	uint64_t h = mix(s->need ^ (uint64_t)s->n_bytes << 32);

	for (uint32_t i = 0; i < s->n_bytes; i++)
		h = mix(h ^ ((uint64_t)s->off[i] << 8 | s->mask[i]));
	return h;
}

/* Rule r's shape. Returns false if it can never match (a field out of
 * range), so it is left out. A field matched twice (not canonical) is
 * needed but not hashed: the candidate check decides it. */
static bool rule_sig(const struct ir_rule *r, struct ix_sig *s)
{
	uint32_t twice = 0;

	s->need = 0;
	s->n_bytes = 0;
	for (uint32_t i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];

		if ((unsigned int)m->field >= IR_F__COUNT)
			return false;
		if (s->need & 1u << m->field)
			twice |= 1u << m->field;
		s->need |= 1u << m->field;
	}
	for (uint32_t i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];
		uint16_t base = (uint16_t)(m->field * IR_VAL_MAX);

		if (m->kind != IR_MATCH_MASK || (twice & 1u << m->field))
			continue;
		for (uint16_t b = 0; b < IR_VAL_MAX; b++) {
			if (!m->mask.b[b])
				continue;
			s->off[s->n_bytes] = (uint16_t)(base + b);
			s->mask[s->n_bytes] = m->mask.b[b];
			s->key[base + b] = m->key.b[b] & m->mask.b[b];
			s->n_bytes++;
		}
	}
	return true;
}

static bool sig_eq(const struct ix_sub *t, const struct ix_sig *s)
{
	return t->need == s->need && t->n_bytes == s->n_bytes &&
	       !memcmp(t->off, s->off, s->n_bytes * sizeof(s->off[0])) &&
	       !memcmp(t->mask, s->mask, s->n_bytes);
}

static int sub_new(struct ir_index *ix, const struct ix_sig *s, uint64_t sh,
		   uint32_t rule)
{
	struct ix_sub *t;

	if (ix->n_subs == ix->cap_subs) {
		size_t ncap = ix->cap_subs ? ix->cap_subs * 2 : 16;

		t = realloc(ix->subs, ncap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		ix->subs = t;
		ix->cap_subs = ncap;
	}
	t = &ix->subs[ix->n_subs];
	memset(t, 0, sizeof(*t));
	t->need = s->need;
	t->n_bytes = s->n_bytes;
	t->min_rule = rule;
	t->sig_hash = sh;
	t->off = malloc((s->n_bytes ? s->n_bytes : 1) * sizeof(*t->off));
	t->mask = malloc(s->n_bytes ? s->n_bytes : 1);
	if (!t->off || !t->mask) {
		free(t->off);
		free(t->mask);
		return -ENOMEM;
	}
	memcpy(t->off, s->off, s->n_bytes * sizeof(*t->off));
	memcpy(t->mask, s->mask, s->n_bytes);
	ix->n_subs++;
	return 0;
}

/* Open-addressed map from shape hash to subtable, while building. */
struct ix_shapes {
	uint32_t *slot; /* subtable + 1; 0: empty */
	size_t mask;
};

static int shapes_grow(struct ix_shapes *m, const struct ir_index *ix)
{
	size_t n = (m->mask + 1) * 2;
	uint32_t *slot = calloc(n, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < ix->n_subs; i++) {
		size_t j = ix->subs[i].sig_hash & (n - 1);

		while (slot[j])
			j = (j + 1) & (n - 1);
		slot[j] = (uint32_t)i + 1;
	}
	free(m->slot);
	m->slot = slot;
	m->mask = n - 1;
	return 0;
}

/* The subtable of shape s, created if new. */
static int shape_find(struct ix_shapes *m, struct ir_index *ix,
		      const struct ix_sig *s, uint32_t rule, uint32_t *out)
{
	uint64_t sh = hash_sig(s);
	size_t j = sh & m->mask;
	int err;

	for (; m->slot[j]; j = (j + 1) & m->mask) {
		const struct ix_sub *t = &ix->subs[m->slot[j] - 1];

		if (t->sig_hash == sh && sig_eq(t, s)) {
			*out = m->slot[j] - 1;
			return 0;
		}
	}
	err = sub_new(ix, s, sh, rule);
	if (err)
		return err;
	*out = (uint32_t)ix->n_subs - 1;
	m->slot[j] = (uint32_t)ix->n_subs;
	if (ix->n_subs * 2 > m->mask + 1)
		return shapes_grow(m, ix);
	return 0;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct ix_ent *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Sort a filled subtable by (hash, rule) and build its slots. */
static int sub_finish(struct ix_sub *t)
{
	uint32_t distinct = 0;
	size_t n = 4;

	qsort(t->ent, t->n_ent, sizeof(*t->ent), ent_cmp);
	for (uint32_t i = 0; i < t->n_ent; i++)
		distinct += !i || t->ent[i].hash != t->ent[i - 1].hash;
	while (n < (size_t)distinct * 2)
		n *= 2;
	t->slots = calloc(n, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	t->slot_mask = (uint32_t)(n - 1);
	for (uint32_t i = 0; i < t->n_ent;) {
		uint32_t j = i;
		size_t s = t->ent[i].hash & t->slot_mask;

		while (j < t->n_ent && t->ent[j].hash == t->ent[i].hash)
			j++;
		while (t->slots[s].count)
			s = (s + 1) & t->slot_mask;
		t->slots[s] = (struct ix_slot){ t->ent[i].hash, i, j - i };
		i = j;
	}
	return 0;
}

/* Second pass: every indexed rule into its subtable, in rule order. */
static int fill(struct ir_index *ix, const uint32_t *sub_of,
		const uint64_t *hash_of)
{
	const size_t n = ix->rs->n;
	int err;

	for (size_t i = 0; i < n; i++)
		if (sub_of[i] != UINT32_MAX)
			ix->subs[sub_of[i]].n_ent++;
	for (size_t s = 0; s < ix->n_subs; s++) {
		ix->subs[s].ent = malloc(ix->subs[s].n_ent *
					 sizeof(*ix->subs[s].ent));
		if (!ix->subs[s].ent)
			return -ENOMEM;
		ix->subs[s].n_ent = 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct ix_sub *t;

		if (sub_of[i] == UINT32_MAX)
			continue;
		t = &ix->subs[sub_of[i]];
		t->ent[t->n_ent++] = (struct ix_ent){ hash_of[i], (uint32_t)i };
	}
	for (size_t s = 0; s < ix->n_subs; s++) {
		err = sub_finish(&ix->subs[s]);
		if (err)
			return err;
	}
	return 0;
}

/* First pass: each rule's shape (its subtable) and key hash. */
static int classify(struct ir_index *ix, uint32_t *sub_of,
		    uint64_t *hash_of)
{
	struct ix_shapes shapes = { 0 };
	struct ix_sig *s = calloc(1, sizeof(*s));
	int err = -ENOMEM;

	shapes.slot = calloc(16, sizeof(*shapes.slot));
	shapes.mask = 15;
	if (!s || !shapes.slot)
		goto out;
	for (size_t i = 0; i < ix->rs->n; i++) {
		sub_of[i] = UINT32_MAX;
		if (!rule_sig(&ix->rs->rules[i], s))
			continue;
		err = shape_find(&shapes, ix, s, (uint32_t)i, &sub_of[i]);
		if (err)
			goto out;
		hash_of[i] = hash_key(s->key, s->off, s->mask, s->n_bytes);
	}
	err = 0;
out:
	free(shapes.slot);
	free(s);
	return err;
}

void ir_index__free(struct ir_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->n_subs; i++) {
		free(ix->subs[i].off);
		free(ix->subs[i].mask);
		free(ix->subs[i].ent);
		free(ix->subs[i].slots);
	}
	free(ix->subs);
	free(ix);
}

struct ir_index *ir_index__new(const struct ir_ruleset *rs)
{
	struct ir_index *ix = calloc(1, sizeof(*ix));
	uint32_t *sub_of = NULL;
	uint64_t *hash_of = NULL;
	int err = -ENOMEM;

	if (!ix)
		return NULL;
	ix->rs = rs;
	if (rs->n > UINT32_MAX - 1) {
		err = -E2BIG;
		goto err;
	}
	sub_of = malloc((rs->n ? rs->n : 1) * sizeof(*sub_of));
	hash_of = malloc((rs->n ? rs->n : 1) * sizeof(*hash_of));
	if (!sub_of || !hash_of)
		goto err;
	err = classify(ix, sub_of, hash_of);
	if (!err)
		err = fill(ix, sub_of, hash_of);
	if (err)
		goto err;
	free(sub_of);
	free(hash_of);
	return ix;
err:
	free(sub_of);
	free(hash_of);
	ir_index__free(ix);
	errno = -err;
	return NULL;
}

size_t ir_index__subtables(const struct ir_index *ix)
{
	return ix ? ix->n_subs : 0;
}

static const struct ix_slot *probe(const struct ix_sub *t, uint64_t h)
{
	for (uint32_t s = h & t->slot_mask;; s = (s + 1) & t->slot_mask) {
		if (!t->slots[s].count)
			return NULL;
		if (t->slots[s].hash == h)
			return &t->slots[s];
	}
}

long ir_index__eval(const struct ir_index *ix, enum ir_dissector d,
		    const struct ir_keys *k)
{
	const uint8_t *base = (const uint8_t *)k->v;
	const struct ir_rule *rules = ix->rs->rules;
	uint32_t present = 0, best = UINT32_MAX;

	for (unsigned int f = 0; f < IR_F__COUNT; f++)
		present |= (uint32_t)k->present[f] << f;
	for (size_t i = 0; i < ix->n_subs; i++) {
		const struct ix_sub *t = &ix->subs[i];
		const struct ix_slot *s;

		if (t->min_rule >= best)
			break;
		if (d != IR_DIS_FLOWER && (t->need & ~present))
			continue;
		s = probe(t, hash_key(base, t->off, t->mask, t->n_bytes));
		if (!s)
			continue;
		for (uint32_t j = s->first; j < s->first + s->count; j++) {
			uint32_t r = t->ent[j].rule;

			if (r >= best)
				break;
			if (ir_rule__matches(&rules[r], d, k)) {
				best = r;
				break;
			}
		}
	}
	return best == UINT32_MAX ? -1 : (long)best;
}
