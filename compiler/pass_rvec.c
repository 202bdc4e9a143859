// SPDX-License-Identifier: Apache-2.0
/*
 * pass_rvec.c - rebuilding a rule set in one go.
 *
 * Removing rules one at a time from the middle of a large set is quadratic;
 * the passes instead mark what to keep (pass_keep, compacting in place) or
 * build the new list in a vector (pass_rvec__install).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/pass.h"

static int rvec_grow(struct pass_rvec *v)
{
	size_t cap = v->cap ? v->cap * 2 : 64;
	void *p;

	if (v->n < v->cap)
		return 0;
	p = realloc(v->r, cap * sizeof(*v->r));
	if (!p)
		return -ENOMEM;
	v->r = p;
	v->cap = cap;
	return 0;
}

int pass_rvec__push(struct pass_rvec *v, const struct ir_rule *r)
{
	int err = rvec_grow(v);

	if (err)
		return err;
	ir_rule__init(&v->r[v->n]);
	err = ir_rule__copy(&v->r[v->n], r);
	if (err)
		return err;
	v->n++;
	return 0;
}

int pass_rvec__push_move(struct pass_rvec *v, struct ir_rule *r)
{
	int err = rvec_grow(v);

	if (err)
		return err;
	v->r[v->n++] = *r;
	memset(&r->prov, 0, sizeof(r->prov));
	r->prov.path = -1;
	return 0;
}

void pass_rvec__fini(struct pass_rvec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		ir_rule__fini(&v->r[i]);
	free(v->r);
	memset(v, 0, sizeof(*v));
}

static void clear_prov(struct ir_rule *r)
{
	memset(&r->prov, 0, sizeof(r->prov));
	r->prov.path = -1;
}

static void truncate_set(struct ir_ruleset *rs, size_t n)
{
	while (ir_ruleset__count(rs) > n)
		ir_ruleset__remove(rs, ir_ruleset__count(rs) - 1);
}

int pass_rvec__install(struct pass_rvec *v, struct ir_ruleset *rs)
{
	size_t i;
	int err = 0;

	truncate_set(rs, 0);
	for (i = 0; i < v->n; i++) {
		if (!err)
			err = ir_ruleset__add(rs, &v->r[i]);
		ir_rule__fini(&v->r[i]);
	}
	free(v->r);
	memset(v, 0, sizeof(*v));
	return err;
}

int pass_keep(struct ir_ruleset *rs, const bool *keep)
{
	size_t i, w = 0, n = ir_ruleset__count(rs);

	/* Move kept rules down; the set owns every provenance either way,
	 * and a moved-from slot is left with none, so that removing the
	 * tail frees nothing twice. */
	for (i = 0; i < n; i++) {
		struct ir_rule *r = ir_ruleset__rule(rs, i);

		if (!keep[i]) {
			ir_rule__fini(r);
			clear_prov(r);
			continue;
		}
		if (w != i) {
			*ir_ruleset__rule(rs, w) = *r;
			clear_prov(r);
		}
		w++;
	}
	truncate_set(rs, w);
	return 0;
}
