/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lift_internal.h - the lifter's internals (compiler/lift_*.c).
 *
 * The lifter runs one program symbolically over an abstract packet and
 * enumerates its paths depth first. A path's state holds registers and
 * stack as abstract values (struct lift_val), the constraints taken so far
 * as an IR rule under construction, and the frame length interval the
 * program has checked. Every path ends in a rule, slow-path ones included.
 *
 * Soundness rests on the order paths are emitted in: at a branch, the side
 * whose condition is expressible exactly as IR matches is explored first
 * with those matches; the other side follows with its own matches if it
 * has any, or none. A packet that takes the second side fails the first
 * side's exact matches, so no rule of the first subtree catches it; the
 * rules of the first subtree together cover that side exactly. Rule
 * priorities follow that depth-first order (see lift_path.c).
 *
 * Scalars are vectors of 64 bits; each bit is a constant, or a bit of one
 * header field (possibly negated), or opaque (depends on something no IR
 * field expresses). That domain is closed under what parsers do with
 * header bytes (loads of any size, byte swaps, shifts and masks by
 * constants) and makes "branch on packet bytes" a key/mask match.
 */
#ifndef FLOWLIFT_LIFT_INTERNAL_H
#define FLOWLIFT_LIFT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler/compiler.h"
#include "ir/ir.h"

/* Pseudo fields: bits the program reads that map to IR fields only
 * through a translation (lift_cond.c). */
enum {
	LF_FRAGOFF = 64,       /* IPv4 frag_off, host order (16) */
	LF_VLAN_PRESENT = 65,  /* __sk_buff vlan_present (1) */
};

#define LB_F_CONST 0xff
#define LB_F_OPAQUE 0xfe
#define LB_NEG 0x80 /* in lift_bit.i: the bit is the field bit negated */

struct lift_bit {
	uint8_t f; /* enum ir_field_id, LF_*, LB_F_OPAQUE */
	uint8_t i; /* bit index in the field (LSB 0), | LB_NEG */
};

enum lift_val_kind {
	LV_UNINIT,
	LV_SCALAR,  /* c (constant bits) + sym (mask of symbolic bits) */
	LV_CTX,     /* pointer into the context, off */
	LV_PKT,     /* packet data + off (off constant, program-seen) */
	LV_PKT_END, /* packet end */
	LV_PKTLEN,  /* scalar: (data_end - data) - off */
	LV_STACK,   /* frame's fp + off (off <= 0) */
	LV_MAP,     /* a map (ldimm64 pseudo map fd), map */
	LV_MAPVAL,  /* pointer into a concrete map value 'val' + off */
	LV_ADDEND,  /* scalar: (bits as in LV_SCALAR + add) mod 2^addw, as
		     * clang emits for range tests (x - lo < n) */
};

struct lift_val {
	uint8_t kind;
	uint8_t frame;       /* LV_STACK */
	uint16_t map;        /* LV_MAP, LV_MAPVAL */
	int32_t off;
	const uint8_t *val;  /* LV_MAPVAL */
	uint64_t c;          /* LV_SCALAR: constant bits */
	uint64_t sym;        /* LV_SCALAR: bits that are symbolic */
	uint64_t add;        /* LV_ADDEND */
	uint8_t addw;        /* LV_ADDEND: width of the sum, bits */
	struct lift_bit b[64]; /* valid where sym has the bit */
};

#define LIFT_MAX_FRAMES 8
#define LIFT_SLOTS 64 /* 512 bytes of stack per frame */
#define LIFT_MAX_LOOPS 16

struct lift_frame {
	uint32_t ret_pc;
	uint8_t lo; /* lowest slot touched; LIFT_SLOTS if none */
	struct lift_val saved[4]; /* r6-r9 of the caller */
	struct lift_val slot[LIFT_SLOTS];
};

/* Append-only lists shared between forked paths (arena-allocated). */
struct lift_range_node {
	struct lift_range_node *prev;
	uint32_t first, last;
	const struct lift_prog *prog; /* whose insns (tail calls) */
};

struct lift_ref_node {
	struct lift_ref_node *prev;
	char *ref; /* "map:hexkey" */
};

struct lift_state {
	const struct lift_prog *prog; /* current (changes on tail call) */
	uint32_t pc;
	uint32_t last_pc; /* UINT32_MAX after calls, returns, tail calls */
	uint32_t steps;
	uint32_t n_tail;
	uint8_t n_frames; /* >= 1 */
	bool seen_l2;     /* used packet bytes >= 12, protocol or length */
	bool no_ihl5;     /* sibling that declined "ihl is 5": opaque L4 */
	bool dead;        /* infeasible side: drop without a rule */
	const char *pending_slow; /* end in the slow path when resumed */
	bool redirect;    /* a redirect is pending */
	bool redirect_ingress;
	uint32_t redirect_ifindex;
	uint32_t len_lo, len_hi; /* program-seen frame length interval */
	uint32_t cur_first, cur_last; /* current insn range (open) */
	const struct lift_prog *cur_prog; /* and its program */
	struct lift_range_node *ranges;
	struct lift_ref_node *refs;
	struct {
		uint32_t pc, n;
	} loops[LIFT_MAX_LOOPS];
	uint8_t n_loops;
	struct ir_rule rule;
	struct lift_val r[11];
	struct lift_frame fr[LIFT_MAX_FRAMES];
};

/* A pending case split (depth-first work item). */
enum lift_work_kind {
	LW_STATE,   /* a ready state */
	LW_ENUM,    /* assignments of up to 16 field bits, then re-execute */
	LW_HASH,    /* one child per hash entry, then the miss */
	LW_LPM,     /* one child per LPM entry, longest first, then miss */
};

#define LIFT_ENUM_MAX 12

struct lift_key_byte {
	uint8_t c, sym; /* constant bits / symbolic bits */
	struct lift_bit b[8];
};

struct lift_work {
	enum lift_work_kind kind;
	struct lift_state *st; /* owned */
	uint32_t next;         /* next case */
	uint32_t n;            /* number of cases (without the miss) */
	/* LW_ENUM */
	struct lift_bit vars[LIFT_ENUM_MAX];
	uint8_t n_vars;
	/* LW_HASH, LW_LPM */
	uint16_t map;
	uint32_t key_size;
	struct lift_key_byte *key; /* owned */
	uint32_t *order;           /* LW_LPM: entry indexes, owned */
	uint32_t lpm_plen;         /* LW_LPM: the key's prefixlen */
};

struct lift_arena_chunk;

struct lift_ctx {
	const struct lift_object *obj;
	const struct lift_prog *prog; /* the program being lifted */
	const struct lift_opts *opts;
	struct ir_ruleset *rs;
	enum ir_hook hook;
	bool tc;
	uint32_t max_paths, max_steps, max_unroll;
	uint32_t budget;      /* paths allowed (grows with map entries) */
	uint32_t started;     /* paths started */
	uint32_t seq;         /* emitted paths, = priority */
	uint32_t paths_slow;
	struct lift_work *work;
	size_t n_work, cap_work;
	struct lift_state *free_states;
	struct lift_arena_chunk *arena;
	/* distinct slow-path reasons */
	char **reasons;
	size_t n_reasons, cap_reasons;
	uint32_t *reason_hash;
	size_t hash_cap;
	char *err;
	size_t errsz;
	/* The state being run, until it ends, is queued or is freed: an
	 * error half way leaves it here for lift_ctx__fini to free. */
	struct lift_state *cur;
	/* Maps some program of the object writes (lift_state_maps.c): their
	 * contents are state, so lookups and reads of them are not
	 * specialised. n_maps entries. */
	bool *state_maps;
};

/* Results of executing one instruction. */
enum {
	LIFT_NEXT = 0,  /* continue with st->pc */
	LIFT_STOP = 1,  /* the state was consumed (ended or queued) */
};

/* lift_state_maps.c: (*written)[m] for every map m of obj that a program
 * of obj may write; caller frees. */
int lift_state_maps(const struct lift_object *obj, bool **written);

/* lift_val.c */
void lift_val__const(struct lift_val *v, uint64_t c);
void lift_val__opaque(struct lift_val *v);
bool lift_val__is_const(const struct lift_val *v);
void lift_val__trunc32(struct lift_val *v);
/* Scalar ALU on the bit domain: dst = dst OP src (BPF_OP codes), 32 or
 * 64 bit; off is the insn's off (signed div/mod, movsx). Opaque where the
 * result is not a bit permutation of the inputs. */
void lift_val__alu(struct lift_val *dst, const struct lift_val *src,
		   uint8_t op, bool is64, int16_t off);
/* Concrete BPF ALU semantics (also the reference the unit tests check). */
uint64_t lift_alu_const(uint8_t op, bool is64, int16_t off, uint64_t dst,
			uint64_t src);
void lift_val__endian(struct lift_val *v, bool swap, unsigned int bits);
/* Concrete BPF jump condition. */
bool lift_jmp_const(uint8_t op, bool is32, uint64_t a, uint64_t b);
/* Extract/insert byte-level content for stack and keys. */
void lift_val__get_byte(const struct lift_val *v, unsigned int i,
			struct lift_key_byte *out);
void lift_val__set_byte(struct lift_val *v, unsigned int i,
			const struct lift_key_byte *kb);

/* lift_layout.c: packet bytes and context fields */
int lift_pkt_read(struct lift_ctx *ctx, struct lift_state *st, int32_t off,
		  unsigned int size, struct lift_val *out);
int lift_pkt_byte(struct lift_ctx *ctx, struct lift_state *st, int32_t off,
		  struct lift_key_byte *out);
int lift_ctx_read(struct lift_ctx *ctx, struct lift_state *st, int32_t off,
		  unsigned int size, struct lift_val *out);
/* Replace symbolic bits the rule pins to one value by constants. */
void lift_state__pin(struct lift_state *st);
void lift_val__pin(const struct ir_rule *r, struct lift_val *v);
bool lift_rule_exact(const struct ir_rule *r, enum ir_field_id f,
		     uint64_t *v);
bool lift_rule_bounds(const struct ir_rule *r, enum ir_field_id f,
		      uint64_t *lo, uint64_t *hi);
/* What target parsers need before a field's key exists; see the file. */
int lift_require(struct lift_ctx *ctx, struct lift_state *st,
		 const uint8_t *fields, unsigned int n);

/* lift_cond.c: constraints */
struct lift_cset {
	bool valid;  /* expressible */
	bool unsat;  /* the side is impossible */
	uint8_t n;
	struct ir_match m[IR_F__COUNT];
};
/* Require bits (f, i) == v for every bit of 'vars'/'vals'. */
int lift_cset__bit(struct lift_cset *cs, struct lift_bit b, unsigned int v);
int lift_cset__apply(struct lift_state *st, const struct lift_cset *cs);
int lift_branch(struct lift_ctx *ctx, struct lift_state *st,
		const struct bpf_insn *in, const struct lift_val *a,
		const struct lift_val *b, uint32_t target);

/* lift_insn.c */
int lift_step(struct lift_ctx *ctx, struct lift_state *st);
/* Split on the field bits of v and re-execute the current instruction
 * once per assignment (v then reads as a constant). */
int lift_split_on(struct lift_ctx *ctx, struct lift_state *st,
		  const struct lift_val *v, const char *what);
int lift_stack_load(struct lift_ctx *ctx, struct lift_state *st,
		    const struct lift_val *p, int16_t off, unsigned int size,
		    struct lift_val *out);
int lift_stack_store(struct lift_ctx *ctx, struct lift_state *st,
		     const struct lift_val *p, int16_t off, unsigned int size,
		     const struct lift_val *v);

/* lift_helper.c */
int lift_call_helper(struct lift_ctx *ctx, struct lift_state *st,
		     const struct bpf_insn *in);
const char *lift_helper_name(int32_t id);
int lift_work_next(struct lift_ctx *ctx, struct lift_work *w,
		   struct lift_state **out);

/* lift_path.c: states, forks, path ends */
struct lift_state *lift_state__clone(struct lift_ctx *ctx,
				     const struct lift_state *st);
void lift_state__free(struct lift_ctx *ctx, struct lift_state *st);
/* Queue st to be explored after the current subtree; takes ownership. */
int lift_push_state(struct lift_ctx *ctx, struct lift_state *st);
struct lift_work *lift_push_work(struct lift_ctx *ctx,
				 enum lift_work_kind kind,
				 struct lift_state *st);
/* Fork: returns a clone of st for the caller to adjust and queue with
 * lift_push_state (explored after the current subtree). NULL when the
 * path budget is spent: then st has been ended in the slow path and the
 * caller must return LIFT_STOP; or NULL with *err < 0. */
struct lift_state *lift_fork(struct lift_ctx *ctx, struct lift_state *st,
			     int *err);
bool lift_budget_left(struct lift_ctx *ctx);
/* End the path with an action; consumes st. */
int lift_end(struct lift_ctx *ctx, struct lift_state *st,
	     const struct ir_action *a);
/* End the path in the slow path with a reason ("fmt" names the why, the
 * insn and line are added); consumes st. Returns LIFT_STOP or < 0. */
int lift_slow(struct lift_ctx *ctx, struct lift_state *st, const char *fmt,
	      ...) __attribute__((format(printf, 3, 4)));
int lift_add_ref(struct lift_ctx *ctx, struct lift_state *st,
		 const char *ref);
void *lift_alloc(struct lift_ctx *ctx, size_t n);
void lift_note_insn(struct lift_ctx *ctx, struct lift_state *st);
/* Start a new state for ctx->prog at insn 0. */
struct lift_state *lift_state__new(struct lift_ctx *ctx);
int lift_explore(struct lift_ctx *ctx);
void lift_ctx__fini(struct lift_ctx *ctx);

/* Verdict of an exit from the main frame. */
int lift_exit(struct lift_ctx *ctx, struct lift_state *st);

#endif /* FLOWLIFT_LIFT_INTERNAL_H */
