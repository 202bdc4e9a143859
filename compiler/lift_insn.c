// SPDX-License-Identifier: Apache-2.0
/*
 * lift_insn.c - one instruction on an abstract state, by an opcode-indexed
 * table (instr_cb[256], as in the NFP JIT). Handlers return LIFT_NEXT with
 * st->pc set to the next instruction, LIFT_STOP when the state was consumed
 * (path ended or queued behind a case split), or a negative errno.
 */
#include <errno.h>
#include <string.h>

#include "common/common.h"
#include "compiler/lift_internal.h"

typedef int (*lift_insn_fn)(struct lift_ctx *ctx, struct lift_state *st,
			    const struct bpf_insn *in);

static void src_operand(const struct lift_state *st,
			const struct bpf_insn *in, struct lift_val *v)
{
	if (BPF_SRC(in->code) == BPF_K) {
		if (BPF_CLASS(in->code) == BPF_ALU ||
		    BPF_CLASS(in->code) == BPF_JMP32)
			lift_val__const(v, (uint32_t)in->imm);
		else
			lift_val__const(v, (uint64_t)(int64_t)in->imm);
	} else {
		*v = st->r[in->src_reg];
	}
}

static bool is_ptr(const struct lift_val *v)
{
	return v->kind == LV_CTX || v->kind == LV_PKT ||
	       v->kind == LV_STACK || v->kind == LV_MAPVAL;
}

/* Under --assume no-ip-options every IPv4 header is 20 bytes: a value that
 * depends on ihl (the L4 offset, typically) takes ihl = 5 instead of one
 * path per header length, 11x fewer paths and rules. The rule carries
 * ip4.ihl=5, which legalisation drops under the same assumption. Returns
 * PINNED (re-execute the instruction), 0 if v does not depend on ihl,
 * LIFT_STOP if the path cannot have ihl = 5 (ended), or -errno. */
#define PINNED 2
static int assume_no_options(struct lift_ctx *ctx, struct lift_state *st,
			     const struct lift_val *v)
{
	struct ir_match m;
	bool ihl = false;
	int ret;

	if (!(ctx->opts->assume & IR_ASSUME_NO_IP_OPTIONS))
		return 0;
	for (uint64_t s = v->sym; s && !ihl; s &= s - 1)
		ihl = v->b[__builtin_ctzll(s)].f == IR_F_IP4_IHL;
	if (!ihl)
		return 0;
	ir_match__exact(&m, IR_F_IP4_IHL, 5);
	ret = ir_rule__and(&st->rule, &m);
	if (ret < 0)
		return ret;
	if (ret == 1)
		return lift_slow(ctx, st, "IPv4 options, outside "
				 "--assume no-ip-options");
	lift_state__pin(st);
	return PINNED;
}

/* Split on the field bits of v and re-execute the instruction with each
 * assignment (v then reads as a constant). */
int lift_split_on(struct lift_ctx *ctx, struct lift_state *st,
		  const struct lift_val *v, const char *what)
{
	struct lift_bit vars[LIFT_ENUM_MAX];
	unsigned int n = 0;
	uint8_t fields[64];
	unsigned int nf = 0;
	struct lift_work *w;
	int ret;

	ret = assume_no_options(ctx, st, v);
	if (ret)
		return ret == PINNED ? LIFT_NEXT : ret;
	for (uint64_t s = v->sym; s; s &= s - 1) {
		struct lift_bit b = v->b[__builtin_ctzll(s)];
		unsigned int k;

		b.i &= ~LB_NEG;
		if (b.f == LB_F_OPAQUE || b.f == LF_FRAGOFF)
			return lift_slow(ctx, st, "%s depends on bits no rule "
					 "can match", what);
		for (k = 0; k < n; k++)
			if (vars[k].f == b.f && vars[k].i == b.i)
				break;
		if (k < n)
			continue;
		if (n == LIFT_ENUM_MAX)
			return lift_slow(ctx, st, "%s depends on more than %d "
					 "bits", what, LIFT_ENUM_MAX);
		vars[n++] = b;
		for (k = 0; k < nf && fields[k] != b.f; k++)
			;
		if (k == nf)
			fields[nf++] = b.f;
	}
	ret = lift_require(ctx, st, fields, nf);
	if (ret)
		return ret;
	w = lift_push_work(ctx, LW_ENUM, st);
	if (!w)
		return -ENOMEM;
	memcpy(w->vars, vars, sizeof(vars[0]) * n);
	w->n_vars = n;
	w->n = 1u << n;
	return LIFT_STOP;
}

static uint64_t wmask(unsigned int w)
{
	return w >= 64 ? ~0ull : (1ull << w) - 1;
}

/* (x + add) mod 2^addw under +, - and masks to a narrower width. */
static int addend_alu(struct lift_val *d, uint8_t op, bool is64, uint64_t c)
{
	unsigned int w = is64 ? 64 : 32;

	if (!is64 && d->addw > 32)
		d->addw = 32;
	switch (op) {
	case BPF_ADD:
		d->add = (d->add + c) & wmask(d->addw);
		return LIFT_NEXT;
	case BPF_SUB:
		d->add = (d->add - c) & wmask(d->addw);
		return LIFT_NEXT;
	case BPF_AND:
		c &= wmask(w);
		if (c && !(c & (c + 1)) && __builtin_popcountll(c) <= d->addw) {
			d->addw = __builtin_popcountll(c);
			d->add &= wmask(d->addw);
			return LIFT_NEXT;
		}
		break;
	}
	lift_val__opaque(d);
	if (!is64)
		lift_val__trunc32(d);
	return LIFT_NEXT;
}

static int i_alu(struct lift_ctx *ctx, struct lift_state *st,
		 const struct bpf_insn *in)
{
	bool is64 = BPF_CLASS(in->code) == BPF_ALU64;
	uint8_t op = BPF_OP(in->code);
	struct lift_val *d = &st->r[in->dst_reg];
	struct lift_val s;

	if (in->dst_reg > 10 || (BPF_SRC(in->code) == BPF_X &&
				 in->src_reg > 10))
		return fl_err(ctx->err, ctx->errsz, -ENOEXEC,
			      "insn %u: bad register", st->pc);
	src_operand(st, in, &s);
	st->pc++;
	if (op == BPF_MOV) {
		if (s.kind == LV_SCALAR) {
			lift_val__alu(d, &s, op, is64, in->off);
		} else if (is64 || s.kind == LV_PKTLEN) {
			*d = s;
		} else if (s.kind == LV_ADDEND) {
			*d = s;
			lift_val__trunc32(d);
			if (d->addw > 32)
				d->addw = 32;
			d->add &= 0xffffffffull;
		} else {
			lift_val__opaque(d);
			lift_val__trunc32(d);
		}
		return LIFT_NEXT;
	}
	if (is64 && (op == BPF_ADD || op == BPF_SUB)) {
		/* pointer arithmetic */
		if (op == BPF_ADD && !is_ptr(d) && is_ptr(&s) &&
		    d->kind == LV_SCALAR) {
			struct lift_val t = *d;

			*d = s;
			s = t;
		}
		if ((is_ptr(d) || d->kind == LV_PKTLEN) &&
		    lift_val__is_const(&s)) {
			int64_t k = (int64_t)s.c;

			d->off += op == BPF_ADD ? k : -k;
			return LIFT_NEXT;
		}
		if (d->kind == LV_PKT && s.kind == LV_SCALAR &&
		    op == BPF_ADD) {
			st->pc--;
			return lift_split_on(ctx, st, &s, "packet offset");
		}
		if (op == BPF_SUB && d->kind == LV_PKT_END &&
		    s.kind == LV_PKT) {
			d->kind = LV_PKTLEN;
			d->off = s.off;
			return LIFT_NEXT;
		}
		if (op == BPF_SUB && d->kind == LV_PKT && s.kind == LV_PKT) {
			lift_val__const(d, (uint64_t)(int64_t)(d->off - s.off));
			return LIFT_NEXT;
		}
	}
	if (d->kind == LV_ADDEND && lift_val__is_const(&s))
		return addend_alu(d, op, is64, s.c);
	if (d->kind != LV_SCALAR) {
		lift_val__opaque(d);
		return LIFT_NEXT;
	}
	if ((op == BPF_ADD || op == BPF_SUB) && d->sym &&
	    lift_val__is_const(&s)) {
		struct lift_val t = *d;

		lift_val__alu(&t, &s, op, is64, in->off);
		if (t.sym != (is64 ? ~0ull : 0xffffffffull) ||
		    t.b[0].f != LB_F_OPAQUE) {
			*d = t; /* carry-free: still bits */
			return LIFT_NEXT;
		}
		/* x + k with carries: keep the sum symbolic */
		d->kind = LV_ADDEND;
		d->add = 0;
		d->addw = is64 ? 64 : 32;
		if (!is64)
			lift_val__trunc32(d);
		return addend_alu(d, op, is64, s.c);
	}
	lift_val__alu(d, &s, op, is64, in->off);
	return LIFT_NEXT;
}

static int i_end(struct lift_ctx *ctx, struct lift_state *st,
		 const struct bpf_insn *in)
{
	bool swap = BPF_CLASS(in->code) == BPF_ALU64 ||
		    BPF_SRC(in->code) == BPF_TO_BE;

	if (in->imm != 16 && in->imm != 32 && in->imm != 64)
		return fl_err(ctx->err, ctx->errsz, -ENOEXEC,
			      "insn %u: bad byte swap width %d", st->pc,
			      in->imm);
	lift_val__endian(&st->r[in->dst_reg], swap, in->imm);
	st->pc++;
	return LIFT_NEXT;
}

static int stack_addr(struct lift_ctx *ctx, struct lift_state *st,
		      const struct lift_val *p, int16_t off, unsigned int size,
		      unsigned int *slot, unsigned int *byte)
{
	int32_t a = p->off + off;

	if (a < -512 || a + (int32_t)size > 0 || p->frame >= st->n_frames)
		return lift_slow(ctx, st, "stack access out of range");
	*slot = (512 + a) / 8;
	*byte = (512 + a) % 8;
	if (*byte + size > 8)
		return lift_slow(ctx, st, "unaligned stack access");
	return 0;
}

static void touch(struct lift_frame *fr, unsigned int slot)
{
	while (fr->lo > slot) {
		fr->lo--;
		fr->slot[fr->lo].kind = LV_UNINIT;
	}
}

int lift_stack_load(struct lift_ctx *ctx, struct lift_state *st,
		    const struct lift_val *p, int16_t off, unsigned int size,
		    struct lift_val *out)
{
	unsigned int slot = 0, byte = 0; /* set when stack_addr succeeds */
	struct lift_frame *fr;
	const struct lift_val *sv;
	int ret = stack_addr(ctx, st, p, off, size, &slot, &byte);

	if (ret)
		return ret;
	fr = &st->fr[p->frame];
	if (slot < fr->lo || fr->slot[slot].kind == LV_UNINIT) {
		lift_val__opaque(out);
		return 0;
	}
	sv = &fr->slot[slot];
	if (size == 8 && byte == 0) {
		*out = *sv;
		return 0;
	}
	if (sv->kind != LV_SCALAR) {
		lift_val__opaque(out);
		if (size < 8)
			out->sym &= (1ull << (8 * size)) - 1;
		return 0;
	}
	lift_val__const(out, 0);
	for (unsigned int j = 0; j < size; j++) {
		struct lift_key_byte kb;

		lift_val__get_byte(sv, byte + j, &kb);
		lift_val__set_byte(out, j, &kb);
	}
	return 0;
}

int lift_stack_store(struct lift_ctx *ctx, struct lift_state *st,
		     const struct lift_val *p, int16_t off, unsigned int size,
		     const struct lift_val *v)
{
	unsigned int slot = 0, byte = 0; /* set when stack_addr succeeds */
	struct lift_frame *fr;
	struct lift_val *sv;
	int ret = stack_addr(ctx, st, p, off, size, &slot, &byte);

	if (ret)
		return ret;
	fr = &st->fr[p->frame];
	touch(fr, slot);
	sv = &fr->slot[slot];
	if (size == 8 && byte == 0) {
		*sv = *v;
		return 0;
	}
	if (sv->kind != LV_SCALAR)
		lift_val__opaque(sv);
	for (unsigned int j = 0; j < size; j++) {
		struct lift_key_byte kb;

		lift_val__get_byte(v, j, &kb);
		lift_val__set_byte(sv, byte + j, &kb);
	}
	return 0;
}

static const unsigned int sizes[4] = { 4, 2, 1, 8 }; /* W H B DW */

static int mapval_read(struct lift_ctx *ctx, struct lift_state *st,
		       const struct lift_val *p, int16_t off,
		       unsigned int size, struct lift_val *out)
{
	const struct lift_map *m = &ctx->obj->maps[p->map];
	int32_t a = p->off + off;
	uint64_t x = 0;

	if (a < 0 || a + size > m->value_size || !p->val)
		return lift_slow(ctx, st, "read outside map '%s' value",
				 m->name);
	if (ctx->state_maps[p->map]) {
		/* written by the programs: a snapshot is no rule input */
		lift_val__opaque(out);
		return 0;
	}
	for (unsigned int j = 0; j < size; j++)
		x |= (uint64_t)p->val[a + j] << (8 * j);
	lift_val__const(out, x);
	return 0;
}

static int i_ldx(struct lift_ctx *ctx, struct lift_state *st,
		 const struct bpf_insn *in)
{
	unsigned int size = sizes[BPF_SIZE(in->code) >> 3];
	struct lift_val p = st->r[in->src_reg], v;
	int ret;

	switch (p.kind) {
	case LV_CTX:
		ret = lift_ctx_read(ctx, st, p.off + in->off, size, &v);
		break;
	case LV_PKT:
		ret = lift_pkt_read(ctx, st, p.off + in->off, size, &v);
		break;
	case LV_STACK:
		ret = lift_stack_load(ctx, st, &p, in->off, size, &v);
		break;
	case LV_MAPVAL:
		ret = mapval_read(ctx, st, &p, in->off, size, &v);
		break;
	default:
		return lift_slow(ctx, st, "load through a value that is not a "
				 "known pointer");
	}
	if (ret)
		return ret;
	if (BPF_MODE(in->code) == 0x80 && size < 8 && v.kind == LV_SCALAR) {
		struct lift_val s = v;

		lift_val__alu(&v, &s, BPF_MOV, true, 8 * size); /* movsx */
	}
	st->r[in->dst_reg] = v;
	st->pc++;
	return LIFT_NEXT;
}

static int i_st(struct lift_ctx *ctx, struct lift_state *st,
		const struct bpf_insn *in)
{
	unsigned int size = sizes[BPF_SIZE(in->code) >> 3];
	struct lift_val p = st->r[in->dst_reg], v;
	int ret;

	if (BPF_MODE(in->code) == BPF_ATOMIC)
		return lift_slow(ctx, st, "atomic operation changes state");
	if (BPF_CLASS(in->code) == BPF_ST)
		lift_val__const(&v, (uint64_t)(int64_t)in->imm);
	else
		v = st->r[in->src_reg];
	switch (p.kind) {
	case LV_STACK:
		ret = lift_stack_store(ctx, st, &p, in->off, size, &v);
		if (ret)
			return ret;
		st->pc++;
		return LIFT_NEXT;
	case LV_PKT:
		return lift_slow(ctx, st, "writes packet data");
	case LV_CTX:
		return lift_slow(ctx, st, "writes a context field");
	case LV_MAPVAL:
		return lift_slow(ctx, st, "writes map '%s' value (state)",
				 ctx->obj->maps[p.map].name);
	default:
		return lift_slow(ctx, st, "store through a value that is not "
				 "a known pointer");
	}
}

static int i_ld_imm64(struct lift_ctx *ctx, struct lift_state *st,
		      const struct bpf_insn *in)
{
	struct lift_val *d = &st->r[in->dst_reg];
	const struct bpf_insn *next;
	const struct lift_map *m;

	if (st->pc + 1 >= st->prog->n_insns)
		return fl_err(ctx->err, ctx->errsz, -ENOEXEC,
			      "insn %u: truncated ldimm64", st->pc);
	next = in + 1;
	switch (in->src_reg) {
	case 0:
		lift_val__const(d, (uint32_t)in->imm |
				(uint64_t)(uint32_t)next->imm << 32);
		break;
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_IDX:
	case BPF_PSEUDO_MAP_VALUE:
	case BPF_PSEUDO_MAP_IDX_VALUE:
		if (in->imm < 0 || (size_t)in->imm >= ctx->obj->n_maps)
			return fl_err(ctx->err, ctx->errsz, -ENOEXEC,
				      "insn %u: map index %d out of range",
				      st->pc, in->imm);
		memset(d, 0, offsetof(struct lift_val, b));
		d->map = in->imm;
		if (in->src_reg == BPF_PSEUDO_MAP_FD ||
		    in->src_reg == BPF_PSEUDO_MAP_IDX) {
			d->kind = LV_MAP;
			break;
		}
		m = &ctx->obj->maps[in->imm];
		d->kind = LV_MAPVAL;
		d->off = next->imm;
		d->val = m->array_data;
		if (!d->val && m->n_ents)
			d->val = m->ents[0].value;
		break;
	default:
		return lift_slow(ctx, st, "ldimm64 of kind %d has no rule "
				 "equivalent", in->src_reg);
	}
	st->pc += 2;
	return LIFT_NEXT;
}

static int i_ja(struct lift_ctx *ctx, struct lift_state *st,
		const struct bpf_insn *in)
{
	if (BPF_CLASS(in->code) == BPF_JMP32)
		st->pc += 1 + in->imm;
	else
		st->pc += 1 + in->off;
	return LIFT_NEXT;
}

static int i_jcond(struct lift_ctx *ctx, struct lift_state *st,
		   const struct bpf_insn *in)
{
	struct lift_val a = st->r[in->dst_reg], b;

	src_operand(st, in, &b);
	return lift_branch(ctx, st, in, &a, &b, st->pc + 1 + in->off);
}

static int i_call(struct lift_ctx *ctx, struct lift_state *st,
		  const struct bpf_insn *in)
{
	struct lift_frame *fr;

	if (in->src_reg == BPF_PSEUDO_KFUNC_CALL)
		return lift_slow(ctx, st, "kfunc call has no rule equivalent");
	if (in->src_reg != BPF_PSEUDO_CALL)
		return lift_call_helper(ctx, st, in);
	if (st->n_frames >= LIFT_MAX_FRAMES)
		return lift_slow(ctx, st, "calls nested deeper than %d",
				 LIFT_MAX_FRAMES);
	fr = &st->fr[st->n_frames];
	fr->ret_pc = st->pc + 1;
	fr->lo = LIFT_SLOTS;
	memcpy(fr->saved, &st->r[6], sizeof(fr->saved));
	memset(&st->r[10], 0, offsetof(struct lift_val, b));
	st->r[10].kind = LV_STACK;
	st->r[10].frame = st->n_frames;
	st->n_frames++;
	st->pc += 1 + in->imm;
	st->last_pc = UINT32_MAX;
	return LIFT_NEXT;
}

static int i_exit(struct lift_ctx *ctx, struct lift_state *st,
		  const struct bpf_insn *in)
{
	struct lift_frame *fr;

	if (st->n_frames == 1)
		return lift_exit(ctx, st);
	fr = &st->fr[--st->n_frames];
	memcpy(&st->r[6], fr->saved, sizeof(fr->saved));
	for (int i = 1; i <= 5; i++)
		st->r[i].kind = LV_UNINIT;
	memset(&st->r[10], 0, offsetof(struct lift_val, b));
	st->r[10].kind = LV_STACK;
	st->r[10].frame = st->n_frames - 1;
	st->pc = fr->ret_pc;
	st->last_pc = UINT32_MAX;
	return LIFT_NEXT;
}

static int i_legacy(struct lift_ctx *ctx, struct lift_state *st,
		    const struct bpf_insn *in)
{
	return lift_slow(ctx, st, "legacy packet load (LD_ABS/LD_IND)");
}

static lift_insn_fn instr_cb[256];

static void init_table(void)
{
	static const uint8_t alu_ops[] = {
		BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH,
		BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH,
	};
	static const uint8_t jmp_ops[] = {
		BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT,
		BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE,
	};
	static const uint8_t szs[] = { BPF_W, BPF_H, BPF_B, BPF_DW };

	for (size_t i = 0; i < sizeof(alu_ops); i++)
		for (int s = 0; s < 2; s++) {
			uint8_t src = s ? BPF_X : BPF_K;

			instr_cb[BPF_ALU | alu_ops[i] | src] = i_alu;
			instr_cb[BPF_ALU64 | alu_ops[i] | src] = i_alu;
		}
	instr_cb[BPF_ALU | BPF_END | BPF_TO_LE] = i_end;
	instr_cb[BPF_ALU | BPF_END | BPF_TO_BE] = i_end;
	instr_cb[BPF_ALU64 | BPF_END | BPF_TO_LE] = i_end;
	for (size_t i = 0; i < sizeof(jmp_ops); i++)
		for (int s = 0; s < 2; s++) {
			uint8_t src = s ? BPF_X : BPF_K;

			instr_cb[BPF_JMP | jmp_ops[i] | src] = i_jcond;
			instr_cb[BPF_JMP32 | jmp_ops[i] | src] = i_jcond;
		}
	instr_cb[BPF_JMP | BPF_JA] = i_ja;
	instr_cb[BPF_JMP32 | BPF_JA] = i_ja;
	instr_cb[BPF_JMP | BPF_CALL] = i_call;
	instr_cb[BPF_JMP | BPF_EXIT] = i_exit;
	instr_cb[BPF_LD | BPF_IMM | BPF_DW] = i_ld_imm64;
	for (size_t i = 0; i < sizeof(szs); i++) {
		instr_cb[BPF_LDX | BPF_MEM | szs[i]] = i_ldx;
		instr_cb[BPF_LDX | 0x80 | szs[i]] = i_ldx; /* MEMSX */
		instr_cb[BPF_STX | BPF_MEM | szs[i]] = i_st;
		instr_cb[BPF_ST | BPF_MEM | szs[i]] = i_st;
		instr_cb[BPF_STX | BPF_ATOMIC | szs[i]] = i_st;
		instr_cb[BPF_LD | BPF_ABS | szs[i]] = i_legacy;
		instr_cb[BPF_LD | BPF_IND | szs[i]] = i_legacy;
	}
}

static int loop_check(struct lift_ctx *ctx, struct lift_state *st)
{
	unsigned int i;

	for (i = 0; i < st->n_loops; i++)
		if (st->loops[i].pc == st->pc)
			break;
	if (i == st->n_loops) {
		if (st->n_loops == LIFT_MAX_LOOPS)
			return lift_slow(ctx, st, "more than %d loops",
					 LIFT_MAX_LOOPS);
		st->loops[st->n_loops].pc = st->pc;
		st->loops[st->n_loops++].n = 0;
	}
	if (++st->loops[i].n > ctx->max_unroll)
		return lift_slow(ctx, st, "loop runs more than %u iterations "
				 "(unroll limit)", ctx->max_unroll);
	return 0;
}

int lift_step(struct lift_ctx *ctx, struct lift_state *st)
{
	const struct bpf_insn *in;
	lift_insn_fn fn;
	int ret;

	if (!instr_cb[BPF_JMP | BPF_EXIT])
		init_table();
	if (st->pc >= st->prog->n_insns)
		return fl_err(ctx->err, ctx->errsz, -ENOEXEC,
			      "prog '%s': jump to insn %u out of range",
			      st->prog->name, st->pc);
	if (st->last_pc != UINT32_MAX && st->pc <= st->last_pc) {
		ret = loop_check(ctx, st);
		if (ret)
			return ret;
	}
	if (++st->steps > ctx->max_steps)
		return lift_slow(ctx, st, "path longer than %u instructions "
				 "(step limit)", ctx->max_steps);
	lift_note_insn(ctx, st);
	st->last_pc = st->pc;
	in = &st->prog->insns[st->pc];
	fn = instr_cb[in->code];
	if (!fn)
		return fl_err(ctx->err, ctx->errsz, -ENOEXEC,
			      "prog '%s': insn %u: unknown opcode 0x%02x",
			      st->prog->name, st->pc, in->code);
	return fn(ctx, st, in);
}
