// SPDX-License-Identifier: Apache-2.0
/*
 * test_passes_index.c - the candidate index and the passes at LPM scale.
 *
 * "index": for random rule sets shaped to make the index pick a given
 * field (exact values, prefixes, port ranges, 128-bit prefixes, ranges too
 * wide to file), every rule that may overlap a query within [from, to)
 * must be visited, in ascending order, once, and nothing outside; the
 * cover query must visit every rule that contains the query's.
 * "scale": 100k disjoint IPv4 prefixes in the lifter's LPM order (longest
 * first), with more-specific same-action prefixes above some of them, go
 * through every pass: the inner ones are redundant and must go, and so
 * must a short-frame slow-path rule in front that no later rule overlaps;
 * the rest must stay, with two priorities and no note of a spent budget
 * (pass_note_budget(), prio's "too many to analyse"): the result the index
 * gives, not the safe answer a spent budget gives.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/pass.h"
#include "testsuite/fl_check.h"

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state = rnd_state * 6364136223846793005ull + 1442695040888963407ull;
	return rnd_state >> 33;
}

static void prefix4(struct ir_match *m, enum ir_field_id f, uint32_t addr,
		    unsigned int plen)
{
	uint8_t a[4] = { addr >> 24, addr >> 16, addr >> 8, addr };

	ir_match__prefix(m, f, a, plen);
}

/* One rule of each shape; 'shape' picks the field and kind of match. */
enum shape { SH_V4, SH_PORTS, SH_V6, SH_WIDE, SH_MULTI };

static void gen_rule(struct ir_rule *r, enum shape sh)
{
	uint64_t x = rnd(), lo, hi;
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint32_t i;

	ir_rule__init(r);
	ir_match__exact(&r->matches[r->n_matches++], IR_F_ETH_TYPE, 0x0800);
	switch (sh) {
	case SH_V4:
		if (x % 10 == 0) /* wild: no match on the field */
			break;
		if (x % 10 == 1) { /* wild: a non-prefix mask */
			ir_match__exact(&r->matches[r->n_matches],
					IR_F_IP4_SRC, rnd() & 0xff00ff00);
			r->matches[r->n_matches].mask.b[1] = 0;
			r->matches[r->n_matches++].key.b[1] = 0;
			break;
		}
		/* Few top bits: prefixes nest and repeat. */
		prefix4(&r->matches[r->n_matches++], IR_F_IP4_SRC,
			(uint32_t)rnd() & 0xf00000ff, x % 33);
		break;
	case SH_PORTS:
		lo = rnd() % 2048;
		hi = lo + (x % 4 ? rnd() % 300 : 0);
		ir_match__range(&r->matches[r->n_matches++], IR_F_L4_DPORT,
				lo, hi);
		ir_match__exact(&r->matches[r->n_matches++], IR_F_IP_PROTO,
				6);
		break;
	case SH_V6:
		for (i = 4; i < 16; i++)
			a6[i] = i < 6 || i == 15 ? rnd() % 4 : 0;
		ir_match__prefix(&r->matches[r->n_matches++], IR_F_IP6_SRC,
				 a6, 32 + x % 97);
		break;
	case SH_MULTI:
		/* container_acl's shape: a few prefixes, each with every
		 * port and header length, so the index must also skip by
		 * its secondary fields (ports, ihl; some rules without). */
		prefix4(&r->matches[r->n_matches++], IR_F_IP4_SRC,
			0x0a000000 | (uint32_t)(rnd() % 8) << 8, 24);
		if (x % 7)
			ir_match__exact(&r->matches[r->n_matches++],
					IR_F_L4_DPORT, 80 + rnd() % 6);
		if (x % 5)
			ir_match__exact(&r->matches[r->n_matches++],
					IR_F_IP4_IHL, 5 + rnd() % 11);
		else
			ir_match__range(&r->matches[r->n_matches++],
					IR_F_IP4_IHL, 5 + x % 3, 15);
		break;
	case SH_WIDE:
		/* meta.mark ranges: narrow ones are filed, wide ones (more
		 * than 32 prefixes) are wild. */
		lo = rnd() % 10000000;
		hi = lo + (x % 10 ? rnd() % 40 : rnd() % 5000000);
		ir_match__range(&r->matches[r->n_matches++], IR_F_META_MARK,
				lo, hi);
		break;
	}
	r->action.verdict = x % 3 ? IR_ACT_PASS : IR_ACT_DROP;
}

static const struct {
	enum shape shape;
	enum ir_field_id field; /* the index must pick it */
	size_t n;
} index_cases[] = {
	{ SH_V4, IR_F_IP4_SRC, 400 },
	{ SH_PORTS, IR_F_L4_DPORT, 400 },
	{ SH_V6, IR_F_IP6_SRC, 300 },
	{ SH_WIDE, IR_F_META_MARK, 400 },
	{ SH_V4, IR_F_IP4_SRC, 6000 }, /* more than the field's sample */
	{ SH_MULTI, IR_F_IP4_SRC, 3000 },
};

struct seen {
	size_t *pos;
	size_t n;
};

static int seen_cb(size_t pos, void *arg)
{
	struct seen *s = arg;

	s->pos[s->n++] = pos;
	return 0;
}

/* Why the visits for query q over [from, to) are wrong, or NULL. (Plain
 * checks: a Check assertion per comparison costs a pipe write.) */
static const char *check_query(const struct ir_ruleset *rs,
			       const struct pass_index *idx, size_t q,
			       size_t from, size_t to, size_t *buf)
{
	const struct ir_rule *r = ir_ruleset__rule_c(rs, q);
	struct seen s = { .pos = buf };
	uint64_t budget = UINT64_MAX;
	size_t i, j = 0;

	if (pass_index__foreach(idx, r, from, to, seen_cb, &s, &budget))
		return "foreach failed";
	for (i = 0; i < s.n; i++) {
		if (s.pos[i] < from || s.pos[i] >= to)
			return "visited outside [from, to)";
		if (i && s.pos[i] <= s.pos[i - 1])
			return "not ascending or visited twice";
	}
	for (i = from; i < to; i++) {
		if (!pass_rules_overlap(r, ir_ruleset__rule_c(rs, i)))
			continue;
		while (j < s.n && s.pos[j] < i)
			j++;
		if (j == s.n || s.pos[j] != i)
			return "an overlapping rule was not visited";
	}
	/* Cover: every rule that contains q, and no more than overlap. */
	s.n = j = 0;
	if (pass_index__foreach_cover(idx, r, from, to, seen_cb, &s, &budget))
		return "foreach_cover failed";
	for (i = 0; i < s.n; i++) {
		if (s.pos[i] < from || s.pos[i] >= to)
			return "cover: visited outside [from, to)";
		if (i && s.pos[i] <= s.pos[i - 1])
			return "cover: not ascending or visited twice";
	}
	for (i = from; i < to; i++) {
		if (!pass_rule_covers(ir_ruleset__rule_c(rs, i), r))
			continue;
		while (j < s.n && s.pos[j] < i)
			j++;
		if (j == s.n || s.pos[j] != i)
			return "cover: a containing rule was not visited";
	}
	return NULL;
}

START_TEST(test_index)
{
	struct ir_ruleset *rs = ir_ruleset__new();
	size_t i, n = index_cases[_i].n, *buf;
	struct pass_index *idx;
	struct ir_rule r;

	rnd_state = 1 + _i;
	for (i = 0; i < n; i++) {
		gen_rule(&r, index_cases[_i].shape);
		if (i % 50 == 7) /* a catch-all on the index field */
			pass_rule_drop_match(&r, index_cases[_i].field);
		r.prio = i;
		ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	}
	idx = pass_index__new(rs);
	ck_assert_ptr_nonnull(idx);
	ck_assert_msg(pass_index__field(idx) == index_cases[_i].field,
		      "index on field %d, not %d", pass_index__field(idx),
		      index_cases[_i].field);
	buf = malloc(n * sizeof(*buf));
	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < n; i += n > 1000 ? 7 : 1) {
		const char *why = check_query(rs, idx, i, 0, i, buf);

		why = why ?: check_query(rs, idx, i, i + 1, n, buf);
		why = why ?: check_query(rs, idx, i, i / 2, n - i / 3, buf);
		ck_assert_msg(!why, "query %zu: %s", i, why);
	}
	free(buf);
	pass_index__free(idx);
	ir_ruleset__free(rs);
}
END_TEST

/* The LPM shape the lifter emits for an allow list; see the top. */
#define N_OUTER 100000
#define INNER_EVERY 10

static void lpm_rule(struct ir_rule *r, uint32_t addr, unsigned int plen,
		     enum ir_verdict v)
{
	ir_rule__init(r);
	ir_match__exact(&r->matches[0], IR_F_ETH_TYPE, 0x0800);
	ir_match__range(&r->matches[1], IR_F_IP4_IHL, 5, 15);
	ir_match__range(&r->matches[2], IR_F_META_LEN, 34, 65535);
	r->n_matches = 3;
	if (plen)
		prefix4(&r->matches[r->n_matches++], IR_F_IP4_SRC, addr, plen);
	r->action.verdict = v;
}

/* Outer prefix i: its own /20 block (so no two can merge), length 21-31;
 * inner: the /32 at the end of every INNER_EVERY-th outer prefix. */
static unsigned int outer_plen(size_t i)
{
	return 21 + i % 11;
}

static struct ir_ruleset *lpm_set(void)
{
	struct ir_ruleset *rs = ir_ruleset__new();
	unsigned int plen;
	struct ir_rule r;
	size_t i;

	/* Short frames to the slow path: no later rule overlaps it, so it is
	 * redundant, which only a query over the whole set can tell. */
	ir_rule__init(&r);
	ir_match__range(&r.matches[r.n_matches++], IR_F_META_LEN, 0, 13);
	ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	for (plen = 32; plen >= 21; plen--)
		for (i = 0; i < N_OUTER; i++) {
			uint32_t base = 0x10000000u + ((uint32_t)i << 12);

			if (plen == 32 && i % INNER_EVERY == 0)
				lpm_rule(&r, base + (1u << (32 -
					 outer_plen(i))) - 1, 32,
					 IR_ACT_PASS);
			else if (plen == outer_plen(i))
				lpm_rule(&r, base, plen, IR_ACT_PASS);
			else
				continue;
			r.prio = ir_ruleset__count(rs);
			ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
		}
	lpm_rule(&r, 0, 0, IR_ACT_DROP);
	r.prio = ir_ruleset__count(rs);
	ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	return rs;
}

static const struct ir_rule *eval_at(const struct ir_ruleset *rs,
				     uint32_t addr)
{
	struct ir_keys k;

	memset(&k, 0, sizeof(k));
	ir_val__from_u64(&k.v[IR_F_ETH_TYPE], IR_F_ETH_TYPE, 0x0800);
	ir_val__from_u64(&k.v[IR_F_IP4_IHL], IR_F_IP4_IHL, 5);
	ir_val__from_u64(&k.v[IR_F_META_LEN], IR_F_META_LEN, 60);
	ir_val__from_u64(&k.v[IR_F_IP4_SRC], IR_F_IP4_SRC, addr);
	k.present[IR_F_ETH_TYPE] = k.present[IR_F_IP4_IHL] = true;
	k.present[IR_F_META_LEN] = k.present[IR_F_IP4_SRC] = true;
	return ir_ruleset__eval(rs, IR_DIS_FLOWER, &k);
}

START_TEST(test_lpm_scale)
{
	struct ir_ruleset *before = lpm_set(), *after;
	struct lift_opts opts = { 0 };
	struct lift_stats st = { 0 };
	char err[256] = "";
	size_t i;

	ck_assert_uint_eq(ir_ruleset__count(before),
			  1 + N_OUTER + N_OUTER / INNER_EVERY + 1);
	after = ir_ruleset__clone(before);
	ck_assert_ptr_nonnull(after);
	ck_assert_msg(lift_run_passes(after, &opts, &st, err,
				      sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(st.rules, N_OUTER + 1);
	ck_assert_uint_eq(st.prios, 2);
	ck_assert_ptr_null(ir_ruleset__meta(after, "note"));
	for (i = 0; i < N_OUTER; i += 997) {
		uint32_t base = 0x10000000u + ((uint32_t)i << 12);
		uint32_t last = base + (1u << (32 - outer_plen(i))) - 1;
		const uint32_t probes[] = { base, last, last + 1 };
		size_t p;

		for (p = 0; p < 3; p++) {
			const struct ir_rule *a = eval_at(before, probes[p]);
			const struct ir_rule *b = eval_at(after, probes[p]);

			ck_assert_ptr_nonnull(a);
			ck_assert_ptr_nonnull(b);
			ck_assert_int_eq(a->action.verdict,
					 b->action.verdict);
		}
	}
	ir_ruleset__free(before);
	ir_ruleset__free(after);
}
END_TEST

static Suite *index_suite(void)
{
	Suite *s = suite_create("pass_index");
	TCase *tc = tcase_create("index");

	tcase_add_loop_test(tc, test_index, 0,
			    sizeof(index_cases) / sizeof(index_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("scale");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_lpm_scale);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fl_check_run(index_suite());
}
