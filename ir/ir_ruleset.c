// SPDX-License-Identifier: Apache-2.0
/*
 * ir_ruleset.c - the rule set container: a growable array of rules (appends
 * are amortised O(1), so a million rules cost a million copies), header
 * metadata as ordered key/value pairs, assumptions and hook (kept in the
 * metadata too, so that the text form carries them), and a stable sort by
 * priority.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir_internal.h"

struct ir_ruleset *ir_ruleset__new(void)
{
	struct ir_ruleset *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->hook = IR_HOOK_TC_INGRESS;
	return rs;
}

static void meta_free(struct ir_ruleset *rs)
{
	for (size_t i = 0; i < rs->n_meta; i++) {
		free(rs->meta[i].key);
		free(rs->meta[i].value);
	}
	free(rs->meta);
}

void ir_ruleset__free(struct ir_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		ir_rule__fini(&rs->rules[i]);
	free(rs->rules);
	meta_free(rs);
	free(rs);
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return -ENOMEM;
		ncap *= 2;
	}
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int ir_ruleset__add(struct ir_ruleset *rs, const struct ir_rule *r)
{
	int err;

	err = grow((void **)&rs->rules, &rs->cap, rs->n + 1,
		   sizeof(*rs->rules));
	if (err)
		return err;
	err = ir_rule__copy(&rs->rules[rs->n], r);
	if (err)
		return err;
	rs->n++;
	return 0;
}

size_t ir_ruleset__count(const struct ir_ruleset *rs)
{
	return rs ? rs->n : 0;
}

struct ir_rule *ir_ruleset__rule(struct ir_ruleset *rs, size_t i)
{
	return i < rs->n ? &rs->rules[i] : NULL;
}

const struct ir_rule *ir_ruleset__rule_c(const struct ir_ruleset *rs,
					 size_t i)
{
	return i < rs->n ? &rs->rules[i] : NULL;
}

void ir_ruleset__remove(struct ir_ruleset *rs, size_t i)
{
	if (i >= rs->n)
		return;
	ir_rule__fini(&rs->rules[i]);
	memmove(&rs->rules[i], &rs->rules[i + 1],
		(rs->n - i - 1) * sizeof(rs->rules[0]));
	rs->n--;
}

struct sort_key {
	uint32_t prio;
	size_t idx;
};

static int sort_key_cmp(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

void ir_ruleset__sort(struct ir_ruleset *rs)
{
	struct sort_key *keys;
	struct ir_rule tmp;
	bool sorted = true;

	for (size_t i = 1; i < rs->n && sorted; i++)
		sorted = rs->rules[i - 1].prio <= rs->rules[i].prio;
	if (sorted)
		return;
	keys = malloc(rs->n * sizeof(*keys));
	if (!keys) {
		/* No memory for the index: a stable insertion sort. */
		for (size_t i = 1; i < rs->n; i++) {
			size_t j = i;

			tmp = rs->rules[i];
			while (j > 0 && rs->rules[j - 1].prio > tmp.prio) {
				rs->rules[j] = rs->rules[j - 1];
				j--;
			}
			rs->rules[j] = tmp;
		}
		return;
	}
	for (size_t i = 0; i < rs->n; i++)
		keys[i] = (struct sort_key){ rs->rules[i].prio, i };
	/* Ties broken by index: stable. */
	qsort(keys, rs->n, sizeof(*keys), sort_key_cmp);
	/* Apply the permutation in place, one cycle at a time: position i
	 * takes the rule at keys[i].idx. */
	for (size_t i = 0; i < rs->n; i++) {
		size_t j = i, k;

		if (keys[i].idx == SIZE_MAX)
			continue;
		tmp = rs->rules[i];
		for (;;) {
			k = keys[j].idx;
			keys[j].idx = SIZE_MAX;
			if (k == i)
				break;
			rs->rules[j] = rs->rules[k];
			j = k;
		}
		rs->rules[j] = tmp;
	}
	free(keys);
}

static int meta_append(struct ir_ruleset *rs, const char *key,
		       const char *value)
{
	char *k, *v;

	if (grow((void **)&rs->meta, &rs->cap_meta, rs->n_meta + 1,
		 sizeof(*rs->meta)))
		return -ENOMEM;
	k = strdup(key);
	v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	rs->meta[rs->n_meta].key = k;
	rs->meta[rs->n_meta].value = v;
	rs->n_meta++;
	return 0;
}

static bool meta_ok(const char *key, const char *value)
{
	if (!key || !value || !*key || strpbrk(key, ": \t\n\r"))
		return false;
	return !strpbrk(value, "\n\r");
}

/* Keep the assumption and hook fields in step with their meta keys. */
static int meta_special(struct ir_ruleset *rs, const char *key,
			const char *value)
{
	if (!strcmp(key, "assume"))
		return ir_assume__parse(value, &rs->assume);
	if (!strcmp(key, "hook"))
		return ir_hook__by_name(value, &rs->hook);
	return 0;
}

int ir_ruleset__set_meta(struct ir_ruleset *rs, const char *key,
			 const char *value)
{
	char *v;
	int err;

	if (!meta_ok(key, value))
		return -EINVAL;
	err = meta_special(rs, key, value);
	if (err)
		return err;
	for (size_t i = 0; i < rs->n_meta; i++) {
		if (strcmp(rs->meta[i].key, key))
			continue;
		v = strdup(value);
		if (!v)
			return -ENOMEM;
		free(rs->meta[i].value);
		rs->meta[i].value = v;
		return 0;
	}
	return meta_append(rs, key, value);
}

int ir_ruleset__add_meta(struct ir_ruleset *rs, const char *key,
			 const char *value)
{
	int err;

	if (!meta_ok(key, value))
		return -EINVAL;
	if (!strcmp(key, "assume") || !strcmp(key, "hook"))
		return ir_ruleset__set_meta(rs, key, value);
	err = meta_special(rs, key, value);
	return err ? err : meta_append(rs, key, value);
}

const char *ir_ruleset__meta(const struct ir_ruleset *rs, const char *key)
{
	for (size_t i = 0; i < rs->n_meta; i++)
		if (!strcmp(rs->meta[i].key, key))
			return rs->meta[i].value;
	return NULL;
}

size_t ir_ruleset__meta_count(const struct ir_ruleset *rs)
{
	return rs->n_meta;
}

void ir_ruleset__meta_at(const struct ir_ruleset *rs, size_t i,
			 const char **key, const char **value)
{
	*key = i < rs->n_meta ? rs->meta[i].key : NULL;
	*value = i < rs->n_meta ? rs->meta[i].value : NULL;
}

void ir_ruleset__set_assume(struct ir_ruleset *rs, unsigned int assume)
{
	char buf[128] = "";
	size_t n = 0;

	for (unsigned int b = 1; b; b <<= 1) {
		const char *name = ir_assume__name(b);

		if (!(assume & b) || !name)
			continue;
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "",
			      name);
		if (n >= sizeof(buf))
			break;
	}
	rs->assume = assume;
	/* On allocation failure the flags still hold; only the header
	 * line is missing, and print() writes it from the flags. */
	ir_ruleset__set_meta(rs, "assume", n ? buf : "none");
	rs->assume = assume;
}

unsigned int ir_ruleset__assume(const struct ir_ruleset *rs)
{
	return rs->assume;
}

void ir_ruleset__set_hook(struct ir_ruleset *rs, enum ir_hook hook)
{
	const char *name = ir_hook__name(hook);

	rs->hook = hook;
	if (name)
		ir_ruleset__set_meta(rs, "hook", name);
}

enum ir_hook ir_ruleset__hook(const struct ir_ruleset *rs)
{
	return rs->hook;
}

struct ir_ruleset *ir_ruleset__clone(const struct ir_ruleset *rs)
{
	struct ir_ruleset *c = ir_ruleset__new();

	if (!c)
		return NULL;
	c->assume = rs->assume;
	c->hook = rs->hook;
	for (size_t i = 0; i < rs->n_meta; i++)
		if (meta_append(c, rs->meta[i].key, rs->meta[i].value))
			goto err;
	if (rs->n && grow((void **)&c->rules, &c->cap, rs->n,
			  sizeof(*c->rules)))
		goto err;
	for (size_t i = 0; i < rs->n; i++) {
		if (ir_rule__copy(&c->rules[i], &rs->rules[i]))
			goto err;
		c->n = i + 1;
	}
	return c;
err:
	ir_ruleset__free(c);
	errno = ENOMEM;
	return NULL;
}
