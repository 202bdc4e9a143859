// SPDX-License-Identifier: Apache-2.0
/*
 * lift_state_maps.c - which maps the object's programs write.
 *
 * A map the program itself writes (conntrack tables, counters, rate
 * buckets) holds state: its contents at compile time are a snapshot that
 * the next packet may already have changed, so lookups in it must not be
 * specialised into rules. Paths that write are left to the slow path where
 * they write, but a path that only reads such a map would still be turned
 * into rules from the snapshot (a flow table entry that an RST on another
 * path deletes keeps its "allow" rule forever). This analysis finds every
 * map any program of the object can write, before lifting.
 *
 * It is a forward dataflow over each program's control flow graph (the
 * main function and its appended subprograms as one graph; bpf-to-bpf calls
 * context-insensitively: callee entry joins every call site's r1-r5, the
 * return site joins every exit's r0). Each register and 8-byte stack slot
 * holds a set of what it may be: a scalar, the stack, the context, packet
 * data, a pointer to map m, a pointer into map m's value. A write is a
 * map_update/delete/push/pop call on a map pointer, or a store or atomic
 * through a map value pointer. Whatever the analysis cannot follow (a
 * store through an unknown pointer, a writing helper on an unknown map,
 * callbacks, more than 64 maps, a program too large to analyse) counts as
 * writing every map the object has: over-approximation only costs
 * coverage, never soundness.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/lift_internal.h"

#define SM_MAX_MAPS 64
#define SM_SLOTS (512 / 8)
#define SM_MAX_INSNS (1u << 20)

enum {
	K_SCALAR = 1u << 0,
	K_STACK = 1u << 1,
	K_CTX = 1u << 2,
	K_PKT = 1u << 3,
	K_UNKNOWN = 1u << 4, /* a pointer of some kind we did not follow */
};

struct sm_val {
	uint8_t k;
	uint64_t mapptr; /* maps it may point at (BPF_PSEUDO_MAP_FD) */
	uint64_t mapval; /* maps whose value it may point into */
};

struct sm_state {
	bool live;
	struct sm_val r[MAX_BPF_REG];
	struct sm_val slot[SM_SLOTS];
};

struct sm {
	const struct bpf_insn *in;
	size_t n;
	struct sm_state *st; /* in-state per insn */
	size_t *work;
	size_t n_work;
	bool *queued;
	bool *entry;        /* insn starts a function */
	struct sm_val *ret; /* r0 at its exits, per function entry */
	uint64_t written;
	bool all;            /* gave up: everything counts as written */
};

static bool val_join(struct sm_val *d, const struct sm_val *s)
{
	struct sm_val o = *d;

	d->k |= s->k;
	d->mapptr |= s->mapptr;
	d->mapval |= s->mapval;
	return memcmp(&o, d, sizeof(o)) != 0;
}

static void push(struct sm *a, size_t i)
{
	if (i < a->n && !a->queued[i]) {
		a->queued[i] = true;
		a->work[a->n_work++] = i;
	}
}

static void flow(struct sm *a, size_t to, const struct sm_state *s)
{
	struct sm_state *d;
	bool changed = false;

	if (to >= a->n) {
		a->all = true; /* a jump out of the program */
		return;
	}
	d = &a->st[to];
	if (!d->live) {
		*d = *s;
		d->live = true;
		push(a, to);
		return;
	}
	for (int i = 0; i < MAX_BPF_REG; i++)
		changed |= val_join(&d->r[i], &s->r[i]);
	for (int i = 0; i < SM_SLOTS; i++)
		changed |= val_join(&d->slot[i], &s->slot[i]);
	if (changed)
		push(a, to);
}

static const struct sm_val scalar = { .k = K_SCALAR };

/* A write through v: a map value pointer writes those maps; anything we
 * cannot place may be one. */
static void store_through(struct sm *a, const struct sm_val *v)
{
	a->written |= v->mapval;
	if (v->k & K_UNKNOWN)
		a->all = true;
}

static bool writes_map(int32_t helper)
{
	switch (helper) {
	case BPF_FUNC_map_update_elem:
	case BPF_FUNC_map_delete_elem:
	case BPF_FUNC_map_push_elem:
	case BPF_FUNC_map_pop_elem:
		return true;
	default:
		return false;
	}
}

static void helper_call(struct sm *a, struct sm_state *s, int32_t id)
{
	struct sm_val r0 = scalar;

	if (writes_map(id)) {
		a->written |= s->r[1].mapptr;
		if (s->r[1].k & ~K_SCALAR)
			a->all = true;
	}
	if (id == BPF_FUNC_map_lookup_elem) {
		r0.mapval = s->r[1].mapptr;
		if (s->r[1].k & ~K_SCALAR)
			r0.k |= K_UNKNOWN;
	}
	/* Helpers that take a callback run code we do not follow here. */
	if (id == BPF_FUNC_loop || id == BPF_FUNC_for_each_map_elem ||
	    id == BPF_FUNC_timer_set_callback || id == BPF_FUNC_find_vma ||
	    id == BPF_FUNC_user_ringbuf_drain)
		a->all = true;
	for (int i = 1; i <= 5; i++)
		s->r[i] = scalar;
	s->r[0] = r0;
}

/* The slot of an r10-relative access: r10 is the frame pointer and the
 * verifier never lets it change, so these are exact. */
static struct sm_val *stack_slot(struct sm_state *s, uint8_t base,
				 int16_t off)
{
	int idx = (512 + off) / 8;

	if (base != BPF_REG_10 || off >= 0 || off < -512 || idx < 0 ||
	    idx >= SM_SLOTS)
		return NULL;
	return &s->slot[idx];
}

static bool is_scalar(const struct sm_val *v)
{
	return v->k == K_SCALAR && !v->mapptr && !v->mapval;
}

static void mem_load(struct sm_state *s, const struct bpf_insn *in)
{
	struct sm_val *dst = &s->r[in->dst_reg];
	const struct sm_val src = s->r[in->src_reg];
	struct sm_val *slot = stack_slot(s, in->src_reg, in->off);

	if (BPF_SIZE(in->code) != BPF_DW) {
		/* data / data_end of __sk_buff and xdp_md are 32-bit loads */
		*dst = (struct sm_val){ .k = K_SCALAR |
					     (src.k & K_CTX ? K_PKT : 0) };
	} else if (slot) {
		*dst = *slot;
	} else if (src.k & K_STACK) {
		/* some slot of this frame */
		*dst = scalar;
		for (int k = 0; k < SM_SLOTS; k++)
			val_join(dst, &s->slot[k]);
	} else {
		*dst = scalar;
	}
}

static void mem_store(struct sm *a, struct sm_state *s,
		      const struct bpf_insn *in)
{
	const struct sm_val *dst = &s->r[in->dst_reg];
	struct sm_val val = BPF_CLASS(in->code) == BPF_STX &&
				    BPF_MODE(in->code) == BPF_MEM &&
				    BPF_SIZE(in->code) == BPF_DW
			    ? s->r[in->src_reg] : scalar;
	struct sm_val *slot = stack_slot(s, in->dst_reg, in->off);

	if (slot) {
		*slot = val;
	} else {
		/* Through a derived stack pointer (maybe the caller's
		 * frame): a number changes nothing we track; a pointer
		 * would land where we cannot follow it. */
		if ((dst->k & K_STACK) && !is_scalar(&val))
			a->all = true;
		store_through(a, dst);
	}
	if (BPF_MODE(in->code) == BPF_ATOMIC)
		s->r[in->src_reg] = scalar; /* the fetch forms */
}

static void mem_insn(struct sm *a, struct sm_state *s,
		     const struct bpf_insn *in)
{
	switch (BPF_CLASS(in->code)) {
	case BPF_LDX:
		mem_load(s, in);
		return;
	case BPF_ST:
	case BPF_STX:
		mem_store(a, s, in);
		return;
	default: /* legacy LD_ABS/LD_IND */
		for (int i = 0; i <= 5; i++)
			s->r[i] = scalar;
		return;
	}
}

static void alu_insn(struct sm_state *s, const struct bpf_insn *in)
{
	struct sm_val *dst = &s->r[in->dst_reg];
	bool is64 = BPF_CLASS(in->code) == BPF_ALU64;

	if (BPF_OP(in->code) == BPF_MOV) {
		*dst = BPF_SRC(in->code) == BPF_X && is64 && !in->off
			       ? s->r[in->src_reg] : scalar;
		return;
	}
	/* Pointer arithmetic keeps what it points into; the rest is a
	 * number (a pointer turned into a number cannot be stored through:
	 * the verifier forbids it). */
	if (is64 && (BPF_OP(in->code) == BPF_ADD ||
		     BPF_OP(in->code) == BPF_SUB)) {
		if (BPF_SRC(in->code) == BPF_X) {
			struct sm_val src = s->r[in->src_reg];

			if (BPF_OP(in->code) == BPF_ADD &&
			    (dst->k & K_SCALAR) && src.k != K_SCALAR)
				val_join(dst, &src);
		}
		return;
	}
	*dst = scalar;
}

/* The function that contains insn i starts at the greatest entry <= i. */
static size_t func_of(const struct sm *a, size_t i)
{
	while (i > 0 && !a->entry[i])
		i--;
	return i;
}

static void call_insn(struct sm *a, size_t i, struct sm_state *s)
{
	size_t callee = i + 1 + (size_t)(int64_t)a->in[i].imm;
	struct sm_state entry = *s, back = *s;

	if (callee >= a->n) {
		a->all = true;
		return;
	}
	/* the callee's frame: a new stack, args r1-r5 */
	entry.r[0] = scalar;
	for (int r = 6; r < BPF_REG_10; r++)
		entry.r[r] = scalar;
	entry.r[BPF_REG_10] = (struct sm_val){ .k = K_STACK };
	for (int k = 0; k < SM_SLOTS; k++)
		entry.slot[k] = scalar;
	flow(a, callee, &entry);
	/* the return site: what the callee's exits returned so far (the exit
	 * re-queues this call when that grows) */
	back.r[0] = a->ret[callee];
	for (int r = 1; r <= 5; r++)
		back.r[r] = scalar;
	flow(a, i + 1, &back);
}

static void exit_insn(struct sm *a, size_t i, const struct sm_state *s)
{
	size_t f = func_of(a, i);
	struct sm_val r0 = s->r[0];

	if (f == 0)
		return; /* the program's own exit */
	if (!val_join(&a->ret[f], &r0))
		return;
	/* re-run every call of f */
	for (size_t c = 0; c < a->n; c++)
		if (a->in[c].code == (BPF_JMP | BPF_CALL) &&
		    a->in[c].src_reg == BPF_PSEUDO_CALL &&
		    c + 1 + (size_t)(int64_t)a->in[c].imm == f && a->st[c].live)
			push(a, c);
}

static void step(struct sm *a, size_t i)
{
	const struct bpf_insn *in = &a->in[i];
	struct sm_state s = a->st[i];
	uint8_t cls = BPF_CLASS(in->code);

	if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
		struct sm_val v = scalar;

		if (i + 1 >= a->n)
			goto give_up;
		if (in->src_reg == BPF_PSEUDO_MAP_FD)
			v = (struct sm_val){ .mapptr = 1ull << in->imm };
		else if (in->src_reg == BPF_PSEUDO_MAP_VALUE)
			v = (struct sm_val){ .mapval = 1ull << in->imm };
		else if (in->src_reg == BPF_PSEUDO_FUNC)
			goto give_up; /* a callback: code we do not follow */
		s.r[in->dst_reg] = v;
		flow(a, i + 2, &s);
		return;
	}
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		alu_insn(&s, in);
		flow(a, i + 1, &s);
		return;
	case BPF_JMP:
	case BPF_JMP32:
		if (BPF_OP(in->code) == BPF_EXIT) {
			exit_insn(a, i, &s);
		} else if (BPF_OP(in->code) == BPF_CALL) {
			if (in->src_reg == BPF_PSEUDO_CALL) {
				call_insn(a, i, &s);
			} else if (in->src_reg == 0) {
				helper_call(a, &s, in->imm);
				flow(a, i + 1, &s);
			} else {
				goto give_up; /* kfuncs */
			}
		} else if (BPF_OP(in->code) == BPF_JA) {
			/* JMP32|JA ("gotol") carries its offset in imm */
			flow(a, i + 1 + (size_t)(int64_t)(cls == BPF_JMP32
							      ? in->imm
							      : in->off), &s);
		} else {
			flow(a, i + 1 + (size_t)(int64_t)in->off, &s);
			flow(a, i + 1, &s);
		}
		return;
	default:
		mem_insn(a, &s, in);
		flow(a, i + 1, &s);
		return;
	}
give_up:
	a->all = true;
}

/* The maps prog can write: bit m of *out. */
static int analyse(const struct lift_prog *prog, uint64_t *out, bool *all)
{
	struct sm a = { .in = prog->insns, .n = prog->n_insns };
	struct sm_state init;
	int ret = 0;

	if (a.n > SM_MAX_INSNS) {
		*all = true;
		return 0;
	}
	a.st = calloc(a.n, sizeof(*a.st));
	a.work = calloc(a.n, sizeof(*a.work));
	a.queued = calloc(a.n, sizeof(*a.queued));
	a.ret = calloc(a.n, sizeof(*a.ret));
	a.entry = calloc(a.n, sizeof(*a.entry));
	if (!a.st || !a.work || !a.queued || !a.ret || !a.entry) {
		ret = -ENOMEM;
		goto out;
	}
	a.entry[0] = true;
	for (size_t i = 0; i < a.n; i++)
		if (a.in[i].code == (BPF_JMP | BPF_CALL) &&
		    a.in[i].src_reg == BPF_PSEUDO_CALL &&
		    i + 1 + (size_t)(int64_t)a.in[i].imm < a.n)
			a.entry[i + 1 + (size_t)(int64_t)a.in[i].imm] = true;
	memset(&init, 0, sizeof(init));
	for (int r = 0; r < MAX_BPF_REG; r++)
		init.r[r] = scalar;
	init.r[BPF_REG_1] = (struct sm_val){ .k = K_CTX };
	init.r[BPF_REG_10] = (struct sm_val){ .k = K_STACK };
	for (int k = 0; k < SM_SLOTS; k++)
		init.slot[k] = scalar;
	flow(&a, 0, &init);
	while (a.n_work && !a.all) {
		size_t i = a.work[--a.n_work];

		a.queued[i] = false;
		step(&a, i);
	}
	*out |= a.written;
	*all |= a.all;
out:
	free(a.st);
	free(a.work);
	free(a.queued);
	free(a.ret);
	free(a.entry);
	return ret;
}

int lift_state_maps(const struct lift_object *obj, bool **written)
{
	uint64_t bits = 0;
	bool all = obj->n_maps > SM_MAX_MAPS - 1;
	bool *w;
	int ret;

	*written = NULL;
	for (size_t p = 0; p < obj->n_progs && !all; p++) {
		ret = analyse(&obj->progs[p], &bits, &all);
		if (ret)
			return ret;
	}
	w = calloc(obj->n_maps + 1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (size_t m = 0; m < obj->n_maps; m++)
		w[m] = all || (bits >> m & 1);
	*written = w;
	return 0;
}
