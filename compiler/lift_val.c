// SPDX-License-Identifier: Apache-2.0
/*
 * lift_val.c - scalar semantics: concrete BPF ALU and jump semantics, and
 * the same operations on bit vectors whose bits are constants or header
 * field bits. An operation that is not a permutation of input bits (add
 * with carries into symbolic bits, multiply, divide by a non-power of two)
 * gives opaque bits: the lifter can carry them, but a branch on them ends
 * the path in the slow path.
 */
#include <string.h>

#include "compiler/lift_internal.h"

void lift_val__const(struct lift_val *v, uint64_t c)
{
	v->kind = LV_SCALAR;
	v->c = c;
	v->sym = 0;
	v->off = 0;
}

void lift_val__opaque(struct lift_val *v)
{
	v->kind = LV_SCALAR;
	v->c = 0;
	v->sym = ~0ull;
	v->off = 0;
	for (int i = 0; i < 64; i++)
		v->b[i] = (struct lift_bit){ LB_F_OPAQUE, 0 };
}

bool lift_val__is_const(const struct lift_val *v)
{
	return v->kind == LV_SCALAR && !v->sym;
}

void lift_val__trunc32(struct lift_val *v)
{
	v->c &= 0xffffffffull;
	v->sym &= 0xffffffffull;
}

uint64_t lift_alu_const(uint8_t op, bool is64, int16_t off, uint64_t dst,
			uint64_t src)
{
	uint64_t r;

	if (!is64) {
		uint32_t d = dst, s = src;
		uint32_t o;

		switch (op) {
		case BPF_ADD: o = d + s; break;
		case BPF_SUB: o = d - s; break;
		case BPF_MUL: o = d * s; break;
		case BPF_DIV:
			if (!s)
				o = 0;
			else if (off == 1)
				o = (s == 0xffffffffu) ? -d :
				    (uint32_t)((int32_t)d / (int32_t)s);
			else
				o = d / s;
			break;
		case BPF_MOD:
			if (!s)
				o = d;
			else if (off == 1)
				o = (s == 0xffffffffu) ? 0 :
				    (uint32_t)((int32_t)d % (int32_t)s);
			else
				o = d % s;
			break;
		case BPF_OR: o = d | s; break;
		case BPF_AND: o = d & s; break;
		case BPF_XOR: o = d ^ s; break;
		case BPF_LSH: o = d << (s & 31); break;
		case BPF_RSH: o = d >> (s & 31); break;
		case BPF_ARSH: o = (uint32_t)((int32_t)d >> (s & 31)); break;
		case BPF_NEG: o = -d; break;
		case BPF_MOV:
			if (off == 8)
				o = (uint32_t)(int32_t)(int8_t)s;
			else if (off == 16)
				o = (uint32_t)(int32_t)(int16_t)s;
			else
				o = s;
			break;
		default: o = 0; break;
		}
		return o;
	}
	switch (op) {
	case BPF_ADD: r = dst + src; break;
	case BPF_SUB: r = dst - src; break;
	case BPF_MUL: r = dst * src; break;
	case BPF_DIV:
		if (!src)
			r = 0;
		else if (off == 1)
			r = (src == ~0ull) ? -dst :
			    (uint64_t)((int64_t)dst / (int64_t)src);
		else
			r = dst / src;
		break;
	case BPF_MOD:
		if (!src)
			r = dst;
		else if (off == 1)
			r = (src == ~0ull) ? 0 :
			    (uint64_t)((int64_t)dst % (int64_t)src);
		else
			r = dst % src;
		break;
	case BPF_OR: r = dst | src; break;
	case BPF_AND: r = dst & src; break;
	case BPF_XOR: r = dst ^ src; break;
	case BPF_LSH: r = dst << (src & 63); break;
	case BPF_RSH: r = dst >> (src & 63); break;
	case BPF_ARSH: r = (uint64_t)((int64_t)dst >> (src & 63)); break;
	case BPF_NEG: r = -dst; break;
	case BPF_MOV:
		if (off == 8)
			r = (uint64_t)(int64_t)(int8_t)src;
		else if (off == 16)
			r = (uint64_t)(int64_t)(int16_t)src;
		else if (off == 32)
			r = (uint64_t)(int64_t)(int32_t)src;
		else
			r = src;
		break;
	default: r = 0; break;
	}
	return r;
}

bool lift_jmp_const(uint8_t op, bool is32, uint64_t a, uint64_t b)
{
	int64_t sa = (int64_t)a, sb = (int64_t)b;

	if (is32) {
		a = (uint32_t)a;
		b = (uint32_t)b;
		sa = (int32_t)a;
		sb = (int32_t)b;
	}
	switch (op) {
	case BPF_JA: return true;
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSET: return (a & b) != 0;
	case BPF_JSGT: return sa > sb;
	case BPF_JSGE: return sa >= sb;
	case BPF_JSLT: return sa < sb;
	case BPF_JSLE: return sa <= sb;
	default: return false;
	}
}

/* Bits as an array of descriptors: constants are {LB_F_CONST, 0|1}. */
static void explode(const struct lift_val *v, struct lift_bit *o)
{
	for (int i = 0; i < 64; i++) {
		if (v->sym >> i & 1)
			o[i] = v->b[i];
		else
			o[i] = (struct lift_bit){ LB_F_CONST, v->c >> i & 1 };
	}
}

static void implode(struct lift_val *v, const struct lift_bit *o)
{
	v->kind = LV_SCALAR;
	v->c = 0;
	v->sym = 0;
	v->off = 0;
	for (int i = 0; i < 64; i++) {
		if (o[i].f == LB_F_CONST) {
			v->c |= (uint64_t)(o[i].i & 1) << i;
		} else {
			v->sym |= 1ull << i;
			v->b[i] = o[i];
		}
	}
}

static bool is_c(struct lift_bit b)
{
	return b.f == LB_F_CONST;
}

static struct lift_bit cbit(unsigned int x)
{
	return (struct lift_bit){ LB_F_CONST, x & 1 };
}

static struct lift_bit negbit(struct lift_bit b)
{
	if (b.f == LB_F_CONST)
		return cbit(!b.i);
	if (b.f == LB_F_OPAQUE)
		return b;
	b.i ^= LB_NEG;
	return b;
}

static bool same_bit(struct lift_bit a, struct lift_bit b)
{
	return a.f == b.f && a.i == b.i && a.f != LB_F_OPAQUE;
}

static struct lift_bit opaque_bit(void)
{
	return (struct lift_bit){ LB_F_OPAQUE, 0 };
}

static struct lift_bit bitop(uint8_t op, struct lift_bit a, struct lift_bit b)
{
	if (is_c(a) && is_c(b)) {
		if (op == BPF_AND)
			return cbit(a.i & b.i);
		if (op == BPF_OR)
			return cbit(a.i | b.i);
		return cbit(a.i ^ b.i);
	}
	if (!is_c(a) && is_c(b)) {
		struct lift_bit t = a;

		a = b;
		b = t;
	}
	if (is_c(a)) {
		if (op == BPF_AND)
			return a.i ? b : cbit(0);
		if (op == BPF_OR)
			return a.i ? cbit(1) : b;
		return a.i ? negbit(b) : b;
	}
	if (same_bit(a, b))
		return op == BPF_XOR ? cbit(0) : a;
	if (same_bit(a, negbit(b)))
		return op == BPF_AND ? cbit(0) : cbit(1);
	return opaque_bit();
}

/* x + c where no carry enters a symbolic bit: returns false if one does. */
static bool add_carry_free(struct lift_val *v, uint64_t c, unsigned int w)
{
	uint64_t mask = w == 64 ? ~0ull : (1ull << w) - 1;
	uint64_t cp = v->c & ~v->sym & mask;
	uint64_t sum = (cp + c) & mask;
	uint64_t carry = sum ^ cp ^ (c & mask);

	if ((carry | c) & v->sym & mask)
		return false;
	v->c = sum;
	return true;
}

static void all_opaque(struct lift_val *v, bool is64)
{
	lift_val__opaque(v);
	if (!is64)
		lift_val__trunc32(v);
}

static int log2_exact(uint64_t x)
{
	if (!x || (x & (x - 1)))
		return -1;
	return __builtin_ctzll(x);
}

static void shift_bits(struct lift_val *dst, uint8_t op, unsigned int sh,
		       unsigned int w)
{
	struct lift_bit in[64], out[64];

	explode(dst, in);
	for (unsigned int i = 0; i < 64; i++)
		out[i] = cbit(0);
	for (unsigned int i = 0; i < w; i++) {
		int src;

		if (op == BPF_LSH)
			src = (int)i - (int)sh;
		else
			src = (int)i + (int)sh;
		if (src >= 0 && src < (int)w)
			out[i] = in[src];
		else if (op == BPF_ARSH && src >= (int)w)
			out[i] = in[w - 1];
	}
	implode(dst, out);
}

void lift_val__alu(struct lift_val *dst, const struct lift_val *src,
		   uint8_t op, bool is64, int16_t off)
{
	unsigned int w = is64 ? 64 : 32;
	struct lift_val s = *src;
	struct lift_bit a[64], b[64], o[64];

	if (op == BPF_NEG)
		lift_val__const(&s, 0);
	if (dst->kind != LV_SCALAR && op != BPF_MOV) {
		all_opaque(dst, is64);
		return;
	}
	if (s.kind != LV_SCALAR) {
		all_opaque(dst, is64);
		return;
	}
	if (op == BPF_MOV) {
		uint64_t c = s.c;

		*dst = s;
		if (off == 8 || off == 16 || (off == 32 && is64)) {
			if (!s.sym) {
				lift_val__const(dst,
					lift_alu_const(op, is64, off, 0, c));
				return;
			}
			/* sign-extend: replicate bit off-1 */
			explode(&s, a);
			for (unsigned int i = off; i < 64; i++)
				a[i] = a[off - 1];
			implode(dst, a);
		}
		if (!is64)
			lift_val__trunc32(dst);
		return;
	}
	if (lift_val__is_const(dst) && !s.sym) {
		lift_val__const(dst, lift_alu_const(op, is64, off, dst->c, s.c));
		return;
	}
	if (!is64) {
		lift_val__trunc32(dst);
		lift_val__trunc32(&s);
	}
	switch (op) {
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		explode(dst, a);
		explode(&s, b);
		for (int i = 0; i < 64; i++)
			o[i] = bitop(op, a[i], b[i]);
		implode(dst, o);
		break;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		if (s.sym) {
			all_opaque(dst, is64);
			return;
		}
		shift_bits(dst, op, s.c & (w - 1), w);
		break;
	case BPF_MUL:
		if (!s.sym && log2_exact(s.c) >= 0) {
			shift_bits(dst, BPF_LSH, log2_exact(s.c), w);
		} else if (!s.sym && s.c == 0) {
			lift_val__const(dst, 0);
		} else if (lift_val__is_const(dst) && log2_exact(dst->c) >= 0) {
			unsigned int sh = log2_exact(dst->c);

			*dst = s;
			shift_bits(dst, BPF_LSH, sh, w);
		} else {
			all_opaque(dst, is64);
			return;
		}
		break;
	case BPF_DIV:
	case BPF_MOD:
		if (off == 0 && !s.sym && log2_exact(s.c) >= 0) {
			if (op == BPF_DIV) {
				shift_bits(dst, BPF_RSH, log2_exact(s.c), w);
			} else {
				struct lift_val m;

				lift_val__const(&m, s.c - 1);
				lift_val__alu(dst, &m, BPF_AND, is64, 0);
			}
		} else {
			all_opaque(dst, is64);
			return;
		}
		break;
	case BPF_ADD:
	case BPF_SUB:
		if (!s.sym) {
			uint64_t c = op == BPF_ADD ? s.c : -s.c;

			if (!is64)
				c &= 0xffffffffull;
			if (!add_carry_free(dst, c, w)) {
				all_opaque(dst, is64);
				return;
			}
		} else if (op == BPF_ADD && lift_val__is_const(dst)) {
			uint64_t c = dst->c;

			*dst = s;
			if (!add_carry_free(dst, c, w)) {
				all_opaque(dst, is64);
				return;
			}
		} else {
			all_opaque(dst, is64);
			return;
		}
		break;
	default:
		all_opaque(dst, is64);
		return;
	}
	if (!is64)
		lift_val__trunc32(dst);
}

void lift_val__endian(struct lift_val *v, bool swap, unsigned int bits)
{
	struct lift_bit in[64], out[64];
	unsigned int n = bits / 8;

	if (v->kind != LV_SCALAR) {
		lift_val__opaque(v);
		return;
	}
	explode(v, in);
	for (unsigned int i = 0; i < 64; i++)
		out[i] = cbit(0);
	for (unsigned int j = 0; j < n; j++) {
		unsigned int from = swap ? n - 1 - j : j;

		for (unsigned int k = 0; k < 8; k++)
			out[j * 8 + k] = in[from * 8 + k];
	}
	implode(v, out);
}

void lift_val__get_byte(const struct lift_val *v, unsigned int i,
			struct lift_key_byte *out)
{
	memset(out, 0, sizeof(*out));
	if (v->kind != LV_SCALAR) {
		out->sym = 0xff;
		for (int k = 0; k < 8; k++)
			out->b[k] = opaque_bit();
		return;
	}
	out->c = v->c >> (8 * i);
	out->sym = v->sym >> (8 * i);
	for (int k = 0; k < 8; k++)
		out->b[k] = v->b[8 * i + k];
}

void lift_val__set_byte(struct lift_val *v, unsigned int i,
			const struct lift_key_byte *kb)
{
	uint64_t m = 0xffull << (8 * i);

	v->c = (v->c & ~m) | ((uint64_t)kb->c << (8 * i));
	v->sym = (v->sym & ~m) | ((uint64_t)kb->sym << (8 * i));
	for (int k = 0; k < 8; k++)
		v->b[8 * i + k] = kb->b[k];
}
