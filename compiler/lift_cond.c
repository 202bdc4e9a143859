// SPDX-License-Identifier: Apache-2.0
/*
 * lift_cond.c - conditional jumps: from a comparison over abstract values
 * to the IR matches of each side.
 *
 * Each side of a branch gets a constraint set that is either exact (the
 * side is taken iff the packet satisfies it) or absent (not expressible).
 * Equality on field bits is key/mask; one-bit conditions are expressible
 * both ways; ordered comparisons on a whole field are ranges; comparisons
 * of packet pointers with the packet end are frame-length intervals. The
 * exact side is explored first (see lift_internal.h); when neither side is
 * expressible the path ends in the slow path.
 */
#include <errno.h>
#include <string.h>

#include "compiler/lift_internal.h"

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

static unsigned int vbit(const struct ir_val *v, enum ir_field_id f,
			 unsigned int i)
{
	size_t n = ir_field__bytes(f);

	return v->b[n - 1 - i / 8] >> (i % 8) & 1;
}

static void set_vbit(struct ir_val *v, enum ir_field_id f, unsigned int i,
		     unsigned int x)
{
	size_t n = ir_field__bytes(f);
	uint8_t *p = &v->b[n - 1 - i / 8];

	if (x)
		*p |= 1u << (i % 8);
	else
		*p &= ~(1u << (i % 8));
}

static struct ir_match *cs_match(struct lift_cset *cs, enum ir_field_id f)
{
	for (unsigned int i = 0; i < cs->n; i++)
		if (cs->m[i].field == f && cs->m[i].kind == IR_MATCH_MASK)
			return &cs->m[i];
	if (cs->n >= IR_F__COUNT)
		return NULL;
	memset(&cs->m[cs->n], 0, sizeof(cs->m[0]));
	cs->m[cs->n].field = f;
	cs->m[cs->n].kind = IR_MATCH_MASK;
	return &cs->m[cs->n++];
}

static int cs_add(struct lift_cset *cs, const struct ir_match *m)
{
	if (cs->n >= IR_F__COUNT)
		return -E2BIG;
	cs->m[cs->n++] = *m;
	return 0;
}

/* Require IR field bit b == v. */
int lift_cset__bit(struct lift_cset *cs, struct lift_bit b, unsigned int v)
{
	unsigned int i = b.i & ~LB_NEG;
	struct ir_match *m;
	struct ir_match t;

	if (b.i & LB_NEG)
		v ^= 1;
	if (b.f == LF_VLAN_PRESENT) {
		if (v)
			ir_match__range(&t, IR_F_NUM_VLANS, 1, 255);
		else
			ir_match__exact(&t, IR_F_NUM_VLANS, 0);
		return cs_add(cs, &t);
	}
	if (b.f >= IR_F__COUNT)
		return -EINVAL;
	m = cs_match(cs, b.f);
	if (!m)
		return -E2BIG;
	if (vbit(&m->mask, b.f, i)) {
		if (vbit(&m->key, b.f, i) != v)
			cs->unsat = true;
		return 0;
	}
	set_vbit(&m->mask, b.f, i, 1);
	set_vbit(&m->key, b.f, i, v);
	return 0;
}

/* IP6 nexthdr pinned to a transport protocol implies ip.proto. */
static int implied(struct lift_state *st, const struct ir_match *m)
{
	struct ir_match p;
	uint64_t v;

	if (m->field != IR_F_IP6_NEXTHDR ||
	    !lift_rule_exact(&st->rule, IR_F_IP6_NEXTHDR, &v))
		return 0;
	switch (v) {
	case 0: case 43: case 44: case 50: case 51: case 60: case 135:
	case 139: case 140: case 253: case 254:
		return 0;
	}
	ir_match__exact(&p, IR_F_IP_PROTO, v);
	return ir_rule__and(&st->rule, &p);
}

/* 0: applied; 1: the side is impossible; < 0 error (-EOPNOTSUPP: the
 * conjunction is not one match per field). */
int lift_cset__apply(struct lift_state *st, const struct lift_cset *cs)
{
	if (cs->unsat)
		return 1;
	for (unsigned int i = 0; i < cs->n; i++) {
		int ret = ir_rule__and(&st->rule, &cs->m[i]);

		if (!ret)
			ret = implied(st, &cs->m[i]);
		if (ret)
			return ret;
	}
	lift_state__pin(st);
	return 0;
}

struct req {
	struct lift_bit b;
	uint8_t v;
};

/* Translate "every bit in req[] has its value" into the equal side and,
 * where expressible, the not-equal side. */
static int translate_eq(const struct req *req, unsigned int n,
			struct lift_cset *eq, struct lift_cset *ne)
{
	unsigned int fmask = 0, fval = 0, nf = 0, nother = 0;
	int ret;

	memset(eq, 0, sizeof(*eq));
	memset(ne, 0, sizeof(*ne));
	for (unsigned int k = 0; k < n; k++) {
		if (req[k].b.f == LB_F_OPAQUE)
			return 0;
		if (req[k].b.f == LF_FRAGOFF) {
			unsigned int i = req[k].b.i & ~LB_NEG;
			unsigned int v = req[k].v ^ !!(req[k].b.i & LB_NEG);

			if ((fmask >> i & 1) && (fval >> i & 1) != v)
				eq->unsat = true;
			fmask |= 1u << i;
			fval |= v << i;
			nf++;
			continue;
		}
		nother++;
		ret = lift_cset__bit(eq, req[k].b, req[k].v);
		if (ret)
			return ret;
	}
	eq->valid = true;
	if (n == 1 && !nf) {
		ne->valid = true;
		return lift_cset__bit(ne, req[0].b, !req[0].v);
	}
	if (!nf)
		return 0;
	/* frag_off bits -> ip.frag (bit 0 is_fragment, bit 1 first) */
	if (fval == 0 && fmask == (IP_MF | IP_OFFSET)) {
		struct ir_match m;

		ir_match__exact(&m, IR_F_IP_FRAG, 0);
		ir_val__from_u64(&m.mask, IR_F_IP_FRAG, 1);
		cs_add(eq, &m);
		if (!nother) {
			ne->valid = true;
			ir_match__exact(&m, IR_F_IP_FRAG, 1);
			ir_val__from_u64(&m.mask, IR_F_IP_FRAG, 1);
			cs_add(ne, &m);
		}
	} else if (fval == 0 && fmask == IP_OFFSET && !nother) {
		struct ir_match m;

		eq->valid = false;
		ne->valid = true;
		ir_match__exact(&m, IR_F_IP_FRAG, 1);
		cs_add(ne, &m);
	} else {
		eq->valid = false;
	}
	return 0;
}

static uint8_t swap_op(uint8_t op)
{
	switch (op) {
	case BPF_JGT: return BPF_JLT;
	case BPF_JLT: return BPF_JGT;
	case BPF_JGE: return BPF_JLE;
	case BPF_JLE: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLT;
	case BPF_JSLT: return BPF_JSGT;
	case BPF_JSGE: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGE;
	default: return op;
	}
}

/* Monotone predicate over x in [lo, hi]: the true and false intervals. */
struct mono {
	uint8_t op;
	bool is32;
	uint64_t cst;
	uint64_t base; /* value = base + (x << sh) | ...: see value() */
	unsigned int sh;
	bool len;      /* value = x - base */
	uint8_t addw;  /* value = ((x << sh) + base) mod 2^addw */
};

static uint64_t mono_value(const struct mono *p, uint64_t x)
{
	if (p->len)
		return x - p->base;
	if (p->addw) {
		unsigned __int128 v = ((unsigned __int128)x << p->sh) + p->base;

		return p->addw >= 64 ? (uint64_t)v :
		       (uint64_t)(v & ((1ull << p->addw) - 1));
	}
	return p->base | (x << p->sh);
}

static bool mono_eval(const struct mono *p, uint64_t x)
{
	return lift_jmp_const(p->op, p->is32, mono_value(p, x), p->cst);
}

struct ival {
	bool empty;
	uint64_t lo, hi;
};

static void mono_split(const struct mono *p, uint64_t lo, uint64_t hi,
		       struct ival *t, struct ival *f)
{
	bool pl = mono_eval(p, lo), ph = mono_eval(p, hi);
	uint64_t a = lo, b = hi;

	if (pl == ph) {
		*t = (struct ival){ !pl, lo, hi };
		*f = (struct ival){ pl, lo, hi };
		return;
	}
	/* smallest x in (a, b] with P(x) == ph */
	while (b - a > 1) {
		uint64_t mid = a + (b - a) / 2;

		if (mono_eval(p, mid) == ph)
			b = mid;
		else
			a = mid;
	}
	if (ph) {
		*t = (struct ival){ false, b, hi };
		*f = (struct ival){ false, lo, b - 1 };
	} else {
		*t = (struct ival){ false, lo, b - 1 };
		*f = (struct ival){ false, b, hi };
	}
}

static int set_pc(struct lift_ctx *ctx, struct lift_state *st, uint32_t pc)
{
	st->pc = pc;
	return LIFT_NEXT;
}

/* Branch on the program-seen frame length. */
static int len_branch(struct lift_ctx *ctx, struct lift_state *st,
		      struct mono *p, uint32_t t_pc, uint32_t f_pc)
{
	struct ival t, f;
	struct lift_state *c;
	int err = 0;

	st->seen_l2 = true;
	if (p->op == BPF_JEQ || p->op == BPF_JNE || p->op == BPF_JSET)
		return lift_slow(ctx, st, "equality test on the frame length");
	mono_split(p, st->len_lo, st->len_hi, &t, &f);
	if (t.empty)
		return set_pc(ctx, st, f_pc);
	if (f.empty)
		return set_pc(ctx, st, t_pc);
	c = lift_fork(ctx, st, &err);
	if (!c)
		return err ? err : LIFT_STOP;
	c->len_lo = f.lo;
	c->len_hi = f.hi;
	c->pc = f_pc;
	err = lift_push_state(ctx, c);
	if (err)
		return err;
	st->len_lo = t.lo;
	st->len_hi = t.hi;
	return set_pc(ctx, st, t_pc);
}

/* Queue the second side, continue with the first. */
static int two_way(struct lift_ctx *ctx, struct lift_state *st,
		   const struct lift_cset *first, uint32_t first_pc,
		   const struct lift_cset *second, uint32_t second_pc)
{
	struct lift_state *c;
	int r, err = 0;

	if (!second->unsat) {
		c = lift_fork(ctx, st, &err);
		if (!c)
			return err ? err : LIFT_STOP;
		c->pc = second_pc;
		r = second->valid ? lift_cset__apply(c, second) : 0;
		if (r == 1)
			c->dead = true;
		else if (r < 0)
			c->pending_slow = "condition not expressible as one "
					  "match per field";
		err = lift_push_state(ctx, c);
		if (err)
			return err;
	}
	r = lift_cset__apply(st, first);
	if (r < 0)
		return lift_slow(ctx, st, "condition not expressible as one "
				 "match per field");
	if (r == 1) {
		lift_state__free(ctx, st);
		return LIFT_STOP;
	}
	return set_pc(ctx, st, first_pc);
}

static bool is_signed(uint8_t op)
{
	return op == BPF_JSGT || op == BPF_JSGE || op == BPF_JSLT ||
	       op == BPF_JSLE;
}

static bool field_run(const struct lift_val *v, unsigned int w,
		      enum ir_field_id *f, unsigned int *sh)
{
	uint64_t s = v->sym & (w == 64 ? ~0ull : 0xffffffffull);
	unsigned int k, n;
	const struct ir_field *fd;

	if (!s || s != (v->sym & (w == 64 ? ~0ull : 0xffffffffull)))
		return false;
	k = __builtin_ctzll(s);
	n = 64 - __builtin_clzll(s) - k;
	if ((s >> k) != (n == 64 ? ~0ull : (1ull << n) - 1))
		return false;
	*f = v->b[k].f;
	fd = ir_field__get(*f);
	if (*f >= IR_F__COUNT || !fd || fd->width != n)
		return false;
	for (unsigned int j = 0; j < n; j++)
		if (v->b[k + j].f != *f || v->b[k + j].i != j)
			return false;
	*sh = k;
	return true;
}

static int gather_fields(const struct lift_val *v, uint64_t which,
			 uint8_t *fields)
{
	unsigned int n = 0;

	for (uint64_t s = v->sym & which; s; s &= s - 1) {
		uint8_t f = v->b[__builtin_ctzll(s)].f;
		unsigned int k;

		if (f == LB_F_OPAQUE)
			continue;
		for (k = 0; k < n && fields[k] != f; k++)
			;
		if (k == n && n < 64)
			fields[n++] = f;
	}
	return n;
}

static int sym_branch(struct lift_ctx *ctx, struct lift_state *st,
		      uint8_t op, bool is32, const struct lift_val *v,
		      uint64_t cst, uint32_t t_pc, uint32_t f_pc)
{
	unsigned int w = is32 ? 32 : 64;
	uint64_t wm = is32 ? 0xffffffffull : ~0ull;
	struct lift_cset eq, ne;
	struct req req[64];
	unsigned int n = 0;
	uint8_t fields[64];
	int nf, ret;

	nf = gather_fields(v, wm, fields);
	ret = lift_require(ctx, st, fields, nf);
	if (ret)
		return ret;
	if (op == BPF_JEQ || op == BPF_JNE || op == BPF_JSET) {
		uint64_t sel = op == BPF_JSET ? cst & wm : wm;
		uint64_t want = op == BPF_JSET ? 0 : cst;
		bool decided = false, dval = false;

		/* constant bits decide? */
		if ((v->c & ~v->sym & sel) != (want & ~v->sym & sel)) {
			decided = true;
			dval = op != BPF_JEQ; /* not equal / some bit set */
		} else if (!(v->sym & sel)) {
			decided = true;
			dval = op == BPF_JEQ;
		}
		if (!decided) {
			for (uint64_t s = v->sym & sel; s; s &= s - 1) {
				int i = __builtin_ctzll(s);

				req[n].b = v->b[i];
				req[n++].v = want >> i & 1;
			}
			ret = translate_eq(req, n, &eq, &ne);
			if (ret)
				return ret;
			if (eq.unsat) {
				decided = true;
				dval = op != BPF_JEQ;
			}
		}
		if (decided)
			return set_pc(ctx, st, dval ? t_pc : f_pc);
		if (!eq.valid && !ne.valid)
			return lift_slow(ctx, st, "branch on bits no rule "
					 "can match");
		/* eq is the "true" side of JEQ, the "false" side of
		 * JNE/JSET */
		if (op == BPF_JEQ) {
			if (eq.valid)
				return two_way(ctx, st, &eq, t_pc, &ne, f_pc);
			return two_way(ctx, st, &ne, f_pc, &eq, t_pc);
		}
		if (ne.valid)
			return two_way(ctx, st, &ne, t_pc, &eq, f_pc);
		return two_way(ctx, st, &eq, f_pc, &ne, t_pc);
	}
	{
		enum ir_field_id f;
		unsigned int sh;
		struct mono p = { .op = op, .is32 = is32, .cst = cst };
		struct ival t, fl;
		struct lift_cset ct, cf;
		uint64_t lo, hi;
		unsigned int sign = w - 1;

		if (!field_run(v, w, &f, &sh) ||
		    (is_signed(op) && sh + ir_field__get(f)->width > sign))
			return lift_slow(ctx, st, "ordered comparison on bits "
					 "that are not one whole field");
		p.base = v->c & ~v->sym & wm;
		p.sh = sh;
		lift_rule_bounds(&st->rule, f, &lo, &hi);
		mono_split(&p, lo, hi, &t, &fl);
		if (t.empty)
			return set_pc(ctx, st, f_pc);
		if (fl.empty)
			return set_pc(ctx, st, t_pc);
		memset(&ct, 0, sizeof(ct));
		memset(&cf, 0, sizeof(cf));
		ct.valid = cf.valid = true;
		ir_match__range(&ct.m[0], f, t.lo, t.hi);
		ir_match__range(&cf.m[0], f, fl.lo, fl.hi);
		ct.n = cf.n = 1;
		return two_way(ctx, st, &ct, t_pc, &cf, f_pc);
	}
}

static int add_ival(struct ival *set, int *n, struct ival iv)
{
	if (iv.empty)
		return 0;
	if (*n && set[*n - 1].hi + 1 == iv.lo) {
		set[*n - 1].hi = iv.hi;
		return 0;
	}
	set[(*n)++] = iv;
	return 0;
}

static void ival_cset(enum ir_field_id f, const struct ival *set, int n,
		      struct lift_cset *cs)
{
	memset(cs, 0, sizeof(*cs));
	if (!n) {
		cs->unsat = true;
		return;
	}
	if (n > 1)
		return; /* two intervals: not one match */
	cs->valid = true;
	cs->n = 1;
	ir_match__range(&cs->m[0], f, set[0].lo, set[0].hi);
}

/* (field << sh) + k, wrapping at 2^addw, compared with a constant: the
 * sum is monotone on each side of the wrap point, so each side of the
 * branch is at most two intervals of the field. */
static int addend_branch(struct lift_ctx *ctx, struct lift_state *st,
			 uint8_t op, bool is32, const struct lift_val *v,
			 uint64_t cst, uint32_t t_pc, uint32_t f_pc)
{
	struct mono p = { .op = op, .is32 = is32, .cst = cst,
			  .base = v->add, .addw = v->addw };
	struct ival tset[4], fset[4], t, f;
	struct lift_cset ct, cf;
	int nt = 0, nf = 0, ret;
	enum ir_field_id fid;
	unsigned int sh;
	uint64_t lo, hi, a, b, xw;
	uint8_t fields[1];

	if (op == BPF_JSET || op == BPF_JEQ || op == BPF_JNE ||
	    !field_run(v, 64, &fid, &sh) || (v->c & ~v->sym) ||
	    sh + ir_field__get(fid)->width > v->addw)
		return lift_slow(ctx, st, "comparison of a sum that is not a "
				 "field plus a constant");
	fields[0] = fid;
	ret = lift_require(ctx, st, fields, 1);
	if (ret)
		return ret;
	p.sh = sh;
	lift_rule_bounds(&st->rule, fid, &lo, &hi);
	/* wrap point: smallest x with (x << sh) + k >= 2^addw */
	a = lo;
	b = hi + 1;
	while (a < b) {
		uint64_t mid = a + (b - a) / 2;
		unsigned __int128 sum = ((unsigned __int128)mid << sh) + v->add;

		if (sum >> v->addw)
			b = mid;
		else
			a = mid + 1;
	}
	xw = a;
	if (xw > lo) {
		mono_split(&p, lo, xw - 1, &t, &f);
		add_ival(tset, &nt, t);
		add_ival(fset, &nf, f);
	}
	if (xw <= hi) {
		mono_split(&p, xw, hi, &t, &f);
		add_ival(tset, &nt, t);
		add_ival(fset, &nf, f);
	}
	/* pieces come in order; intervals of one side may need sorting */
	if (nt == 2 && tset[0].lo > tset[1].lo) {
		struct ival x = tset[0];

		tset[0] = tset[1];
		tset[1] = x;
		if (tset[0].hi + 1 == tset[1].lo) {
			tset[0].hi = tset[1].hi;
			nt = 1;
		}
	}
	if (nf == 2 && fset[0].lo > fset[1].lo) {
		struct ival x = fset[0];

		fset[0] = fset[1];
		fset[1] = x;
		if (fset[0].hi + 1 == fset[1].lo) {
			fset[0].hi = fset[1].hi;
			nf = 1;
		}
	}
	ival_cset(fid, tset, nt, &ct);
	ival_cset(fid, fset, nf, &cf);
	if (ct.unsat)
		return set_pc(ctx, st, f_pc);
	if (cf.unsat)
		return set_pc(ctx, st, t_pc);
	if (ct.valid)
		return two_way(ctx, st, &ct, t_pc, &cf, f_pc);
	if (cf.valid)
		return two_way(ctx, st, &cf, f_pc, &ct, t_pc);
	return lift_slow(ctx, st, "range test on a field that is not one "
			 "interval on either side");
}

static bool nonnull_ptr(const struct lift_val *v)
{
	return v->kind == LV_CTX || v->kind == LV_PKT ||
	       v->kind == LV_PKT_END || v->kind == LV_STACK ||
	       v->kind == LV_MAP || v->kind == LV_MAPVAL;
}

int lift_branch(struct lift_ctx *ctx, struct lift_state *st,
		const struct bpf_insn *in, const struct lift_val *a,
		const struct lift_val *b, uint32_t target)
{
	uint8_t op = BPF_OP(in->code);
	bool is32 = BPF_CLASS(in->code) == BPF_JMP32;
	uint32_t t_pc = target, f_pc = st->pc + 1;
	struct mono p = { .op = op, .is32 = is32 };

	if (lift_val__is_const(a) && lift_val__is_const(b))
		return set_pc(ctx, st, lift_jmp_const(op, is32, a->c, b->c) ?
			      t_pc : f_pc);
	/* packet pointer vs packet end: a frame length fact */
	if (a->kind == LV_PKT && b->kind == LV_PKT_END) {
		p.op = swap_op(op);
		p.len = true;
		p.cst = a->off; /* L OP' off */
		return len_branch(ctx, st, &p, t_pc, f_pc);
	}
	if (a->kind == LV_PKT_END && b->kind == LV_PKT) {
		p.len = true;
		p.cst = b->off;
		return len_branch(ctx, st, &p, t_pc, f_pc);
	}
	if (a->kind == LV_PKT && b->kind == LV_PKT)
		return set_pc(ctx, st, lift_jmp_const(op, is32, a->off, b->off)
			      ? t_pc : f_pc);
	if (a->kind == LV_PKTLEN && lift_val__is_const(b)) {
		if (st->len_lo < (uint32_t)a->off || a->off < 0)
			return lift_slow(ctx, st, "frame length test that may "
					 "wrap");
		p.len = true;
		p.base = a->off;
		p.cst = b->c;
		return len_branch(ctx, st, &p, t_pc, f_pc);
	}
	if (b->kind == LV_PKTLEN && lift_val__is_const(a)) {
		if (st->len_lo < (uint32_t)b->off || b->off < 0)
			return lift_slow(ctx, st, "frame length test that may "
					 "wrap");
		p.op = swap_op(op);
		p.len = true;
		p.base = b->off;
		p.cst = a->c;
		return len_branch(ctx, st, &p, t_pc, f_pc);
	}
	if ((nonnull_ptr(a) && lift_val__is_const(b) && b->c == 0) ||
	    (nonnull_ptr(b) && lift_val__is_const(a) && a->c == 0)) {
		if (op == BPF_JEQ)
			return set_pc(ctx, st, f_pc);
		if (op == BPF_JNE)
			return set_pc(ctx, st, t_pc);
	}
	if (a->kind == LV_ADDEND && lift_val__is_const(b))
		return addend_branch(ctx, st, op, is32, a, b->c, t_pc, f_pc);
	if (b->kind == LV_ADDEND && lift_val__is_const(a))
		return addend_branch(ctx, st, swap_op(op), is32, b, a->c, t_pc,
				     f_pc);
	if (a->kind == LV_SCALAR && lift_val__is_const(b))
		return sym_branch(ctx, st, op, is32, a, b->c, t_pc, f_pc);
	if (b->kind == LV_SCALAR && lift_val__is_const(a))
		return sym_branch(ctx, st, swap_op(op), is32, b, a->c, t_pc,
				  f_pc);
	return lift_slow(ctx, st, "branch compares values no rule can match");
}
