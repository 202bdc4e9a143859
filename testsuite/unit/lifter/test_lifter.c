// SPDX-License-Identifier: Apache-2.0
/*
 * test_lifter.c - the lifter's symbolic core: ALU and jump semantics
 * against a reference on random constants, the bit domain against
 * concrete evaluation, and tiny hand-assembled programs lifted to rules.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "compiler/lift_internal.h"
#include "testsuite/fl_check.h"

/* Reference semantics, written from the BPF ISA document. */
static uint64_t ref_alu(uint8_t op, bool is64, uint64_t d, uint64_t s)
{
	if (!is64) {
		uint32_t a = d, b = s, r;

		switch (op) {
		case BPF_ADD: r = a + b; break;
		case BPF_SUB: r = a - b; break;
		case BPF_MUL: r = a * b; break;
		case BPF_DIV: r = b ? a / b : 0; break;
		case BPF_MOD: r = b ? a % b : a; break;
		case BPF_OR: r = a | b; break;
		case BPF_AND: r = a & b; break;
		case BPF_XOR: r = a ^ b; break;
		case BPF_LSH: r = a << (b % 32); break;
		case BPF_RSH: r = a >> (b % 32); break;
		case BPF_ARSH: r = (uint32_t)((int32_t)a >> (b % 32)); break;
		case BPF_NEG: r = 0 - a; break;
		default: r = b; break; /* MOV */
		}
		return r;
	}
	switch (op) {
	case BPF_ADD: return d + s;
	case BPF_SUB: return d - s;
	case BPF_MUL: return d * s;
	case BPF_DIV: return s ? d / s : 0;
	case BPF_MOD: return s ? d % s : d;
	case BPF_OR: return d | s;
	case BPF_AND: return d & s;
	case BPF_XOR: return d ^ s;
	case BPF_LSH: return d << (s % 64);
	case BPF_RSH: return d >> (s % 64);
	case BPF_ARSH: return (uint64_t)((int64_t)d >> (s % 64));
	case BPF_NEG: return 0 - d;
	default: return s;
	}
}

static const uint8_t alu_ops[] = {
	BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH,
	BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH,
};

static uint64_t rnd64(void)
{
	uint64_t x = (uint64_t)random() << 33 ^ (uint64_t)random() << 11 ^
		     random();

	switch (random() % 6) {
	case 0: return x & 0xff;
	case 1: return x & 63;
	case 2: return (uint64_t)(int64_t)(int32_t)x;
	case 3: return 0;
	default: return x;
	}
}

START_TEST(alu_const_vs_reference)
{
	srandom(1);
	for (int n = 0; n < 20000; n++)
		for (size_t i = 0; i < sizeof(alu_ops); i++)
			for (int w = 0; w < 2; w++) {
				uint64_t d = rnd64(), s = rnd64();
				struct lift_val a, b;

				lift_val__const(&a, d);
				lift_val__const(&b, s);
				lift_val__alu(&a, &b, alu_ops[i], w, 0);
				ck_assert_msg(lift_val__is_const(&a),
					      "op 0x%x", alu_ops[i]);
				ck_assert_msg(a.c == ref_alu(alu_ops[i], w, d, s),
					      "op 0x%x w%d %llx %llx",
					      alu_ops[i], w,
					      (unsigned long long)d,
					      (unsigned long long)s);
			}
}
END_TEST

START_TEST(signed_div_mod)
{
	static const struct {
		uint8_t op;
		bool is64;
		int64_t d, s, want;
	} t[] = {
		{ BPF_DIV, true, -7, 2, -3 },
		{ BPF_MOD, true, -7, 2, -1 },
		{ BPF_DIV, true, INT64_MIN, -1, INT64_MIN },
		{ BPF_MOD, true, INT64_MIN, -1, 0 },
		{ BPF_DIV, true, 5, 0, 0 },
		{ BPF_MOD, true, -5, 0, -5 },
		{ BPF_DIV, false, -8, 3, (uint32_t)-2 },
		{ BPF_MOD, false, -8, 3, (uint32_t)-2 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_uint_eq(lift_alu_const(t[i].op, t[i].is64, 1,
						 t[i].d, t[i].s),
				  (uint64_t)t[i].want);
}
END_TEST

static bool ref_jmp(uint8_t op, bool is32, uint64_t a, uint64_t b)
{
	if (is32) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	int64_t sa = is32 ? (int32_t)a : (int64_t)a;
	int64_t sb = is32 ? (int32_t)b : (int64_t)b;

	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSET: return a & b;
	case BPF_JSGT: return sa > sb;
	case BPF_JSGE: return sa >= sb;
	case BPF_JSLT: return sa < sb;
	default: return sa <= sb; /* JSLE */
	}
}

START_TEST(jmp_const_vs_reference)
{
	static const uint8_t ops[] = {
		BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE,
		BPF_JSET, BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE,
	};

	srandom(2);
	for (int n = 0; n < 20000; n++)
		for (size_t i = 0; i < sizeof(ops); i++) {
			uint64_t a = rnd64(), b = random() & 1 ? a : rnd64();

			ck_assert(lift_jmp_const(ops[i], false, a, b) ==
				  ref_jmp(ops[i], false, a, b));
			ck_assert(lift_jmp_const(ops[i], true, a, b) ==
				  ref_jmp(ops[i], true, a, b));
		}
}
END_TEST

/* A symbolic value whose bits are bits of field ip4.src (32 bits in byte
 * order as loaded on a little-endian machine), evaluated under a concrete
 * field value. */
static void sym_src(struct lift_val *v)
{
	lift_val__const(v, 0);
	for (int i = 0; i < 32; i++) {
		v->sym |= 1ull << i;
		v->b[i] = (struct lift_bit){ IR_F_IP4_SRC, i };
	}
}

static bool eval(const struct lift_val *v, uint32_t field, uint64_t *out)
{
	uint64_t x = v->c & ~v->sym;

	for (int i = 0; i < 64; i++) {
		unsigned int bit;

		if (!(v->sym >> i & 1))
			continue;
		if (v->b[i].f != IR_F_IP4_SRC)
			return false; /* opaque */
		bit = field >> (v->b[i].i & ~LB_NEG) & 1;
		if (v->b[i].i & LB_NEG)
			bit ^= 1;
		x |= (uint64_t)bit << i;
	}
	*out = x;
	return true;
}

START_TEST(bit_domain_vs_concrete)
{
	static const uint8_t ops[] = {
		BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH, BPF_ARSH, BPF_ADD,
		BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_MOV,
	};
	int exact = 0;

	srandom(3);
	for (int n = 0; n < 5000; n++)
		for (size_t i = 0; i < sizeof(ops); i++)
			for (int w = 0; w < 2; w++) {
				uint32_t f = random();
				uint64_t s = rnd64(), got, want;
				struct lift_val v, c;

				if (ops[i] == BPF_MUL || ops[i] == BPF_DIV ||
				    ops[i] == BPF_MOD)
					s = 1ull << (random() % 8);
				sym_src(&v);
				lift_val__const(&c, s);
				lift_val__alu(&v, &c, ops[i], w, 0);
				want = ref_alu(ops[i], w, f, s);
				if (!eval(&v, f, &got))
					continue;
				exact++;
				ck_assert_msg(got == want,
					      "op 0x%x w%d f=%x s=%llx: %llx "
					      "want %llx", ops[i], w, f,
					      (unsigned long long)s,
					      (unsigned long long)got,
					      (unsigned long long)want);
			}
	ck_assert_int_gt(exact, 50000);
}
END_TEST

START_TEST(byte_swap)
{
	struct lift_val v;
	uint64_t got;

	sym_src(&v);
	lift_val__endian(&v, true, 32);
	ck_assert(eval(&v, 0x0a000001, &got));
	ck_assert_uint_eq(got, 0x0100000a);
	sym_src(&v);
	lift_val__endian(&v, true, 16);
	ck_assert(eval(&v, 0x0a000102, &got));
	ck_assert_uint_eq(got, 0x0201);
	sym_src(&v);
	lift_val__endian(&v, false, 16);
	ck_assert(eval(&v, 0x0a000102, &got));
	ck_assert_uint_eq(got, 0x0102);
}
END_TEST

/*
 * Tiny programs.
 */
#define I(c, d, s, o, i) ((struct bpf_insn){ c, d, s, o, i })
#define LDXW(d, s, o) I(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define LDXH(d, s, o) I(BPF_LDX | BPF_MEM | BPF_H, d, s, o, 0)
#define LDXB(d, s, o) I(BPF_LDX | BPF_MEM | BPF_B, d, s, o, 0)
#define MOV64(d, s) I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOVI(d, i) I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADDI(d, i) I(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define JGT(d, s, o) I(BPF_JMP | BPF_JGT | BPF_X, d, s, o, 0)
#define JNEI(d, i, o) I(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JA(o) I(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL(h) I(BPF_JMP | BPF_CALL, 0, 0, 0, h)
#define EXIT I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static struct ir_ruleset *lift(struct bpf_insn *insns, size_t n,
			       enum bpf_prog_type type,
			       const struct lift_opts *o,
			       struct lift_stats *st)
{
	static struct lift_prog prog;
	static struct lift_object obj;
	struct ir_ruleset *rs = NULL;
	char err[256];
	int ret;

	memset(&prog, 0, sizeof(prog));
	prog.name = "t";
	prog.sec = type == BPF_PROG_TYPE_XDP ? "xdp" : "tc";
	prog.type = type;
	prog.insns = insns;
	prog.n_insns = prog.n_main = n;
	obj.path = "t.o";
	obj.progs = &prog;
	obj.n_progs = 1;
	ret = lift_compile(&obj, &prog, o, &rs, st, err, sizeof(err));
	ck_assert_msg(!ret, "lift_compile: %d %s", ret, err);
	return rs;
}

static void expect(struct ir_ruleset *rs, const char *const *want,
		   size_t n)
{
	char buf[512];

	ck_assert_uint_eq(ir_ruleset__count(rs), n);
	for (size_t i = 0; i < n; i++) {
		ir_rule__snprint(ir_ruleset__rule_c(rs, i), buf, sizeof(buf),
				 false);
		ck_assert_str_eq(buf, want[i]);
	}
}

/* if (data + 14 > end) pass; if (eth.type != 0x0800) pass; drop */
static struct bpf_insn eth_prog[] = {
	LDXW(2, 1, 4), LDXW(1, 1, 0), MOV64(3, 1), ADDI(3, 14),
	JGT(3, 2, 4), LDXH(4, 1, 12), JNEI(4, 0x0008, 2), MOVI(0, 1), EXIT,
	MOVI(0, 2), EXIT,
};

START_TEST(xdp_ethertype)
{
	static const char *const want[] = {
		"prio 1 meta.len=0-13 -> pass",
		"prio 1 eth.type=0x0800 meta.len=14-65535 -> drop",
		"prio 2 meta.len=14-65535 -> pass",
	};
	struct lift_opts o = { 0 };
	struct lift_stats st;
	struct ir_ruleset *rs = lift(eth_prog, FL_ARRAY_SIZE(eth_prog),
				     BPF_PROG_TYPE_XDP, &o, &st);

	expect(rs, want, FL_ARRAY_SIZE(want));
	ck_assert_uint_eq(st.paths, 3);
	ck_assert_uint_eq(st.paths_slowpath, 0);
	ir_ruleset__free(rs);
}
END_TEST

START_TEST(tc_excludes_tagged_frames)
{
	struct bpf_insn p[FL_ARRAY_SIZE(eth_prog)];
	struct lift_opts o = { 0 };
	struct ir_ruleset *rs;

	/* __sk_buff: data at 76, data_end at 80 */
	memcpy(p, eth_prog, sizeof(p));
	p[0].off = 80;
	p[1].off = 76;
	p[7] = MOVI(0, 2); /* TC_ACT_SHOT */
	p[9] = MOVI(0, 0); /* TC_ACT_OK */
	rs = lift(p, FL_ARRAY_SIZE(p), BPF_PROG_TYPE_SCHED_CLS, &o, NULL);
	char buf[512];
	bool untagged_pass = false;

	/* the pass rule for "not IPv4" must not catch tagged frames,
	 * whose inner ethertype the program saw */
	for (size_t i = 0; i < ir_ruleset__count(rs); i++) {
		const struct ir_rule *r = ir_ruleset__rule_c(rs, i);

		ir_rule__snprint(r, buf, sizeof(buf), false);
		if (r->action.verdict == IR_ACT_PASS &&
		    !ir_rule__find(r, IR_F_ETH_TYPE)) {
			ck_assert_msg(ir_rule__find(r, IR_F_NUM_VLANS), "%s",
				      buf);
			untagged_pass = true;
		}
	}
	ck_assert(untagged_pass);
	ir_ruleset__free(rs);
	/* the XDP offsets mean other fields in __sk_buff: slow path */
	rs = lift(eth_prog, FL_ARRAY_SIZE(eth_prog), BPF_PROG_TYPE_SCHED_CLS,
		  &o, NULL);
	ck_assert_ptr_nonnull(strstr(ir_ruleset__meta(rs, "slowpath"),
				     "context field pkt_type"));
	ir_ruleset__free(rs);
}
END_TEST

START_TEST(helper_to_slow_path)
{
	struct bpf_insn p[] = {
		CALL(BPF_FUNC_ktime_get_ns), MOVI(0, 2), EXIT,
	};
	struct lift_opts o = { 0 };
	struct lift_stats st;
	struct ir_ruleset *rs = lift(p, FL_ARRAY_SIZE(p), BPF_PROG_TYPE_XDP,
				     &o, &st);
	const char *note = ir_ruleset__meta(rs, "slowpath");

	ck_assert_ptr_nonnull(note);
	ck_assert_str_eq(note, "insn 0: helper bpf_ktime_get_ns has no rule "
			 "equivalent");
	ck_assert_uint_eq(st.paths_slowpath, 1);
	ir_ruleset__free(rs);
}
END_TEST

START_TEST(endless_loop_is_cut)
{
	/* for (;;) if (eth.type == x) ...: a loop the lifter must cut */
	struct bpf_insn p[] = {
		LDXW(2, 1, 4), LDXW(1, 1, 0), MOV64(3, 1), ADDI(3, 14),
		JGT(3, 2, 3), LDXH(4, 1, 12), ADDI(5, 1), JA(-3),
		MOVI(0, 2), EXIT,
	};
	struct lift_opts o = { .max_unroll = 10 };
	struct lift_stats st;
	struct ir_ruleset *rs = lift(p, FL_ARRAY_SIZE(p), BPF_PROG_TYPE_XDP,
				     &o, &st);
	const char *note = ir_ruleset__meta(rs, "slowpath");

	ck_assert_ptr_nonnull(note);
	ck_assert_ptr_nonnull(strstr(note, "unroll limit"));
	ir_ruleset__free(rs);
}
END_TEST

START_TEST(path_limit)
{
	/* eight independent one-bit tests on eth.src: 256 paths */
	struct bpf_insn p[40];
	size_t n = 0;
	struct lift_opts o = { .max_paths = 16 };
	struct lift_stats st;
	struct ir_ruleset *rs;

	p[n++] = LDXW(2, 1, 4);
	p[n++] = LDXW(1, 1, 0);
	p[n++] = MOV64(3, 1);
	p[n++] = ADDI(3, 14);
	p[n++] = JGT(3, 2, 2 + 8 * 2);
	p[n++] = LDXB(4, 1, 11);
	p[n++] = MOVI(0, 0);
	for (int b = 0; b < 8; b++) {
		p[n++] = I(BPF_JMP | BPF_JSET | BPF_K, 4, 0, 1, 1 << b);
		p[n++] = ADDI(0, 0);
	}
	p[n++] = MOVI(0, 2);
	p[n++] = EXIT;
	rs = lift(p, n, BPF_PROG_TYPE_XDP, &o, &st);
	ck_assert_uint_le(st.paths, 17);
	ck_assert_ptr_nonnull(strstr(ir_ruleset__meta(rs, "slowpath"),
				     "path limit"));
	ir_ruleset__free(rs);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lifter");
	TCase *t = tcase_create("core");

	tcase_add_test(t, alu_const_vs_reference);
	tcase_add_test(t, signed_div_mod);
	tcase_add_test(t, jmp_const_vs_reference);
	tcase_add_test(t, bit_domain_vs_concrete);
	tcase_add_test(t, byte_swap);
	tcase_add_test(t, xdp_ethertype);
	tcase_add_test(t, tc_excludes_tagged_frames);
	tcase_add_test(t, helper_to_slow_path);
	tcase_add_test(t, endless_loop_is_cut);
	tcase_add_test(t, path_limit);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return fl_check_run(suite());
}
