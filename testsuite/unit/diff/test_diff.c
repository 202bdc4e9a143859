// SPDX-License-Identifier: Apache-2.0
/*
 * test_diff.c - semantic diff: what must be no difference (renumbering,
 * reordering, merging, splitting) and what must be exactly one region.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "testsuite/fl_check.h"

static struct ir_ruleset *parse(const char *text)
{
	char err[256] = "", *full = NULL;
	struct ir_ruleset *rs;

	ck_assert_int_gt(asprintf(&full, "# flowlift-ir 1\n%s", text), 0);
	rs = ir_ruleset__parse_str(full, err, sizeof(err));
	ck_assert_msg(rs, "parse: %s\n%s", err, text);
	free(full);
	ir_ruleset__sort(rs);
	return rs;
}

static const struct {
	const char *name;
	const char *a, *b;
	size_t regions;
	const char *region; /* expected text of the first region */
	const char *old_act, *new_act;
	int except_b;       /* B rule the region excludes (1-based), 0: none */
	int64_t dport;      /* witness's l4.dport, -1: any */
} cases[] = {
	{ "identical",
	  "prio 1 eth.type=0x0800 ip4.src=10.0.0.0/8 -> drop\n"
	  "prio 2 eth.type=0x0800 -> pass\n",
	  "prio 1 eth.type=0x0800 ip4.src=10.0.0.0/8 -> drop\n"
	  "prio 2 eth.type=0x0800 -> pass\n", 0, NULL, NULL, NULL, 0, -1 },
	{ "renumbered and reordered disjoint rules",
	  "prio 1 eth.type=0x0800 ip4.dst=192.0.2.1 -> drop\n"
	  "prio 2 eth.type=0x0800 ip4.dst=192.0.2.2 -> pass\n"
	  "prio 3 eth.type=0x0800 -> drop\n",
	  "prio 10 eth.type=0x0800 ip4.dst=192.0.2.2 -> pass\n"
	  "prio 10 eth.type=0x0800 ip4.dst=192.0.2.1 -> drop\n"
	  "prio 20 eth.type=0x0800 -> drop\n", 0, NULL, NULL, NULL, 0, -1 },
	{ "merged prefixes",
	  "prio 1 eth.type=0x0800 ip4.src=10.0.0.0/25 -> drop\n"
	  "prio 1 eth.type=0x0800 ip4.src=10.0.0.128/25 -> drop\n",
	  "prio 5 eth.type=0x0800 ip4.src=10.0.0.0/24 -> drop\n", 0, NULL,
	  NULL, NULL, 0, -1 },
	{ "range split into masks",
	  "prio 1 eth.type=0x0800 ip.proto=6 l4.dport=80-83 -> drop\n",
	  "prio 1 eth.type=0x0800 ip.proto=6 l4.dport=80/0xfffc -> drop\n", 0,
	  NULL, NULL, NULL, 0, -1 },
	{ "a carved-out exception",
	  "prio 1 eth.type=0x0800 ip4.src=10.0.0.0/8 -> drop\n",
	  "prio 1 eth.type=0x0800 ip4.src=10.1.0.0/16 -> pass\n"
	  "prio 2 eth.type=0x0800 ip4.src=10.0.0.0/8 -> drop\n", 1,
	  "eth.type=0x0800 ip4.src=10.1.0.0/16", "drop", "pass", 0, -1 },
	{ "one port dropped from a range",
	  "prio 1 eth.type=0x0800 ip.proto=17 l4.dport=80-90 -> drop\n",
	  "prio 1 eth.type=0x0800 ip.proto=17 l4.dport=80-89 -> drop\n", 1,
	  /* A's rule against B's default, minus B's rule 1: only 90 */
	  "eth.type=0x0800 ip.proto=17 l4.dport=80-90", "drop", "slowpath", 1,
	  90 },
	{ "shadowed change is no change",
	  "prio 1 eth.type=0x0800 -> drop\n"
	  "prio 2 eth.type=0x0800 ip4.src=10.0.0.1 -> pass\n",
	  "prio 1 eth.type=0x0800 -> drop\n"
	  "prio 2 eth.type=0x0800 ip4.src=10.0.0.1 -> redirect(3,egress)\n",
	  0, NULL, NULL, NULL, 0, -1 },
};

START_TEST(test_cases)
{
	struct ir_ruleset *a = parse(cases[_i].a), *b = parse(cases[_i].b);
	struct ir_diff *d = NULL;
	char buf[1024], act[128];

	ck_assert_int_eq(ir_diff(a, b, IR_DIS_FLOWER, 0, &d), 0);
	ck_assert_msg(ir_diff__count(d) == cases[_i].regions,
		      "%s: %zu regions, want %zu", cases[_i].name,
		      ir_diff__count(d), cases[_i].regions);
	if (cases[_i].regions) {
		const struct ir_diff_region *r = ir_diff__region(d, 0);

		ir_rule__snprint(&r->match, buf, sizeof(buf), false);
		ck_assert_ptr_nonnull(strstr(buf, cases[_i].region));
		ir_action__snprint(&r->old_act, act, sizeof(act));
		ck_assert_str_eq(act, cases[_i].old_act);
		ir_action__snprint(&r->new_act, act, sizeof(act));
		ck_assert_str_eq(act, cases[_i].new_act);
		ck_assert_int_gt(r->frame_len, 0);
		if (cases[_i].except_b) {
			ck_assert_uint_eq(r->n_except_b, 1);
			ck_assert_uint_eq(r->except_b[0] + 1,
					  (uint32_t)cases[_i].except_b);
		}
		if (cases[_i].dport >= 0)
			ck_assert_uint_eq(ir_val__u64(&r->keys.v[IR_F_L4_DPORT],
						      IR_F_L4_DPORT),
					  (uint64_t)cases[_i].dport);
	}
	ir_diff__free(d);
	ir_ruleset__free(a);
	ir_ruleset__free(b);
}
END_TEST

/* Every witness really is decided differently by the two sets. */
START_TEST(test_witness_evaluates)
{
	struct ir_ruleset *a = parse(
		"prio 1 eth.type=0x86dd ip6.dst=fd00::/64 ip.proto=6 "
		"l4.dport=443 -> pass\n"
		"prio 2 eth.type=0x86dd -> drop\n");
	struct ir_ruleset *b = parse(
		"prio 1 eth.type=0x86dd ip6.dst=fd00::/64 ip.proto=6 "
		"l4.dport=443-444 -> pass\n"
		"prio 2 eth.type=0x86dd -> drop\n");
	struct ir_diff *d = NULL;

	ck_assert_int_eq(ir_diff(a, b, IR_DIS_FLOWER, 0, &d), 0);
	ck_assert_uint_eq(ir_diff__count(d), 1);
	for (size_t i = 0; i < ir_diff__count(d); i++) {
		const struct ir_diff_region *r = ir_diff__region(d, i);
		struct ir_keys k;

		ir_dissect(IR_DIS_FLOWER, r->frame, (size_t)r->frame_len,
			   &r->meta, &k);
		const struct ir_rule *ra = ir_ruleset__eval(a, IR_DIS_FLOWER, &k);
		const struct ir_rule *rb = ir_ruleset__eval(b, IR_DIS_FLOWER, &k);

		ck_assert(ra && ra->action.verdict == IR_ACT_DROP);
		ck_assert(rb && rb->action.verdict == IR_ACT_PASS);
		ck_assert_uint_eq(ir_val__u64(&k.v[IR_F_L4_DPORT],
					      IR_F_L4_DPORT), 444);
	}
	ir_diff__free(d);
	ir_ruleset__free(a);
	ir_ruleset__free(b);
}
END_TEST

/* 100k exact rules against the same set with one entry changed: one
 * region, found through the index (this would take hours pairwise). */
START_TEST(test_scale)
{
	size_t n = 100000, len = 0;
	char *ta = NULL, *tb = NULL;
	FILE *fa = open_memstream(&ta, &len), *fb;
	struct ir_ruleset *a, *b;
	struct ir_diff *d = NULL;
	size_t lenb = 0;

	fb = open_memstream(&tb, &lenb);
	for (size_t i = 0; i < n; i++) {
		unsigned int ip = 0x0a000000u + (unsigned int)i;
		const char *act = i % 3 ? "drop" : "pass";

		fprintf(fa, "prio 1 eth.type=0x0800 ip4.dst=%u.%u.%u.%u -> %s\n",
			ip >> 24, ip >> 16 & 255, ip >> 8 & 255, ip & 255, act);
		if (i == 4242)
			act = "redirect(7,egress)";
		fprintf(fb, "prio 1 eth.type=0x0800 ip4.dst=%u.%u.%u.%u -> %s\n",
			ip >> 24, ip >> 16 & 255, ip >> 8 & 255, ip & 255, act);
	}
	fclose(fa);
	fclose(fb);
	a = parse(ta);
	b = parse(tb);
	ck_assert_int_eq(ir_diff(a, b, IR_DIS_FLOWER, 0, &d), 0);
	ck_assert_uint_eq(ir_diff__count(d), 1);
	ck_assert_int_eq(ir_diff__region(d, 0)->a_rule, 4242);
	ir_diff__free(d);
	ir_ruleset__free(a);
	ir_ruleset__free(b);
	free(ta);
	free(tb);
}
END_TEST

/*
 * Random pairs of small rule sets against brute force. Every rule matches
 * UDP and constrains l4.sport and l4.dport inside 0..15 (an exact value, a
 * range, a prefix, or any mask: ranges and masks on one field are what
 * makes ir_diff expand a field), so the ports 0..16 stand for every packet
 * (16 for all above 15). The diff must find a difference exactly when one
 * of those packets is decided differently, and every such packet must lie
 * in a reported region.
 */
#define RND_DOM 16

static uint64_t rnd_state = 0x2545f4914f6cdd1dull;

static unsigned int rnd(unsigned int n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned int)(rnd_state % n);
}

static void rnd_port(FILE *f, const char *name)
{
	unsigned int lo = rnd(RND_DOM), hi = lo + rnd(RND_DOM - lo);
	unsigned int m = 0xfff0 | rnd(RND_DOM);

	switch (rnd(5)) {
	case 0:
		return; /* any port */
	case 1:
		fprintf(f, " %s=%u", name, lo);
		return;
	case 2:
		fprintf(f, " %s=%u-%u", name, lo, hi);
		return;
	case 3:
		m = 0xffff << rnd(5) & 0xffff; /* a prefix */
		/* fall through */
	default:
		fprintf(f, " %s=%u/0x%04x", name, lo & m, m);
	}
}

static char *rnd_set(unsigned int n)
{
	static const char *const acts[] = { "pass", "drop", "slowpath" };
	char *t = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&t, &len);

	for (unsigned int i = 0; i < n; i++) {
		fprintf(f, "prio %u eth.type=0x0800 ip.proto=17", 1 + rnd(4));
		rnd_port(f, "l4.sport");
		rnd_port(f, "l4.dport");
		fprintf(f, " -> %s\n", acts[rnd(3)]);
	}
	fclose(f);
	return t;
}

static void point(unsigned int sport, unsigned int dport, struct ir_keys *k)
{
	memset(k, 0, sizeof(*k));
	ir_val__from_u64(&k->v[IR_F_ETH_TYPE], IR_F_ETH_TYPE, 0x0800);
	ir_val__from_u64(&k->v[IR_F_IP_PROTO], IR_F_IP_PROTO, 17);
	ir_val__from_u64(&k->v[IR_F_L4_SPORT], IR_F_L4_SPORT,
			 sport < RND_DOM ? sport : 40000);
	ir_val__from_u64(&k->v[IR_F_L4_DPORT], IR_F_L4_DPORT,
			 dport < RND_DOM ? dport : 40000);
	k->present[IR_F_ETH_TYPE] = k->present[IR_F_IP_PROTO] = true;
	k->present[IR_F_L4_SPORT] = k->present[IR_F_L4_DPORT] = true;
}

static int verdict(const struct ir_ruleset *rs, const struct ir_keys *k)
{
	const struct ir_rule *r = ir_ruleset__eval(rs, IR_DIS_FLOWER, k);

	return r ? (int)r->action.verdict : (int)IR_ACT_SLOWPATH;
}

START_TEST(test_random_vs_brute_force)
{
	unsigned int differing_pairs = 0;

	for (int iter = 0; iter < 400; iter++) {
		char *ta = rnd_set(1 + rnd(6)), *tb;
		struct ir_ruleset *a = parse(ta), *b;
		struct ir_diff *d = NULL;
		bool differs = false;

		/* B: A itself, or A with one rule changed or added */
		tb = rnd(4) ? rnd_set(1 + rnd(6)) : strdup(ta);
		if (rnd(2)) {
			char *t = NULL;

			ck_assert_int_gt(asprintf(&t, "%s%s", ta,
						  strchr(tb, '\n') + 1), 0);
			free(tb);
			tb = t;
		}
		b = parse(tb);
		ck_assert_int_eq(ir_diff(a, b, IR_DIS_FLOWER, 0, &d), 0);
		ck_assert(!ir_diff__truncated(d));
		for (unsigned int sp = 0; sp <= RND_DOM; sp++) {
			for (unsigned int dp = 0; dp <= RND_DOM; dp++) {
				struct ir_keys k;
				bool in_region = false;

				point(sp, dp, &k);
				if (verdict(a, &k) == verdict(b, &k))
					continue;
				differs = true;
				for (size_t i = 0; i < ir_diff__count(d); i++)
					in_region |= ir_rule__matches(
						&ir_diff__region(d, i)->match,
						IR_DIS_FLOWER, &k);
				ck_assert_msg(in_region,
					      "sport %u dport %u differs, in "
					      "no region\nA:\n%sB:\n%s",
					      sp, dp, ta, tb);
			}
		}
		ck_assert_msg(differs == (ir_diff__count(d) > 0),
			      "brute force %s, diff %zu regions\nA:\n%sB:\n%s",
			      differs ? "differs" : "same", ir_diff__count(d),
			      ta, tb);
		differing_pairs += differs;
		ir_diff__free(d);
		ir_ruleset__free(a);
		ir_ruleset__free(b);
		free(ta);
		free(tb);
	}
	/* the generator must exercise both outcomes */
	ck_assert_uint_gt(differing_pairs, 50);
	ck_assert_uint_lt(differing_pairs, 390);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("diff");
	TCase *tc = tcase_create("all");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_cases, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_witness_evaluates);
	tcase_add_test(tc, test_random_vs_brute_force);
	tcase_add_test(tc, test_scale);
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
