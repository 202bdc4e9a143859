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
#include "testsuite/fl_check.h"

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

/* Registers beyond r10 in a corrupt object: refused by name before the
 * lifter indexes by them (fuzz_lift found the lifter reading past its
 * register file), also in an ldimm64's second half, where a bad jump can
 * land. */
#define I(c, d, s, o, i) { .code = (c), .dst_reg = (d), .src_reg = (s), \
			   .off = (o), .imm = (i) }
static const struct {
	struct bpf_insn in[4];
	size_t n;
	const char *want;
} bad_regs[] = {
	{ { I(BPF_ALU64 | BPF_MOV | BPF_K, 14, 0, 0, 0),
	    I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0) }, 2,
	  "prog 'bad': insn 0: register r14 does not exist" },
	{ { I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
	    I(BPF_JMP | BPF_JEQ | BPF_X, 0, 12, 0, 0),
	    I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0) }, 3,
	  "prog 'bad': insn 1: register r12 does not exist" },
	{ { I(BPF_JMP | BPF_JA, 0, 0, 1, 0),
	    I(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1),
	    I(0x07, 15, 0, 0, 0),
	    I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0) }, 4,
	  "prog 'bad': insn 2: register r15 does not exist" },
};

START_TEST(bad_registers)
{
	char path[512];
	struct lift_object *obj;
	struct bpf_insn insns[4];
	struct lift_prog prog = { .name = "bad", .sec = "tc",
				  .type = BPF_PROG_TYPE_SCHED_CLS,
				  .insns = insns };
	struct lift_opts o = { 0 };
	struct ir_ruleset *rs = NULL;
	int ret;

	snprintf(path, sizeof(path), "%s/robust_paths.bpf.o", ROBUST_OBJ_DIR);
	obj = lift_object__open(path, err, sizeof(err));
	ck_assert_msg(obj, "%s", err);
	memcpy(insns, bad_regs[_i].in, sizeof(insns));
	prog.n_insns = prog.n_main = bad_regs[_i].n;
	ret = lift_compile(obj, &prog, &o, &rs, NULL, err, sizeof(err));
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_ptr_null(rs);
	ck_assert_str_eq(err, bad_regs[_i].want);
	lift_object__free(obj);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("robust_prog");
	TCase *tc = tcase_create("prog");

	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, million_insns);
	tcase_add_test(tc, million_insns_small_limit);
	tcase_add_loop_test(tc, path_explosion, 0,
			    sizeof(path_limits) / sizeof(path_limits[0]));
	tcase_add_loop_test(tc, bad_registers, 0,
			    sizeof(bad_regs) / sizeof(bad_regs[0]));
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
