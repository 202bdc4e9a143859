// SPDX-License-Identifier: Apache-2.0
/*
 * ir_check.c - the consistency check run after every pass that changes a
 * rule set: it catches a pass that broke an invariant where it happened,
 * instead of a backend printing nonsense later.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "common/common.h"
#include "ir/ir_internal.h"

static int check_match(const struct ir_match *m, char *err, size_t errsz,
		       size_t ri)
{
	const struct ir_field *fd = ir_field__get(m->field);

	if (!fd)
		return fl_err(err, errsz, -EINVAL, "rule %zu: unknown field %d",
			      ri, (int)m->field);
	if (m->kind == IR_MATCH_RANGE) {
		if (fd->width > 64)
			return fl_err(err, errsz, -EINVAL,
				      "rule %zu: range on %u-bit field '%s'",
				      ri, fd->width, fd->name);
		if (m->lo > m->hi)
			return fl_err(err, errsz, -EINVAL,
				      "rule %zu: '%s' range %" PRIu64 "-%" PRIu64
				      " is empty", ri, fd->name, m->lo, m->hi);
		if (m->hi > ir_field__max(m->field))
			return fl_err(err, errsz, -EINVAL,
				      "rule %zu: '%s' range end %" PRIu64
				      " exceeds the field", ri, fd->name, m->hi);
		return 0;
	}
	if (m->kind != IR_MATCH_MASK)
		return fl_err(err, errsz, -EINVAL,
			      "rule %zu: '%s' has unknown match kind %d", ri,
			      fd->name, (int)m->kind);
	if (!ir_val__fits(&m->mask, m->field))
		return fl_err(err, errsz, -EINVAL,
			      "rule %zu: '%s' mask wider than %u bits", ri,
			      fd->name, fd->width);
	for (size_t i = 0; i < IR_VAL_MAX; i++)
		if (m->key.b[i] & ~m->mask.b[i])
			return fl_err(err, errsz, -EINVAL,
				      "rule %zu: '%s' key has bits outside the mask",
				      ri, fd->name);
	return 0;
}

static int check_rewrite(const struct ir_rewrite *rw, char *err,
			 size_t errsz, size_t ri)
{
	struct ir_match m = { .field = rw->field, .kind = IR_MATCH_MASK };

	switch (rw->kind) {
	case IR_RW_VLAN_POP:
		return 0;
	case IR_RW_VLAN_PUSH:
		if (rw->vid > 4095 || rw->pcp > 7)
			return fl_err(err, errsz, -EINVAL,
				      "rule %zu: vlan_push(%u,%u) out of range",
				      ri, rw->vid, rw->pcp);
		return 0;
	case IR_RW_SET_FIELD:
		m.key = rw->val;
		m.mask = rw->mask;
		return check_match(&m, err, errsz, ri);
	}
	return fl_err(err, errsz, -EINVAL, "rule %zu: unknown rewrite %d", ri,
		      (int)rw->kind);
}

static int check_action(const struct ir_action *a, char *err, size_t errsz,
			size_t ri)
{
	int ret;

	if ((unsigned int)a->verdict >= IR_ACT__COUNT)
		return fl_err(err, errsz, -EINVAL, "rule %zu: unknown verdict %d",
			      ri, (int)a->verdict);
	if (a->verdict == IR_ACT_REDIRECT && !a->ifindex)
		return fl_err(err, errsz, -EINVAL,
			      "rule %zu: redirect to ifindex 0", ri);
	if (a->n_rewrites > IR_MAX_REWRITES)
		return fl_err(err, errsz, -EINVAL,
			      "rule %zu: %u rewrites (at most %d)", ri,
			      a->n_rewrites, IR_MAX_REWRITES);
	for (unsigned int i = 0; i < a->n_rewrites; i++) {
		ret = check_rewrite(&a->rewrites[i], err, errsz, ri);
		if (ret)
			return ret;
	}
	return 0;
}

static int check_prov(const struct ir_prov *p, char *err, size_t errsz,
		      size_t ri)
{
	if (p->n_ranges && !p->ranges)
		return fl_err(err, errsz, -EINVAL, "rule %zu: no insn ranges", ri);
	for (uint32_t i = 0; i < p->n_ranges; i++)
		if (p->ranges[i].prog > p->n_progs)
			return fl_err(err, errsz, -EINVAL,
				      "rule %zu: insn range %" PRIu32 " names "
				      "program %" PRIu32 " of %" PRIu32, ri, i,
				      p->ranges[i].prog, p->n_progs);
	for (uint32_t i = 0; i < p->n_ranges; i++)
		if (p->ranges[i].first > p->ranges[i].last)
			return fl_err(err, errsz, -EINVAL,
				      "rule %zu: insn range %" PRIu32 "-%" PRIu32
				      " is empty", ri, p->ranges[i].first,
				      p->ranges[i].last);
	for (uint32_t i = 0; i < p->n_maprefs; i++) {
		const char *s = p->maprefs ? p->maprefs[i] : NULL;

		if (!s || !*s || strpbrk(s, " \t\r\n"))
			return fl_err(err, errsz, -EINVAL,
				      "rule %zu: map reference %u is empty or has spaces",
				      ri, i);
	}
	return 0;
}

static int check_rule(const struct ir_rule *r, char *err, size_t errsz,
		      size_t ri)
{
	int ret;

	if (r->n_matches > IR_MAX_MATCHES)
		return fl_err(err, errsz, -EINVAL, "rule %zu: %u matches", ri,
			      r->n_matches);
	for (uint32_t i = 0; i < r->n_matches; i++) {
		ret = check_match(&r->matches[i], err, errsz, ri);
		if (ret)
			return ret;
		if (i && r->matches[i].field <= r->matches[i - 1].field)
			return fl_err(err, errsz, -EINVAL,
				      "rule %zu: match on '%s' out of canonical order or repeated",
				      ri, ir_field__get(r->matches[i].field)->name);
	}
	ret = check_action(&r->action, err, errsz, ri);
	return ret ?: check_prov(&r->prov, err, errsz, ri);
}

int ir_ruleset__check(const struct ir_ruleset *rs, char *err, size_t errsz)
{
	for (size_t i = 0; i < rs->n; i++) {
		int ret = check_rule(&rs->rules[i], err, errsz, i);

		if (ret)
			return ret;
		if (i && rs->rules[i].prio < rs->rules[i - 1].prio)
			return fl_err(err, errsz, -EINVAL,
				      "rule %zu: prio %" PRIu32 " after prio %" PRIu32
				      " (priorities must not decrease)", i,
				      rs->rules[i].prio, rs->rules[i - 1].prio);
	}
	return 0;
}
