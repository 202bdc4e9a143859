// SPDX-License-Identifier: Apache-2.0
/*
 * lift_helper.c - BPF helper calls: a table saying for each helper how it
 * lifts, and map specialisation.
 *
 * Lookups with a constant key read the given contents. Lookups whose key
 * holds packet bits fork at the lookup: one child per entry (the key bits
 * pinned to the entry's key; LPM: to its prefix, longest first) and a miss
 * child last, so the work per entry is the rest of the path after the
 * lookup, not the whole program. Arrays, devmaps and prog arrays indexed by
 * packet bits split over the index bits instead. Helpers that change or
 * read state the rules cannot see (map writes, time, randomness, events,
 * packet rewrites) end the path in the slow path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "compiler/lift_internal.h"

#define TC_ACT_SHOT 2
#define TC_ACT_REDIRECT 7

typedef int (*lift_helper_fn)(struct lift_ctx *ctx, struct lift_state *st);

#define HNAME(x) [BPF_FUNC_##x] = "bpf_" #x
static const char *const helper_names[] = { __BPF_FUNC_MAPPER(HNAME) };
#undef HNAME

const char *lift_helper_name(int32_t id)
{
	if (id < 0 || (size_t)id >= FL_ARRAY_SIZE(helper_names) ||
	    !helper_names[id])
		return NULL;
	return helper_names[id];
}

static void clobber(struct lift_state *st)
{
	for (int i = 1; i <= 5; i++)
		st->r[i].kind = LV_UNINIT;
}

static int ret_const(struct lift_state *st, uint64_t v)
{
	clobber(st);
	lift_val__const(&st->r[0], v);
	st->pc++;
	return LIFT_NEXT;
}

static void set_mapval(struct lift_state *st, uint16_t map,
		       const uint8_t *val)
{
	clobber(st);
	memset(&st->r[0], 0, offsetof(struct lift_val, b));
	st->r[0].kind = LV_MAPVAL;
	st->r[0].map = map;
	st->r[0].val = val;
	st->pc++;
}

static int read_key(struct lift_ctx *ctx, struct lift_state *st,
		    const struct lift_val *p, uint32_t n,
		    struct lift_key_byte *key)
{
	for (uint32_t j = 0; j < n; j++) {
		struct lift_val b;
		int ret = lift_stack_load(ctx, st, p, j, 1, &b);

		if (ret)
			return ret;
		lift_val__get_byte(&b, 0, &key[j]);
	}
	return 0;
}

static bool key_const(const struct lift_key_byte *k, uint32_t n,
		      uint8_t *out)
{
	for (uint32_t j = 0; j < n; j++) {
		if (k[j].sym)
			return false;
		out[j] = k[j].c;
	}
	return true;
}

static bool key_opaque(const struct lift_key_byte *k, uint32_t n)
{
	for (uint32_t j = 0; j < n; j++)
		for (int b = 0; b < 8; b++)
			if ((k[j].sym >> b & 1) &&
			    (k[j].b[b].f == LB_F_OPAQUE ||
			     k[j].b[b].f == LF_FRAGOFF))
				return true;
	return false;
}

/* What target parsers need for the fields in the key (lift_require). */
static int key_require(struct lift_ctx *ctx, struct lift_state *st,
		       const struct lift_key_byte *k, uint32_t n)
{
	uint8_t fields[64];
	unsigned int nf = 0;

	for (uint32_t j = 0; j < n; j++)
		for (int b = 0; b < 8; b++) {
			uint8_t f = k[j].b[b].f;
			unsigned int i;

			if (!(k[j].sym >> b & 1))
				continue;
			for (i = 0; i < nf && fields[i] != f; i++)
				;
			if (i == nf && nf < 64)
				fields[nf++] = f;
		}
	return lift_require(ctx, st, fields, nf);
}

static int key_ref(struct lift_ctx *ctx, struct lift_state *st,
		   const struct lift_map *m, const uint8_t *key, uint32_t n,
		   int plen)
{
	char buf[160];
	size_t len = strlen(m->name);

	if (len + 2 * n + 16 > sizeof(buf))
		n = (sizeof(buf) - len - 16) / 2;
	memcpy(buf, m->name, len);
	buf[len++] = ':';
	fl_hex(key, n, buf + len);
	if (plen >= 0)
		snprintf(buf + len + 2 * n, 12, "/%d", plen);
	return lift_add_ref(ctx, st, buf);
}

static bool percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static const struct lift_map_entry *find_ent(const struct lift_map *m,
					     const uint8_t *key)
{
	for (size_t i = 0; i < m->n_ents; i++)
		if (!memcmp(m->ents[i].key, key, m->key_size))
			return &m->ents[i];
	return NULL;
}

/* The value a lookup of constant 'key' returns; NULL on a miss. *agree
 * is false for a per-CPU entry whose CPUs hold different values. */
static const uint8_t *const_lookup(struct lift_ctx *ctx,
				   const struct lift_map *m,
				   const uint8_t *key, bool *agree)
{
	static const uint8_t zero[512];
	const struct lift_map_entry *e;

	*agree = true;
	if (m->type == BPF_MAP_TYPE_ARRAY ||
	    m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		uint32_t idx;

		memcpy(&idx, key, 4);
		if (idx >= m->max_entries)
			return NULL;
		if (m->type == BPF_MAP_TYPE_ARRAY && m->array_data)
			return m->array_data + (size_t)idx * m->value_size;
		e = find_ent(m, key);
		if (!e) {
			if (m->value_size <= sizeof(zero))
				return zero;
			*agree = false;
			return NULL;
		}
	} else if (percpu(m->type)) {
		e = find_ent(m, key);
		if (!e)
			return NULL;
	} else {
		return lift_map__lookup(m, key);
	}
	for (uint32_t c = 1; c < m->n_cpus; c++)
		if (memcmp(e->value, e->value + (size_t)c * m->value_size,
			   m->value_size))
			*agree = false;
	return e->value;
}

static int h_map_lookup(struct lift_ctx *ctx, struct lift_state *st)
{
	const struct lift_val *pm = &st->r[1], *pk = &st->r[2];
	const struct lift_map *m;
	struct lift_key_byte *key;
	struct lift_work *w;
	uint8_t ck[512];
	const uint8_t *v;
	bool agree;
	int ret;

	if (pm->kind != LV_MAP || pk->kind != LV_STACK)
		return lift_slow(ctx, st, "map lookup with arguments the "
				 "lifter cannot follow");
	m = &ctx->obj->maps[pm->map];
	if (ctx->state_maps[pm->map])
		return lift_slow(ctx, st, "map '%s' is written by the "
				 "object's programs: its contents are state, "
				 "not policy", m->name);
	if (m->key_size > sizeof(ck))
		return lift_slow(ctx, st, "map '%s' key too large", m->name);
	switch (m->type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LPM_TRIE:
		break;
	default:
		return lift_slow(ctx, st, "lookup in map '%s' of type %u has "
				 "no rule equivalent", m->name, m->type);
	}
	key = calloc(m->key_size ? m->key_size : 1, sizeof(*key));
	if (!key)
		return -ENOMEM;
	ret = read_key(ctx, st, pk, m->key_size, key);
	if (ret)
		goto out;
	if (key_const(key, m->key_size, ck)) {
		v = const_lookup(ctx, m, ck, &agree);
		if (!agree) {
			ret = lift_slow(ctx, st, "per-CPU map '%s' holds "
					"different values per CPU", m->name);
			goto out;
		}
		ret = key_ref(ctx, st, m, ck, m->key_size, -1);
		if (ret)
			goto out;
		if (v)
			set_mapval(st, pm->map, v);
		else
			ret_const(st, 0);
		ret = LIFT_NEXT;
		goto out;
	}
	if (key_opaque(key, m->key_size)) {
		ret = lift_slow(ctx, st, "map '%s' key holds bits no rule can "
				"match", m->name);
		goto out;
	}
	ret = key_require(ctx, st, key, m->key_size);
	if (ret)
		goto out;
	if (m->type == BPF_MAP_TYPE_ARRAY ||
	    m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		ret = lift_slow(ctx, st, "array '%s' index depends on "
				"packet bits", m->name);
		goto out;
	}
	if (m->type == BPF_MAP_TYPE_LPM_TRIE) {
		uint32_t plen;

		if (m->key_size < 4 || key[0].sym || key[1].sym ||
		    key[2].sym || key[3].sym) {
			ret = lift_slow(ctx, st, "LPM key of map '%s' has a "
					"prefix length that is not constant",
					m->name);
			goto out;
		}
		plen = key[0].c | key[1].c << 8 | key[2].c << 16 |
		       (uint32_t)key[3].c << 24;
		w = lift_push_work(ctx, LW_LPM, st);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		w->lpm_plen = plen;
	} else {
		w = lift_push_work(ctx, LW_HASH, st);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
	}
	w->map = pm->map;
	w->key_size = m->key_size;
	w->key = key;
	w->n = m->n_ents;
	return LIFT_STOP;
out:
	free(key);
	return ret;
}

/* Array lookups with a packet-derived index split over the index bits;
 * the key lives on the stack, so pinning the bits makes it constant. */
static int h_lookup(struct lift_ctx *ctx, struct lift_state *st)
{
	const struct lift_map *m;
	struct lift_key_byte key[4];
	struct lift_val idx;
	int ret;

	if (st->r[1].kind == LV_MAP && st->r[2].kind == LV_STACK) {
		m = &ctx->obj->maps[st->r[1].map];
		if ((m->type == BPF_MAP_TYPE_ARRAY ||
		     m->type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
		    m->key_size == 4) {
			ret = read_key(ctx, st, &st->r[2], 4, key);
			if (ret)
				return ret;
			lift_val__const(&idx, 0);
			for (int j = 0; j < 4; j++)
				lift_val__set_byte(&idx, j, &key[j]);
			if (!lift_val__is_const(&idx))
				return lift_split_on(ctx, st, &idx,
						 "array index");
		}
	}
	return h_map_lookup(ctx, st);
}

static int h_redirect(struct lift_ctx *ctx, struct lift_state *st)
{
	const struct lift_val *ifx = &st->r[1], *fl = &st->r[2];

	if (!lift_val__is_const(fl))
		return lift_slow(ctx, st, "bpf_redirect flags not constant");
	if (ifx->kind == LV_SCALAR && !lift_val__is_const(ifx))
		return lift_split_on(ctx, st, ifx, "redirect target");
	if (!lift_val__is_const(ifx))
		return lift_slow(ctx, st, "bpf_redirect target unknown");
	if (ctx->tc) {
		if (fl->c & ~(uint64_t)BPF_F_INGRESS)
			return ret_const(st, TC_ACT_SHOT);
		st->redirect = true;
		st->redirect_ifindex = ifx->c;
		st->redirect_ingress = fl->c & BPF_F_INGRESS;
		return ret_const(st, TC_ACT_REDIRECT);
	}
	if (fl->c)
		return ret_const(st, XDP_ABORTED);
	st->redirect = true;
	st->redirect_ifindex = ifx->c;
	st->redirect_ingress = false;
	return ret_const(st, XDP_REDIRECT);
}

static int h_redirect_map(struct lift_ctx *ctx, struct lift_state *st)
{
	const struct lift_val *pm = &st->r[1], *k = &st->r[2], *fl = &st->r[3];
	const struct lift_map_entry *e = NULL;
	const struct lift_map *m;
	uint8_t key[8] = { 0 };
	uint32_t ifindex;
	int ret;

	if (pm->kind != LV_MAP || !lift_val__is_const(fl))
		return lift_slow(ctx, st, "bpf_redirect_map arguments the "
				 "lifter cannot follow");
	m = &ctx->obj->maps[pm->map];
	if (m->type != BPF_MAP_TYPE_DEVMAP &&
	    m->type != BPF_MAP_TYPE_DEVMAP_HASH)
		return lift_slow(ctx, st, "redirect to map '%s' of type %u has "
				 "no rule equivalent", m->name, m->type);
	if (fl->c & ~3ull)
		return lift_slow(ctx, st, "bpf_redirect_map flags 0x%llx have "
				 "no rule equivalent",
				 (unsigned long long)fl->c);
	if (k->kind == LV_SCALAR && !lift_val__is_const(k))
		return lift_split_on(ctx, st, k, "devmap key");
	if (!lift_val__is_const(k) || m->key_size > sizeof(key))
		return lift_slow(ctx, st, "devmap key unknown");
	memcpy(key, &k->c, m->key_size);
	if (m->type == BPF_MAP_TYPE_DEVMAP && k->c >= m->max_entries)
		e = NULL;
	else
		e = find_ent(m, key);
	ret = key_ref(ctx, st, m, key, m->key_size, -1);
	if (ret)
		return ret;
	if (!e)
		return ret_const(st, fl->c & 3);
	memcpy(&ifindex, e->value, 4);
	if (m->value_size >= 8 && memcmp(e->value + 4, "\0\0\0\0", 4))
		return lift_slow(ctx, st, "devmap '%s' entry runs a program",
				 m->name);
	st->redirect = true;
	st->redirect_ifindex = ifindex;
	st->redirect_ingress = false;
	return ret_const(st, XDP_REDIRECT);
}

static int h_tail_call(struct lift_ctx *ctx, struct lift_state *st)
{
	const struct lift_val *pm = &st->r[2], *idx = &st->r[3];
	const struct lift_map_entry *e;
	const struct lift_map *m;
	struct lift_val ctxp = st->r[1];
	uint8_t key[4];
	uint32_t pi;
	int ret;

	if (pm->kind != LV_MAP)
		return lift_slow(ctx, st, "tail call through an unknown map");
	m = &ctx->obj->maps[pm->map];
	if (m->type != BPF_MAP_TYPE_PROG_ARRAY)
		return lift_slow(ctx, st, "tail call through map '%s' that is "
				 "not a prog array", m->name);
	if (idx->kind == LV_SCALAR && !lift_val__is_const(idx))
		return lift_split_on(ctx, st, idx, "tail call index");
	if (!lift_val__is_const(idx))
		return lift_slow(ctx, st, "tail call index unknown");
	memcpy(key, &idx->c, 4);
	e = (uint32_t)idx->c < m->max_entries ? find_ent(m, key) : NULL;
	if (!e || st->n_tail >= 33) {
		/* the call fails and execution continues */
		clobber(st);
		lift_val__opaque(&st->r[0]);
		st->pc++;
		return LIFT_NEXT;
	}
	memcpy(&pi, e->value, 4);
	if (pi >= ctx->obj->n_progs)
		return lift_slow(ctx, st, "tail call target %u of map '%s' is "
				 "not in the object", pi, m->name);
	ret = key_ref(ctx, st, m, key, 4, -1);
	if (ret)
		return ret;
	st->prog = &ctx->obj->progs[pi];
	st->pc = 0;
	st->last_pc = UINT32_MAX;
	st->n_tail++;
	st->n_frames = 1;
	st->n_loops = 0;
	st->fr[0].lo = LIFT_SLOTS;
	for (int i = 0; i < 11; i++)
		st->r[i].kind = LV_UNINIT;
	st->r[1] = ctxp;
	memset(&st->r[10], 0, offsetof(struct lift_val, b));
	st->r[10].kind = LV_STACK;
	return LIFT_NEXT;
}

static int h_load_bytes(struct lift_ctx *ctx, struct lift_state *st)
{
	const struct lift_val *off = &st->r[2], *to = &st->r[3],
			      *len = &st->r[4];
	struct lift_state *c;
	uint32_t need;
	int err = 0;

	if (!lift_val__is_const(off) || !lift_val__is_const(len) ||
	    to->kind != LV_STACK || len->c > 512 || off->c > 65535)
		return lift_slow(ctx, st, "bpf_skb_load_bytes with arguments "
				 "the lifter cannot follow");
	need = off->c + len->c;
	st->seen_l2 = true;
	if (st->len_lo < need) {
		if (st->len_hi >= need) {
			c = lift_fork(ctx, st, &err);
			if (!c)
				return err ? err : LIFT_STOP;
			c->len_lo = need;
			err = lift_push_state(ctx, c);
			if (err)
				return err;
		}
		/* this path: too short, -EFAULT and a zeroed buffer */
		if (need > 0 && st->len_hi > need - 1)
			st->len_hi = need - 1;
		for (uint32_t j = 0; j < len->c; j++) {
			struct lift_val z;

			lift_val__const(&z, 0);
			err = lift_stack_store(ctx, st, to, j, 1, &z);
			if (err)
				return err;
		}
		return ret_const(st, (uint64_t)-EFAULT);
	}
	for (uint32_t j = 0; j < len->c; j++) {
		struct lift_val b;

		err = lift_pkt_read(ctx, st, off->c + j, 1, &b);
		if (!err)
			err = lift_stack_store(ctx, st, to, j, 1, &b);
		if (err)
			return err;
	}
	return ret_const(st, 0);
}

static const lift_helper_fn helpers[] = {
	[BPF_FUNC_map_lookup_elem] = h_lookup,
	[BPF_FUNC_redirect] = h_redirect,
	[BPF_FUNC_redirect_map] = h_redirect_map,
	[BPF_FUNC_tail_call] = h_tail_call,
	[BPF_FUNC_skb_load_bytes] = h_load_bytes,
};

int lift_call_helper(struct lift_ctx *ctx, struct lift_state *st,
		     const struct bpf_insn *in)
{
	const char *name = lift_helper_name(in->imm);
	lift_helper_fn fn = NULL;

	if (in->imm > 0 && (size_t)in->imm < FL_ARRAY_SIZE(helpers))
		fn = helpers[in->imm];
	if (fn)
		return fn(ctx, st);
	if (name)
		return lift_slow(ctx, st, "helper %s has no rule equivalent",
				 name);
	return lift_slow(ctx, st, "helper #%d has no rule equivalent",
			 in->imm);
}

/*
 * Case splits, one child at a time.
 */
static int apply_child(struct lift_ctx *ctx, struct lift_work *w,
		       const struct lift_cset *cs, struct lift_state **out)
{
	struct lift_state *c;
	int ret;

	*out = NULL;
	if (cs->unsat)
		return 0;
	c = lift_state__clone(ctx, w->st);
	if (!c)
		return -ENOMEM;
	ret = lift_cset__apply(c, cs);
	if (ret == -EOPNOTSUPP) {
		/* keeps the constraints it could take: over-approximates,
		 * fine for a slow-path rule */
		c->pending_slow = "map key condition not expressible as one "
				  "match per field";
	} else if (ret) {
		lift_state__free(ctx, c);
		return ret < 0 ? ret : 0;
	}
	ctx->started++;
	*out = c;
	return 0;
}

static int enum_next(struct lift_ctx *ctx, struct lift_work *w,
		     struct lift_state **out)
{
	while (w->next < w->n) {
		struct lift_cset cs;
		uint32_t a = w->next++;
		int ret;

		memset(&cs, 0, sizeof(cs));
		cs.valid = true;
		for (unsigned int j = 0; j < w->n_vars; j++) {
			ret = lift_cset__bit(&cs, w->vars[j], a >> j & 1);
			if (ret)
				return ret;
		}
		ret = apply_child(ctx, w, &cs, out);
		if (ret || *out)
			return ret;
	}
	return 0;
}

/* Key bits vs the entry's key bytes: constant bits must agree, symbolic
 * bits are pinned. 'nbits' limits the compared bits (LPM prefixes), from
 * the most significant bit of each byte. */
static int key_cset(const struct lift_key_byte *key, const uint8_t *ek,
		    uint32_t nbytes, uint32_t nbits, struct lift_cset *cs)
{
	memset(cs, 0, sizeof(*cs));
	cs->valid = true;
	for (uint32_t t = 0; t < nbits && t < nbytes * 8; t++) {
		const struct lift_key_byte *kb = &key[t / 8];
		unsigned int bit = 7 - t % 8;
		unsigned int want = ek[t / 8] >> bit & 1;
		int ret;

		if (!(kb->sym >> bit & 1)) {
			if ((kb->c >> bit & 1) != want) {
				cs->unsat = true;
				return 0;
			}
			continue;
		}
		ret = lift_cset__bit(cs, kb->b[bit], want);
		if (ret)
			return ret;
		if (cs->unsat)
			return 0;
	}
	return 0;
}

static int miss_child(struct lift_ctx *ctx, struct lift_work *w,
		      struct lift_state **out)
{
	struct lift_state *st = w->st;

	w->st = NULL;
	clobber(st);
	lift_val__const(&st->r[0], 0);
	st->pc++;
	*out = st;
	return 0;
}

static int hash_next(struct lift_ctx *ctx, struct lift_work *w,
		     struct lift_state **out)
{
	const struct lift_map *m = &ctx->obj->maps[w->map];

	*out = NULL;
	if (!w->st)
		return 0;
	while (w->next < w->n) {
		const struct lift_map_entry *e = &m->ents[w->next++];
		struct lift_cset cs;
		int ret;

		ret = key_cset(w->key, e->key, w->key_size,
			       w->key_size * 8, &cs);
		if (ret)
			return ret;
		ctx->budget++;
		ret = apply_child(ctx, w, &cs, out);
		if (ret)
			return ret;
		if (!*out)
			continue;
		ret = key_ref(ctx, *out, m, e->key, m->key_size, -1);
		if (ret)
			return ret;
		set_mapval(*out, w->map, e->value);
		for (uint32_t c = 1; c < m->n_cpus; c++)
			if (memcmp(e->value, e->value +
				   (size_t)c * m->value_size, m->value_size))
				(*out)->pending_slow = "per-CPU map holds "
						       "different values per "
						       "CPU";
		return 0;
	}
	return miss_child(ctx, w, out);
}

static uint32_t lpm_plen(const struct lift_map_entry *e)
{
	uint32_t p;

	memcpy(&p, e->key, 4);
	return p;
}

static const struct lift_map *sort_map;

static int cmp_lpm(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint32_t px = lpm_plen(&sort_map->ents[x]);
	uint32_t py = lpm_plen(&sort_map->ents[y]);

	if (px != py)
		return px > py ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int lpm_next(struct lift_ctx *ctx, struct lift_work *w,
		    struct lift_state **out)
{
	const struct lift_map *m = &ctx->obj->maps[w->map];
	uint32_t dbytes = w->key_size - 4;

	*out = NULL;
	if (!w->st)
		return 0;
	if (!w->order && w->n) {
		w->order = malloc(w->n * sizeof(*w->order));
		if (!w->order)
			return -ENOMEM;
		for (uint32_t i = 0; i < w->n; i++)
			w->order[i] = i;
		sort_map = m;
		qsort(w->order, w->n, sizeof(*w->order), cmp_lpm);
	}
	while (w->next < w->n) {
		const struct lift_map_entry *e = &m->ents[w->order[w->next++]];
		uint32_t p = lpm_plen(e);
		struct lift_cset cs;
		int ret;

		if (p > w->lpm_plen || p > dbytes * 8)
			continue;
		ret = key_cset(w->key + 4, e->key + 4, dbytes, p, &cs);
		if (ret)
			return ret;
		ctx->budget++;
		ret = apply_child(ctx, w, &cs, out);
		if (ret)
			return ret;
		if (!*out)
			continue;
		ret = key_ref(ctx, *out, m, e->key + 4, (p + 7) / 8, p);
		if (ret)
			return ret;
		set_mapval(*out, w->map, e->value);
		return 0;
	}
	return miss_child(ctx, w, out);
}

int lift_work_next(struct lift_ctx *ctx, struct lift_work *w,
		   struct lift_state **out)
{
	int ret;

	*out = NULL;
	if (!w->st)
		return 0;
	if (!lift_budget_left(ctx)) {
		/* the remaining cases as one slow-path rule */
		struct lift_state *st = w->st;

		w->st = NULL;
		ret = lift_slow(ctx, st, "path limit (%u) reached",
				ctx->max_paths);
		return ret < 0 ? ret : 0;
	}
	switch (w->kind) {
	case LW_ENUM:
		return enum_next(ctx, w, out);
	case LW_HASH:
		return hash_next(ctx, w, out);
	case LW_LPM:
		return lpm_next(ctx, w, out);
	default:
		return -EINVAL;
	}
}
