// SPDX-License-Identifier: Apache-2.0
/*
 * test_ir_rule.c - the fields table, values, ir_rule__and and the rule set
 * container (copying, removal, stable sort, metadata, scale).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "testsuite/fl_check.h"

START_TEST(test_field_table)
{
	for (int i = 0; i < IR_F__COUNT; i++) {
		const struct ir_field *f = ir_field__get(i);

		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(f->id, i);
		ck_assert_ptr_nonnull(f->name);
		ck_assert_ptr_eq(ir_field__by_name(f->name), f);
		ck_assert_uint_gt(f->width, 0);
		ck_assert_uint_le(f->width, IR_VAL_MAX * 8);
		ck_assert_uint_eq(ir_field__bytes(i), (f->width + 7) / 8);
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(ir_field__get(j)->name, f->name);
	}
	ck_assert_ptr_null(ir_field__get(IR_F__COUNT));
	ck_assert_ptr_null(ir_field__get((enum ir_field_id)-1));
	ck_assert_ptr_null(ir_field__by_name("ip.nope"));
	ck_assert_uint_eq(ir_field__get(IR_F_IP6_SRC)->width, 128);
	ck_assert_uint_eq(ir_field__get(IR_F_VLAN_ID)->width, 12);
	ck_assert_uint_eq(ir_field__get(IR_F_L4_DPORT)->layer, IR_LAYER_L4);
	ck_assert_str_eq(ir_field__get(IR_F_IP4_SRC)->dissector_key,
			 "FLOW_DISSECTOR_KEY_IPV4_ADDRS");
}
END_TEST

START_TEST(test_val_u64)
{
	static const struct {
		enum ir_field_id f;
		uint64_t in, out;
		uint8_t b0, b1;
	} t[] = {
		{ IR_F_L4_DPORT, 80, 80, 0x00, 0x50 },
		{ IR_F_ETH_TYPE, 0x86dd, 0x86dd, 0x86, 0xdd },
		{ IR_F_VLAN_ID, 0xffff, 0x0fff, 0x0f, 0xff },
		{ IR_F_IP_FRAG, 7, 3, 0x03, 0x00 },
		{ IR_F_IP4_SRC, 0x0a000001, 0x0a000001, 0x0a, 0x00 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ir_val v;

		memset(&v, 0xaa, sizeof(v));
		ir_val__from_u64(&v, t[i].f, t[i].in);
		ck_assert_uint_eq(ir_val__u64(&v, t[i].f), t[i].out);
		ck_assert_uint_eq(v.b[0], t[i].b0);
		ck_assert_uint_eq(v.b[1], t[i].b1);
		for (size_t j = ir_field__bytes(t[i].f); j < IR_VAL_MAX; j++)
			ck_assert_uint_eq(v.b[j], 0);
	}
}
END_TEST

START_TEST(test_assume_names)
{
	ck_assert_uint_eq(ir_assume__by_name("no-ip-options"),
			  IR_ASSUME_NO_IP_OPTIONS);
	ck_assert_uint_eq(ir_assume__by_name("well-formed"),
			  IR_ASSUME_WELL_FORMED);
	ck_assert_uint_eq(ir_assume__by_name("bogus"), 0);
	ck_assert_str_eq(ir_assume__name(IR_ASSUME_WELL_FORMED), "well-formed");
	ck_assert_ptr_null(ir_assume__name(3));
}
END_TEST

/* ir_rule__and: a rule with 'a', then 'b' added; expected result. */
enum mk { EXACT, PREFIX, RANGE, MASK };
struct m {
	enum mk kind;
	enum ir_field_id f;
	uint64_t x, y; /* exact: x; prefix: x/y; range: x-y; mask: x/y */
};

static void mk(struct ir_match *m, const struct m *d)
{
	uint8_t b[IR_VAL_MAX] = { 0 };
	size_t n = ir_field__bytes(d->f);

	switch (d->kind) {
	case EXACT:
		ir_match__exact(m, d->f, d->x);
		break;
	case PREFIX:
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)(d->x >> (8 * (n - 1 - i)));
		ir_match__prefix(m, d->f, b, (unsigned int)d->y);
		break;
	case RANGE:
		ir_match__range(m, d->f, d->x, d->y);
		break;
	case MASK:
		ir_match__exact(m, d->f, d->x);
		ir_val__from_u64(&m->mask, d->f, d->y);
		break;
	}
}

static const struct {
	const char *name;
	struct m a, b;
	int ret;
	const char *want; /* the rule printed, or NULL */
} and_cases[] = {
	{ "exact & same exact", { EXACT, IR_F_L4_DPORT, 80, 0 },
	  { EXACT, IR_F_L4_DPORT, 80, 0 }, 0, "prio 0 l4.dport=80 -> slowpath" },
	{ "exact & other exact", { EXACT, IR_F_L4_DPORT, 80, 0 },
	  { EXACT, IR_F_L4_DPORT, 81, 0 }, 1, NULL },
	{ "prefix & narrower prefix", { PREFIX, IR_F_IP4_SRC, 0x0a000000, 8 },
	  { PREFIX, IR_F_IP4_SRC, 0x0a010000, 16 }, 0,
	  "prio 0 ip4.src=10.1.0.0/16 -> slowpath" },
	{ "disjoint prefixes", { PREFIX, IR_F_IP4_SRC, 0x0a000000, 8 },
	  { PREFIX, IR_F_IP4_SRC, 0x0b000000, 8 }, 1, NULL },
	{ "masks combine", { MASK, IR_F_TCP_FLAGS, 0x002, 0x002 },
	  { MASK, IR_F_TCP_FLAGS, 0x000, 0x010 }, 0,
	  "prio 0 tcp.flags=0x002/0x012 -> slowpath" },
	{ "range & range", { RANGE, IR_F_L4_DPORT, 80, 90 },
	  { RANGE, IR_F_L4_DPORT, 85, 100 }, 0,
	  "prio 0 l4.dport=85-90 -> slowpath" },
	{ "disjoint ranges", { RANGE, IR_F_L4_DPORT, 80, 90 },
	  { RANGE, IR_F_L4_DPORT, 91, 100 }, 1, NULL },
	{ "exact in range", { EXACT, IR_F_L4_DPORT, 85, 0 },
	  { RANGE, IR_F_L4_DPORT, 80, 90 }, 0, "prio 0 l4.dport=85 -> slowpath" },
	{ "exact outside range", { RANGE, IR_F_L4_DPORT, 80, 90 },
	  { EXACT, IR_F_L4_DPORT, 79, 0 }, 1, NULL },
	{ "prefix & range -> range", { PREFIX, IR_F_L4_DPORT, 0, 6 },
	  { RANGE, IR_F_L4_DPORT, 1000, 5000 }, 0,
	  "prio 0 l4.dport=1000-1023 -> slowpath" },
	{ "range & prefix -> aligned block", { RANGE, IR_F_L4_DPORT, 0, 5000 },
	  { PREFIX, IR_F_L4_DPORT, 1024, 6 }, 0,
	  "prio 0 l4.dport=1024/6 -> slowpath" },
	{ "range to one port", { PREFIX, IR_F_L4_DPORT, 0, 0 },
	  { RANGE, IR_F_L4_DPORT, 443, 443 }, 0,
	  "prio 0 l4.dport=443 -> slowpath" },
	{ "prefix misses range", { PREFIX, IR_F_L4_DPORT, 0, 6 },
	  { RANGE, IR_F_L4_DPORT, 2000, 3000 }, 1, NULL },
	{ "non-prefix mask & range", { MASK, IR_F_L4_DPORT, 1, 1 },
	  { RANGE, IR_F_L4_DPORT, 10, 20 }, -EOPNOTSUPP, NULL },
	{ "non-prefix mask & one value", { MASK, IR_F_L4_DPORT, 1, 1 },
	  { RANGE, IR_F_L4_DPORT, 81, 81 }, 0, "prio 0 l4.dport=81 -> slowpath" },
	{ "non-prefix mask & other value", { RANGE, IR_F_L4_DPORT, 80, 80 },
	  { MASK, IR_F_L4_DPORT, 1, 1 }, 1, NULL },
	{ "different fields", { EXACT, IR_F_L4_DPORT, 80, 0 },
	  { EXACT, IR_F_ETH_TYPE, 0x0800, 0 }, 0,
	  "prio 0 eth.type=0x0800 l4.dport=80 -> slowpath" },
	{ "range clamped to width", { EXACT, IR_F_IP_PROTO, 6, 0 },
	  { RANGE, IR_F_VLAN_ID, 4000, 99999 }, 0,
	  "prio 0 vlan.id=4000-4095 ip.proto=6 -> slowpath" },
	{ "empty range", { EXACT, IR_F_IP_PROTO, 6, 0 },
	  { RANGE, IR_F_L4_SPORT, 9, 8 }, 1, NULL },
	{ "range on 128-bit field", { EXACT, IR_F_IP_PROTO, 6, 0 },
	  { RANGE, IR_F_IP6_SRC, 1, 2 }, -EINVAL, NULL },
	{ "key outside mask", { EXACT, IR_F_IP_PROTO, 6, 0 },
	  { MASK, IR_F_IP_TOS, 0xff, 0x0f }, -EINVAL, NULL },
};

START_TEST(test_rule_and)
{
	struct ir_rule r, before;
	struct ir_match a, b;
	char buf[256];
	int ret;

	ir_rule__init(&r);
	mk(&a, &and_cases[_i].a);
	mk(&b, &and_cases[_i].b);
	ck_assert_int_eq(ir_rule__and(&r, &a), 0);
	before = r;
	ret = ir_rule__and(&r, &b);
	ck_assert_msg(ret == and_cases[_i].ret, "%s: got %d",
		      and_cases[_i].name, ret);
	if (ret) {
		ck_assert_msg(!memcmp(&r, &before, sizeof(r)),
			      "%s: rule changed on failure", and_cases[_i].name);
		return;
	}
	ck_assert_int_gt(ir_rule__snprint(&r, buf, sizeof(buf), false), 0);
	ck_assert_msg(!strcmp(buf, and_cases[_i].want), "%s: got '%s'",
		      and_cases[_i].name, buf);
}
END_TEST

START_TEST(test_rule_find_order)
{
	static const enum ir_field_id order[] = {
		IR_F_L4_DPORT, IR_F_META_IFINDEX, IR_F_IP4_SRC, IR_F_ETH_TYPE,
		IR_F_META_LEN,
	};
	struct ir_rule r;
	struct ir_match m;

	ir_rule__init(&r);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		ir_match__exact(&m, order[i], 1);
		ck_assert_int_eq(ir_rule__and(&r, &m), 0);
	}
	ck_assert_uint_eq(r.n_matches, 5);
	for (uint32_t i = 1; i < r.n_matches; i++)
		ck_assert_int_lt(r.matches[i - 1].field, r.matches[i].field);
	ck_assert_ptr_nonnull(ir_rule__find(&r, IR_F_IP4_SRC));
	ck_assert_ptr_null(ir_rule__find(&r, IR_F_IP4_DST));
	ck_assert_int_eq(r.action.verdict, IR_ACT_SLOWPATH);
	ck_assert_int_eq(r.prov.path, -1);
}
END_TEST

static void set_prov(struct ir_rule *r, int path)
{
	r->prov.path = path;
	r->prov.n_ranges = 2;
	r->prov.ranges = calloc(2, sizeof(*r->prov.ranges));
	r->prov.ranges[0] = (struct ir_insn_range){ 0, 4, 0 };
	r->prov.ranges[1] = (struct ir_insn_range){ 9, 9, 0 };
	r->prov.n_maprefs = 1;
	r->prov.maprefs = calloc(1, sizeof(char *));
	r->prov.maprefs[0] = strdup("allow:0a000000/8");
}

START_TEST(test_ruleset_copy_remove)
{
	struct ir_ruleset *rs = ir_ruleset__new(), *c;
	struct ir_rule r;

	ir_rule__init(&r);
	set_prov(&r, 7);
	ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	/* The set owns a deep copy. */
	r.prov.maprefs[0][0] = 'X';
	ck_assert_str_eq(ir_ruleset__rule(rs, 0)->prov.maprefs[0],
			 "allow:0a000000/8");
	ck_assert_ptr_ne(ir_ruleset__rule(rs, 0)->prov.ranges, r.prov.ranges);
	ir_rule__fini(&r);
	ir_rule__init(&r);
	r.prio = 5;
	ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	c = ir_ruleset__clone(rs);
	ck_assert_ptr_nonnull(c);
	ir_ruleset__remove(rs, 0);
	ck_assert_uint_eq(ir_ruleset__count(rs), 1);
	ck_assert_uint_eq(ir_ruleset__rule_c(rs, 0)->prio, 5);
	ck_assert_ptr_null(ir_ruleset__rule_c(rs, 1));
	ck_assert_uint_eq(ir_ruleset__count(c), 2);
	ck_assert_uint_eq(ir_ruleset__rule_c(c, 0)->prov.ranges[1].first, 9);
	ir_ruleset__free(rs);
	ir_ruleset__free(c);
	ir_ruleset__free(NULL);
	ir_rule__fini(NULL);
}
END_TEST

START_TEST(test_ruleset_sort_stable)
{
	static const uint32_t prios[] = { 30, 10, 20, 10, 30, 0, 20, 10 };
	struct ir_ruleset *rs = ir_ruleset__new();
	struct ir_rule r;
	size_t n = sizeof(prios) / sizeof(prios[0]);

	for (size_t i = 0; i < n; i++) {
		ir_rule__init(&r);
		r.prio = prios[i];
		r.prov.path = (int32_t)i; /* remembers insertion order */
		ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	}
	ir_ruleset__sort(rs);
	for (size_t i = 1; i < n; i++) {
		const struct ir_rule *a = ir_ruleset__rule_c(rs, i - 1);
		const struct ir_rule *b = ir_ruleset__rule_c(rs, i);

		ck_assert_uint_le(a->prio, b->prio);
		if (a->prio == b->prio)
			ck_assert_int_lt(a->prov.path, b->prov.path);
	}
	ck_assert_int_eq(ir_ruleset__rule_c(rs, 0)->prov.path, 5);
	ck_assert_int_eq(ir_ruleset__check(rs, NULL, 0), 0);
	ir_ruleset__free(rs);
}
END_TEST

START_TEST(test_ruleset_meta)
{
	struct ir_ruleset *rs = ir_ruleset__new();
	const char *k, *v;

	ck_assert_int_eq(ir_ruleset__set_meta(rs, "program", "fw"), 0);
	ck_assert_int_eq(ir_ruleset__add_meta(rs, "note", "a"), 0);
	ck_assert_int_eq(ir_ruleset__add_meta(rs, "note", "b"), 0);
	ck_assert_int_eq(ir_ruleset__set_meta(rs, "program", "fw2"), 0);
	ck_assert_uint_eq(ir_ruleset__meta_count(rs), 3);
	ir_ruleset__meta_at(rs, 0, &k, &v);
	ck_assert_str_eq(k, "program");
	ck_assert_str_eq(v, "fw2");
	ir_ruleset__meta_at(rs, 2, &k, &v);
	ck_assert_str_eq(v, "b");
	ck_assert_str_eq(ir_ruleset__meta(rs, "note"), "a");
	ck_assert_ptr_null(ir_ruleset__meta(rs, "tag"));
	ck_assert_int_eq(ir_ruleset__set_meta(rs, "bad key", "x"), -EINVAL);
	ck_assert_int_eq(ir_ruleset__set_meta(rs, "k", "two\nlines"), -EINVAL);
	ir_ruleset__set_assume(rs, IR_ASSUME_NO_IP_OPTIONS |
				   IR_ASSUME_WELL_FORMED);
	ck_assert_uint_eq(ir_ruleset__assume(rs), 3);
	ck_assert_str_eq(ir_ruleset__meta(rs, "assume"),
			 "no-ip-options well-formed");
	ir_ruleset__set_hook(rs, IR_HOOK_XDP);
	ck_assert_int_eq(ir_ruleset__hook(rs), IR_HOOK_XDP);
	ck_assert_str_eq(ir_ruleset__meta(rs, "hook"), "xdp");
	ck_assert_int_eq(ir_ruleset__set_meta(rs, "assume", "bogus"), -EINVAL);
	ck_assert_int_eq(ir_ruleset__set_meta(rs, "assume", "well-formed"), 0);
	ck_assert_uint_eq(ir_ruleset__assume(rs), IR_ASSUME_WELL_FORMED);
	ir_ruleset__free(rs);
}
END_TEST

/* A million appends then a sort: linear-ish, not quadratic (the test
 * would time out otherwise). */
START_TEST(test_ruleset_scale)
{
	struct ir_ruleset *rs = ir_ruleset__new();
	struct ir_rule r;
	struct ir_match m;
	const size_t n = 1000000;

	ir_rule__init(&r);
	ir_match__exact(&m, IR_F_IP4_DST, 0);
	ck_assert_int_eq(ir_rule__and(&r, &m), 0);
	for (size_t i = 0; i < n; i++) {
		r.prio = (uint32_t)(n - i) / 4;
		ir_val__from_u64(&r.matches[0].key, IR_F_IP4_DST, i);
		ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	}
	ir_ruleset__sort(rs);
	ck_assert_uint_eq(ir_ruleset__count(rs), n);
	ck_assert_uint_eq(ir_ruleset__rule_c(rs, 0)->prio, 0);
	ck_assert_int_eq(ir_ruleset__check(rs, NULL, 0), 0);
	ir_ruleset__free(rs);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ir_rule");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_field_table);
	tcase_add_test(tc, test_val_u64);
	tcase_add_test(tc, test_assume_names);
	tcase_add_loop_test(tc, test_rule_and, 0,
			    sizeof(and_cases) / sizeof(and_cases[0]));
	tcase_add_test(tc, test_rule_find_order);
	tcase_add_test(tc, test_ruleset_copy_remove);
	tcase_add_test(tc, test_ruleset_sort_stable);
	tcase_add_test(tc, test_ruleset_meta);
	suite_add_tcase(s, tc);
	tc = tcase_create("scale");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_ruleset_scale);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fl_check_run(suite());
}
