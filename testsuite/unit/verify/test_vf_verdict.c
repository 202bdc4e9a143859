// SPDX-License-Identifier: Apache-2.0
/* test_vf_verdict.c - kernel return codes to IR verdicts. */
#include <errno.h>
#include <string.h>

#include <linux/pkt_cls.h>

#include "test_verify.h"
#include "verify/verify.h"

static const struct {
	enum bpf_prog_type type;
	int64_t ret;
	enum ir_verdict want;
	const char *name;
} cases[] = {
	{ BPF_PROG_TYPE_SCHED_CLS, TC_ACT_OK, IR_ACT_PASS, "TC_ACT_OK" },
	{ BPF_PROG_TYPE_SCHED_CLS, 0xffffffffu, IR_ACT_PASS, "TC_ACT_UNSPEC" },
	{ BPF_PROG_TYPE_SCHED_CLS, TC_ACT_SHOT, IR_ACT_DROP, "TC_ACT_SHOT" },
	{ BPF_PROG_TYPE_SCHED_CLS, TC_ACT_STOLEN, IR_ACT_DROP,
	  "TC_ACT_STOLEN" },
	{ BPF_PROG_TYPE_SCHED_CLS, TC_ACT_TRAP, IR_ACT_DROP, "TC_ACT_TRAP" },
	{ BPF_PROG_TYPE_SCHED_CLS, TC_ACT_REDIRECT, IR_ACT_REDIRECT,
	  "TC_ACT_REDIRECT" },
	{ BPF_PROG_TYPE_SCHED_CLS, TC_ACT_PIPE, IR_ACT_PASS, "TC_ACT_PIPE" },
	{ BPF_PROG_TYPE_SCHED_CLS, 42, IR_ACT_PASS, "unknown 42" },
	{ BPF_PROG_TYPE_SCHED_ACT, TC_ACT_SHOT, IR_ACT_DROP, "TC_ACT_SHOT" },
	{ BPF_PROG_TYPE_XDP, XDP_ABORTED, IR_ACT_DROP, "XDP_ABORTED" },
	{ BPF_PROG_TYPE_XDP, XDP_DROP, IR_ACT_DROP, "XDP_DROP" },
	{ BPF_PROG_TYPE_XDP, XDP_PASS, IR_ACT_PASS, "XDP_PASS" },
	{ BPF_PROG_TYPE_XDP, XDP_TX, IR_ACT_TX, "XDP_TX" },
	{ BPF_PROG_TYPE_XDP, XDP_REDIRECT, IR_ACT_REDIRECT, "XDP_REDIRECT" },
	{ BPF_PROG_TYPE_XDP, 9, IR_ACT_DROP, "unknown 9" },
};

START_TEST(map_codes)
{
	struct vf_kverdict kv;

	ck_assert_int_eq(vf_verdict__map(cases[_i].type, cases[_i].ret, &kv),
			 0);
	ck_assert_int_eq(kv.verdict, cases[_i].want);
	ck_assert_str_eq(kv.name, cases[_i].name);
}
END_TEST

START_TEST(other_types)
{
	struct vf_kverdict kv;

	ck_assert_int_eq(vf_verdict__map(BPF_PROG_TYPE_KPROBE, 0, &kv),
			 -EOPNOTSUPP);
}
END_TEST

START_TEST(agreement)
{
	ck_assert(vf_verdict__agrees(IR_ACT_SLOWPATH, IR_ACT_DROP));
	ck_assert(vf_verdict__agrees(IR_ACT_DROP, IR_ACT_DROP));
	ck_assert(!vf_verdict__agrees(IR_ACT_PASS, IR_ACT_DROP));
	ck_assert(!vf_verdict__agrees(IR_ACT_TX, IR_ACT_PASS));
	ck_assert(!vf_verdict__agrees(IR_ACT_REDIRECT, IR_ACT_PASS));
}
END_TEST

Suite *vf_verdict_suite(void)
{
	Suite *s = suite_create("vf_verdict");
	TCase *tc = tcase_create("map");

	tcase_add_loop_test(tc, map_codes, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, other_types);
	tcase_add_test(tc, agreement);
	suite_add_tcase(s, tc);
	return s;
}
