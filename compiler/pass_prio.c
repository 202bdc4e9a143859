// SPDX-License-Identifier: Apache-2.0
/*
 * pass_prio.c - the fewest priorities that keep first-match semantics.
 *
 * A rule must come after every earlier rule that overlaps it with another
 * action; rules that share a priority then never disagree on a packet, so
 * the target may order them as it likes. Each rule gets one more than the
 * highest priority among its conflicts (the earlier rules come from the
 * candidate index). Targets may add a constraint: tc flower filters of one
 * priority share one protocol (ir_caps.prio_one_ethtype), so a rule moves
 * further down until it reaches a priority of its own ethertype.
 *
 * Legalisation reassigns priorities through pass_prio_assign() with a
 * conflict test of its own (the target's dissector, carve-outs tested by
 * the region they stand for); the rules must then be in first-match
 * order, which the list order is.
 *
 * When a set is too large to analyse within the budget (pass_index__budget:
 * 64 candidate visits per rule), the fallback is a
 * new priority whenever the action (or ethertype class) changes between
 * neighbours in first-match order: coarser, always safe, linear; a meta
 * note says so.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/pass.h"

#define SCAN_LIMIT 64

struct prio {
	struct ir_ruleset *rs;
	pass_conflict_fn conflict; /* NULL: overlap with another action */
	void *arg;
	size_t cur;         /* position of r */
	uint32_t *p;        /* new priority per position (0-based levels) */
	const struct ir_rule *r;
	uint32_t need;      /* lowest level r may take */
	uint32_t *cls;      /* ethertype class per level */
	uint32_t n_levels;
};

#define CLS_ANY 0x10000u
#define CLS_MASKED 0x20000u

static uint32_t eth_class(const struct ir_rule *r)
{
	const struct ir_match *m = ir_rule__find(r, IR_F_ETH_TYPE);

	if (!m)
		return CLS_ANY;
	if (m->kind != IR_MATCH_MASK || !pass_match_is_exact(m))
		return CLS_MASKED;
	return (uint32_t)ir_val__u64(&m->key, IR_F_ETH_TYPE);
}

static int conflict_cb(size_t pos, void *arg)
{
	struct prio *pr = arg;
	const struct ir_rule *c = ir_ruleset__rule_c(pr->rs, pos);

	if (pr->p[pos] + 1 <= pr->need)
		return 0;
	if (pr->conflict ? pr->conflict(pr->rs, pos, pr->cur, pr->arg)
			 : !pass_action_eq(&c->action, &pr->r->action) &&
				   pass_rules_overlap(c, pr->r))
		pr->need = pr->p[pos] + 1;
	return 0;
}

/* The lowest level >= need whose class is cls or that is new. */
static uint32_t place(struct prio *pr, uint32_t need, uint32_t cls,
		      bool one_eth)
{
	uint32_t l, scanned = 0;

	if (!one_eth)
		return need;
	for (l = need; l < pr->n_levels && scanned < SCAN_LIMIT;
	     l++, scanned++)
		if (pr->cls[l] == cls)
			return l;
	return l < pr->n_levels ? pr->n_levels : l;
}

static int analyse(struct prio *pr, struct pass_index *idx, bool one_eth)
{
	size_t i, n = ir_ruleset__count(pr->rs);
	uint64_t budget = pass_index__budget(n);
	int ret;

	pr->n_levels = 0;
	for (i = 0; i < n; i++) {
		uint32_t cls, l;

		pr->r = ir_ruleset__rule_c(pr->rs, i);
		pr->cur = i;
		pr->need = 0;
		ret = pass_index__foreach(idx, pr->r, 0, i, conflict_cb, pr,
					  &budget);
		if (ret < 0)
			return ret;
		cls = eth_class(pr->r);
		l = place(pr, pr->need, cls, one_eth);
		if (l >= pr->n_levels) {
			for (; pr->n_levels <= l; pr->n_levels++)
				pr->cls[pr->n_levels] = UINT32_MAX;
		}
		if (pr->cls[l] == UINT32_MAX)
			pr->cls[l] = cls;
		pr->p[i] = l;
	}
	return 0;
}

static void sequential(struct prio *pr, bool one_eth)
{
	size_t i, n = ir_ruleset__count(pr->rs);
	const struct ir_rule *prev = NULL;
	uint32_t l = 0;

	for (i = 0; i < n; i++) {
		const struct ir_rule *r = ir_ruleset__rule_c(pr->rs, i);

		if (prev && (!pass_action_eq(&prev->action, &r->action) ||
			     (one_eth && eth_class(prev) != eth_class(r))))
			l++;
		pr->p[i] = l;
		prev = r;
	}
	pr->n_levels = n ? l + 1 : 0;
}

int pass_prio_assign(struct ir_ruleset *rs, const struct ir_caps *caps,
		     pass_conflict_fn conflict, void *arg,
		     struct lift_stats *st, char *err, size_t errsz)
{
	bool one_eth = caps && caps->prio_one_ethtype;
	uint32_t base = caps && caps->prio_min ? caps->prio_min : 1;
	size_t i, n = ir_ruleset__count(rs);
	struct prio pr = { .rs = rs, .conflict = conflict, .arg = arg };
	struct pass_index *idx = NULL;
	char note[160];
	int ret = -ENOMEM;

	pr.p = calloc(n + 1, sizeof(*pr.p));
	pr.cls = calloc(n + SCAN_LIMIT + 2, sizeof(*pr.cls));
	idx = pass_index__new(rs);
	if (!pr.p || !pr.cls || !idx)
		goto out;
	ret = analyse(&pr, idx, one_eth);
	if (ret == -E2BIG) {
		sequential(&pr, one_eth);
		snprintf(note, sizeof(note),
			 "prio: %zu rules too many to analyse for overlap; "
			 "priorities follow action changes in rule order",
			 n);
		ret = ir_ruleset__add_meta(rs, "note", note);
	}
	if (ret)
		goto out;
	for (i = 0; i < n; i++)
		ir_ruleset__rule(rs, i)->prio = base + pr.p[i];
	ir_ruleset__sort(rs);
	if (st)
		st->prios = pr.n_levels;
	ret = 1;
out:
	if (ret < 0)
		snprintf(err, errsz, "prio: %s", strerror(-ret));
	pass_index__free(idx);
	free(pr.p);
	free(pr.cls);
	return ret;
}

int lift_pass_prio(struct ir_ruleset *rs, const struct lift_opts *opts,
		   struct lift_stats *st, char *err, size_t errsz)
{
	return pass_prio_assign(rs, opts->caps, NULL, NULL, st, err, errsz);
}
