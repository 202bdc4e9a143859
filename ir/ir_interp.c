// SPDX-License-Identifier: Apache-2.0
/*
 * ir_interp.c - the interpreter: does a rule match the keys a target's
 * parser extracted, and which rule of a set decides a packet. Under flower
 * an absent key reads as zero (flower compares the zeroed key); under nft
 * and rte_flow a rule that needs an absent key does not match.
 */
#include "ir/ir_internal.h"

static bool match_one(const struct ir_match *m, enum ir_dissector d,
		      const struct ir_keys *k)
{
	const struct ir_val *v;
	uint64_t x;

	if ((unsigned int)m->field >= IR_F__COUNT)
		return false;
	if (!k->present[m->field] && d != IR_DIS_FLOWER)
		return false;
	v = &k->v[m->field]; /* zero when absent */
	if (m->kind == IR_MATCH_RANGE) {
		x = ir_val__u64(v, m->field);
		return m->lo <= x && x <= m->hi;
	}
	for (size_t i = 0; i < IR_VAL_MAX; i++)
		if ((v->b[i] & m->mask.b[i]) != m->key.b[i])
			return false;
	return true;
}

bool ir_rule__matches(const struct ir_rule *r, enum ir_dissector d,
		      const struct ir_keys *k)
{
	for (uint32_t i = 0; i < r->n_matches; i++)
		if (!match_one(&r->matches[i], d, k))
			return false;
	return true;
}

const struct ir_rule *ir_ruleset__eval(const struct ir_ruleset *rs,
				       enum ir_dissector d,
				       const struct ir_keys *k)
{
	for (size_t i = 0; i < rs->n; i++)
		if (ir_rule__matches(&rs->rules[i], d, k))
			return &rs->rules[i];
	return NULL;
}
