// SPDX-License-Identifier: Apache-2.0
/*
 * test_robust_prog.c - absurd programs: over a million instructions (the
 * loader takes or refuses it cleanly, the lifter stops at its step limit
 * and says so), and 2^40 paths (the lifter stops at its path limit, says
 * so, and what it emits is still a checked rule set).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compiler.h"

static char err[1024];

/* Lift obj's only program; diagnostics into *diag (malloc'd). */
static int lift(const char *name, const struct lift_opts *in,
		struct ir_ruleset **rs, struct lift_stats *st, char **diag)
{
	char path[512];
	struct lift_object *obj;
	struct lift_prog *prog;
	struct lift_opts o = *in;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", ROBUST_OBJ_DIR, name);
	obj = lift_object__open(path, err, sizeof(err));
	ck_assert_msg(obj, "%s", err);
	prog = lift_object__find_prog(obj, NULL, err, sizeof(err));
	ck_assert_msg(prog, "%s", err);
	o.diag = open_memstream(diag, &len);
	ret = lift_compile(obj, prog, &o, rs, st, err, sizeof(err));
	fclose(o.diag);
	lift_object__free(obj);
	return ret;
}

START_TEST(million_insns)
{
	struct lift_opts o = { 0 };
	struct ir_ruleset *rs = NULL;
	struct lift_stats st = { 0 };
	char *diag = NULL;
	int ret = lift("robust_huge", &o, &rs, &st, &diag);

	/* Either a clear refusal or a rule set that leaves the program's
	 * packets to the slow path, the step limit named. */
	if (ret) {
		ck_assert_ptr_null(rs);
		ck_assert_msg(err[0] && !strchr(err, '\n'), "%s", err);
	} else {
		ck_assert_msg(strstr(diag, "path longer than 1048576 instructions (step limit)"), "%s",
			      diag);
		ck_assert_int_eq(ir_ruleset__check(rs, err, sizeof(err)), 0);
		ck_assert_uint_ge(st.paths_slowpath, 1);
	}
	free(diag);
	ir_ruleset__free(rs);
}
END_TEST

START_TEST(million_insns_small_limit)
{
	struct lift_opts o = { .max_steps = 1000 };
	struct ir_ruleset *rs = NULL;
	struct lift_stats st = { 0 };
	char *diag = NULL;
	int ret = lift("robust_huge", &o, &rs, &st, &diag);

	ck_assert_msg(!ret, "%s", err);
	ck_assert_msg(strstr(diag, "path longer than 1000 instructions (step limit)"), "%s", diag);
	ck_assert_int_eq(ir_ruleset__check(rs, err, sizeof(err)), 0);
	free(diag);
	ir_ruleset__free(rs);
}
END_TEST

static const uint32_t path_limits[] = { 100, 4096 };

START_TEST(path_explosion)
{
	uint32_t lim = path_limits[_i];
	struct lift_opts o = { .max_paths = lim };
	struct ir_ruleset *rs = NULL;
	struct lift_stats st = { 0 };
	char *diag = NULL, want[64];
	int ret = lift("robust_paths", &o, &rs, &st, &diag);

	ck_assert_msg(!ret, "%s", err);
	snprintf(want, sizeof(want), "path limit (%u) reached",
		 lim ? lim : 65536);
	ck_assert_msg(strstr(diag, want), "no '%s' in:\n%.2000s", want, diag);
	/* the paths cut at the limit are counted too */
	ck_assert_uint_le(st.paths, 2 * (lim ? lim : 65536));
	ck_assert_uint_ge(st.paths_slowpath, 1);
	ck_assert_int_eq(ir_ruleset__check(rs, err, sizeof(err)), 0);
	free(diag);
	ir_ruleset__free(rs);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("robust_prog");
	TCase *tc = tcase_create("prog");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, million_insns);
	tcase_add_test(tc, million_insns_small_limit);
	tcase_add_loop_test(tc, path_explosion, 0,
			    sizeof(path_limits) / sizeof(path_limits[0]));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
