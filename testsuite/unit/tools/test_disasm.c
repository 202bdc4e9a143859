// SPDX-License-Identifier: Apache-2.0
/* test_disasm.c - own decoder and LLVM's, instruction by instruction. */
#include <check.h>
#include <string.h>

#include "tools/disasm.h"
#include "testsuite/fl_check.h"

#define INSN(c, d, s, o, i) \
	{ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }

static const struct {
	struct bpf_insn in[2];
	int took;
	const char *own;
	const char *llvm; /* NULL: ours is used (pseudo insns) */
} cases[] = {
	{ { INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 2) }, 1,
	  "r0 = 2", "r0 = 2" },
	{ { INSN(BPF_ALU | BPF_ADD | BPF_X, 1, 2, 0, 0) }, 1,
	  "w1 += w2", "w1 += w2" },
	{ { INSN(BPF_ALU64 | BPF_ARSH | BPF_K, 3, 0, 0, 4) }, 1,
	  "r3 s>>= 4", "r3 s>>= 4" },
	{ { INSN(BPF_ALU | BPF_END | BPF_TO_BE, 2, 0, 0, 16) }, 1,
	  "r2 = be16 r2", "r2 = be16 r2" },
	{ { INSN(BPF_ALU64 | BPF_NEG, 4, 0, 0, 0) }, 1, "r4 = -r4",
	  "r4 = -r4" },
	{ { INSN(BPF_LDX | BPF_MEM | BPF_W, 1, 2, 12, 0) }, 1,
	  "r1 = *(u32 *)(r2 +12)", "r1 = *(u32 *)(r2 + 12)" },
	{ { INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -8, 0) }, 1,
	  "*(u64 *)(r10 -8) = r1", "*(u64 *)(r10 - 8) = r1" },
	{ { INSN(BPF_ST | BPF_MEM | BPF_B, 10, 0, -1, 7) }, 1,
	  "*(u8 *)(r10 -1) = 7", NULL }, /* LLVM 14 has no BPF_ST */
	{ { INSN(BPF_JMP | BPF_JNE | BPF_K, 1, 0, 5, 0x800) }, 1,
	  "if r1 != 0x800 goto +5", "if r1 != 2048 goto +5" },
	{ { INSN(BPF_JMP32 | BPF_JGT | BPF_X, 1, 2, -3, 0) }, 1,
	  "if w1 > w2 goto -3", "if w1 > w2 goto -3" },
	{ { INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0) }, 1, "exit", "exit" },
	{ { INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 1) }, 1, "call 1", NULL },
	{ { INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 7) }, 1,
	  "call pc+7", NULL },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, 3),
	    INSN(0, 0, 0, 0, 0) }, 2, "r1 = map[3] ll", NULL },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_MAP_VALUE, 0, 1),
	    INSN(0, 0, 0, 0, 16) }, 2, "r2 = &map[1] + 16 ll", NULL },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 2, 0, 0, 1),
	    INSN(0, 0, 0, 0, 1) }, 2, "r2 = 0x100000001 ll", NULL },
	{ { INSN(0xff, 0, 0, 0, 0) }, 1, "<invalid opcode 0xff>", NULL },
};

START_TEST(test_own)
{
	char buf[128];
	int n = fl_disasm__own(cases[_i].in, cases[_i].took, 0, buf,
			       sizeof(buf));

	ck_assert_int_eq(n, cases[_i].took);
	ck_assert_str_eq(buf, cases[_i].own);
}
END_TEST

START_TEST(test_llvm)
{
	struct fl_disasm *d = fl_disasm__new();
	bool by_llvm;
	char buf[128];
	int n;

	ck_assert_msg(d, "LLVM's BPF disassembler is unavailable");
	n = fl_disasm__insn(d, cases[_i].in, cases[_i].took, 0, buf,
			    sizeof(buf), &by_llvm);
	ck_assert_int_eq(n, cases[_i].took);
	if (cases[_i].llvm) {
		ck_assert(by_llvm);
		ck_assert_str_eq(buf, cases[_i].llvm);
	} else {
		ck_assert(!by_llvm);
		ck_assert_str_eq(buf, cases[_i].own);
	}
	fl_disasm__free(d);
}
END_TEST

START_TEST(test_bounds)
{
	struct bpf_insn ld = INSN(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 1);
	char buf[64];

	/* An ldimm64 cut off at the end of the program is invalid, not a
	 * read past the array. */
	ck_assert_int_eq(fl_disasm__own(&ld, 1, 0, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "<invalid opcode 0x18>");
	ck_assert_int_lt(fl_disasm__own(&ld, 1, 1, buf, sizeof(buf)), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("disasm");
	TCase *tc = tcase_create("all");
	size_t n = sizeof(cases) / sizeof(cases[0]);

	tcase_add_loop_test(tc, test_own, 0, n);
	tcase_add_loop_test(tc, test_llvm, 0, n);
	tcase_add_test(tc, test_bounds);
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
