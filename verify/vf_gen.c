// SPDX-License-Identifier: Apache-2.0
/*
 * vf_gen.c - the packet generator.
 *
 * A rule set is most likely wrong at the edges the program cares about, so
 * frames are made from the values the program itself mentions: every
 * immediate it compares against (with its ±1 neighbours and byte-swapped
 * forms, since a 16-bit port may be compared before or after ntohs), the
 * keys and values of its maps, LPM prefix boundaries, global data. Those
 * values fill pools by width; a frame draws each header field from the
 * matching pool or at random. Keys whose BTF says which bytes are which
 * header field (a 5-tuple) are also replayed exactly. Everything is driven
 * by one splitmix64 state, so a seed gives the same frames every time.
 *
 * The malformed variants (vf_gen__variants) are made from one base frame,
 * so that the driver can aim them at frames some rule decided: a rule that
 * forgot a length guard or IPv4 options shows up on the truncated or
 * optioned copy of a frame it matched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verify/verify.h"
#include "verify/vf_internal.h"

#define MAX_TUPLES 8192
#define MAX_KEY 64

struct vf_tuple {
	uint8_t key[MAX_KEY];
	uint16_t size;
	struct vf_keyshape shape;
};

struct vf_pools {
	uint64_t *v[VF_POOL__COUNT];
	size_t n[VF_POOL__COUNT], cap[VF_POOL__COUNT];
	uint8_t (*ip6)[16];
	size_t n6, cap6;
	struct vf_tuple *tup;
	size_t ntup, captup;
	bool dirty;
};

uint64_t vf_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t vf_rnd(uint64_t *s, uint64_t n)
{
	return n ? vf_rand(s) % n : 0;
}

#define rnd vf_rnd

static bool chance(uint64_t *s, unsigned int pct)
{
	return rnd(s, 100) < pct;
}

struct vf_pools *vf_pools__new(void)
{
	return calloc(1, sizeof(struct vf_pools));
}

void vf_pools__free(struct vf_pools *p)
{
	if (!p)
		return;
	for (int i = 0; i < VF_POOL__COUNT; i++)
		free(p->v[i]);
	free(p->ip6);
	free(p->tup);
	free(p);
}

static const uint64_t pool_mask[VF_POOL__COUNT] = {
	[VF_POOL_8] = 0xff,
	[VF_POOL_16] = 0xffff,
	[VF_POOL_32] = 0xffffffff,
};

static void push(struct vf_pools *p, enum vf_pool_id id, uint64_t v)
{
	if (p->n[id] == p->cap[id]) {
		size_t c = p->cap[id] ? 2 * p->cap[id] : 64;
		uint64_t *nv = realloc(p->v[id], c * sizeof(*nv));

		if (!nv)
			return; /* a smaller pool is still a pool */
		p->v[id] = nv;
		p->cap[id] = c;
	}
	p->v[id][p->n[id]++] = v & pool_mask[id];
	p->dirty = true;
}

static uint64_t bswap(enum vf_pool_id id, uint64_t v)
{
	if (id == VF_POOL_16)
		return __builtin_bswap16((uint16_t)v);
	if (id == VF_POOL_32)
		return __builtin_bswap32((uint32_t)v);
	return v;
}

void vf_pools__add(struct vf_pools *p, enum vf_pool_id id, uint64_t v,
		   bool around)
{
	v &= pool_mask[id];
	push(p, id, v);
	if (id != VF_POOL_8)
		push(p, id, bswap(id, v));
	if (!around)
		return;
	for (int d = -1; d <= 1; d += 2) {
		uint64_t w = (v + (uint64_t)(int64_t)d) & pool_mask[id];

		push(p, id, w);
		if (id != VF_POOL_8)
			push(p, id, bswap(id, w));
	}
}

void vf_pools__add_ip6(struct vf_pools *p, const uint8_t a[16])
{
	if (p->n6 == p->cap6) {
		size_t c = p->cap6 ? 2 * p->cap6 : 32;
		void *nv = realloc(p->ip6, c * 16);

		if (!nv)
			return;
		p->ip6 = nv;
		p->cap6 = c;
	}
	memcpy(p->ip6[p->n6++], a, 16);
	p->dirty = true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_ip6(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* Sort and dedupe, so that the frames do not depend on insertion order
 * duplicates. */
static void pools_finish(struct vf_pools *p)
{
	if (!p->dirty)
		return;
	for (int id = 0; id < VF_POOL__COUNT; id++) {
		size_t w = 0;

		if (!p->n[id])
			continue;
		qsort(p->v[id], p->n[id], sizeof(uint64_t), cmp_u64);
		for (size_t i = 0; i < p->n[id]; i++)
			if (!w || p->v[id][w - 1] != p->v[id][i])
				p->v[id][w++] = p->v[id][i];
		p->n[id] = w;
	}
	if (p->n6) {
		size_t w = 0;

		qsort(p->ip6, p->n6, 16, cmp_ip6);
		for (size_t i = 0; i < p->n6; i++)
			if (!w || memcmp(p->ip6[w - 1], p->ip6[i], 16))
				memcpy(p->ip6[w++], p->ip6[i], 16);
		p->n6 = w;
	}
	p->dirty = false;
}

size_t vf_pools__count(const struct vf_pools *p, enum vf_pool_id id)
{
	return id < VF_POOL__COUNT ? p->n[id] : p->n6;
}

void vf_pools__scan_insns(struct vf_pools *p, const struct bpf_insn *insns,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t cls = BPF_CLASS(insns[i].code), op = BPF_OP(insns[i].code);
		uint32_t v = (uint32_t)insns[i].imm;

		if (cls != BPF_JMP && cls != BPF_JMP32)
			continue;
		if (BPF_SRC(insns[i].code) != BPF_K || op == BPF_JA ||
		    op == BPF_CALL || op == BPF_EXIT)
			continue;
		if (v <= 0xff)
			vf_pools__add(p, VF_POOL_8, v, true);
		if (v <= 0xffff)
			vf_pools__add(p, VF_POOL_16, v, true);
		vf_pools__add(p, VF_POOL_32, v, true);
	}
}

/* Slice bytes into the pools: natural-width chunks, both byte orders. */
static void scan_bytes(struct vf_pools *p, const uint8_t *b, size_t n)
{
	if (n > 16)
		n = 16;
	if (n == 16 && b[0])
		vf_pools__add_ip6(p, b);
	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t be = (uint32_t)b[i] << 24 | (uint32_t)b[i + 1] << 16 |
			      (uint32_t)b[i + 2] << 8 | b[i + 3];

		if (be)
			vf_pools__add(p, VF_POOL_32, be, false);
	}
	for (size_t i = 0; i + 2 <= n; i += 2) {
		uint16_t be = (uint16_t)(b[i] << 8 | b[i + 1]);

		if (be)
			vf_pools__add(p, VF_POOL_16, be, true);
	}
	for (size_t i = 0; i < n && i < 4; i++)
		if (b[i])
			vf_pools__add(p, VF_POOL_8, b[i], false);
}

static void ip6_step(uint8_t a[16], int d)
{
	for (int i = 15; i >= 0; i--) {
		uint8_t old = a[i];

		a[i] = (uint8_t)(a[i] + d);
		if ((d > 0 && a[i] > old) || (d < 0 && a[i] < old))
			break;
	}
}

/* An LPM key: u32 prefix length (host order), then the data. */
static void scan_lpm(struct vf_pools *p, const uint8_t *key, size_t ksz)
{
	uint32_t plen;
	size_t dlen = ksz - 4;

	memcpy(&plen, key, 4);
	if (dlen == 4) {
		uint32_t a = (uint32_t)key[4] << 24 | (uint32_t)key[5] << 16 |
			     (uint32_t)key[6] << 8 | key[7];
		uint32_t mask = plen >= 32 ? 0xffffffffu :
				plen ? ~(0xffffffffu >> plen) : 0;
		uint32_t first = a & mask, last = first | ~mask;

		push(p, VF_POOL_32, first);
		push(p, VF_POOL_32, last);
		push(p, VF_POOL_32, first - 1);
		push(p, VF_POOL_32, last + 1);
	} else if (dlen == 16) {
		uint8_t first[16], last[16];

		for (int i = 0; i < 16; i++) {
			int bits = (int)plen - 8 * i;
			uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 :
				    (uint8_t)(0xff << (8 - bits));

			first[i] = key[4 + i] & m;
			last[i] = first[i] | (uint8_t)~m;
		}
		vf_pools__add_ip6(p, first);
		vf_pools__add_ip6(p, last);
		ip6_step(first, -1);
		ip6_step(last, 1);
		vf_pools__add_ip6(p, first);
		vf_pools__add_ip6(p, last);
	} else {
		scan_bytes(p, key + 4, dlen);
	}
}

static void add_tuple(struct vf_pools *p, const uint8_t *key, size_t ksz,
		      const struct vf_keyshape *shape)
{
	struct vf_tuple *t;

	if (p->ntup >= MAX_TUPLES || ksz > MAX_KEY)
		return;
	if (p->ntup == p->captup) {
		size_t c = p->captup ? 2 * p->captup : 64;
		void *nv = realloc(p->tup, c * sizeof(*p->tup));

		if (!nv)
			return;
		p->tup = nv;
		p->captup = c;
	}
	t = &p->tup[p->ntup++];
	memcpy(t->key, key, ksz);
	t->size = (uint16_t)ksz;
	t->shape = *shape;
}

void vf_pools__scan_map(struct vf_pools *p, const struct lift_map *m,
			const struct vf_keyshape *shape)
{
	switch (m->type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return;
	default:
		break;
	}
	if (m->kind != LIFT_MAP_USER) {
		/* Global data: configuration constants compared by register. */
		if (m->array_data)
			for (size_t o = 0; o < m->value_size; o += 16)
				scan_bytes(p, m->array_data + o,
					   m->value_size - o);
		return;
	}
	for (size_t i = 0; i < m->n_ents; i++) {
		const uint8_t *k = m->ents[i].key, *v = m->ents[i].value;

		if (m->type == BPF_MAP_TYPE_LPM_TRIE && m->key_size > 4)
			scan_lpm(p, k, m->key_size);
		else if (m->type == BPF_MAP_TYPE_ARRAY ||
			 m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
			uint32_t idx;

			memcpy(&idx, k, 4);
			if (idx <= 0xffff)
				vf_pools__add(p, idx <= 0xff ? VF_POOL_8 :
					      VF_POOL_16, idx, false);
		} else {
			scan_bytes(p, k, m->key_size);
		}
		if (shape && shape->n && m->type != BPF_MAP_TYPE_LPM_TRIE)
			add_tuple(p, k, m->key_size, shape);
		if (v)
			scan_bytes(p, v, m->value_size);
	}
}

/*
 * Frames.
 */
enum gen_role {
	GR_SADDR4,
	GR_DADDR4,
	GR_MARK,
	GR_SPORT,
	GR_DPORT,
	GR_VLAN,
	GR_ETHTYPE,
	GR_PROTO,
	GR_TTL,
	GR_TOS,
	GR_TCPFLAGS,
	GR_ICMPTYPE,
	GR_ICMPCODE,
	GR_HEAD0,
	GR_HEAD2,
	GR_PAYLEN,
	GR_SADDR6,
	GR_DADDR6,
	GR__COUNT
};

static const struct {
	const char *name;
	int pool; /* VF_POOL__COUNT: the IPv6 pool */
} roles[GR__COUNT] = {
	[GR_SADDR4] = { "ip4.src", VF_POOL_32 },
	[GR_DADDR4] = { "ip4.dst", VF_POOL_32 },
	[GR_MARK] = { "mark", VF_POOL_32 },
	[GR_SPORT] = { "l4.sport", VF_POOL_16 },
	[GR_DPORT] = { "l4.dport", VF_POOL_16 },
	[GR_VLAN] = { "vlan.id", VF_POOL_16 },
	[GR_ETHTYPE] = { "eth.type", VF_POOL_16 },
	[GR_PROTO] = { "ip.proto", VF_POOL_8 },
	[GR_TTL] = { "ip.ttl", VF_POOL_8 },
	[GR_TOS] = { "ip.tos", VF_POOL_8 },
	[GR_TCPFLAGS] = { "tcp.flags", VF_POOL_8 },
	[GR_ICMPTYPE] = { "icmp.type", VF_POOL_8 },
	[GR_ICMPCODE] = { "icmp.code", VF_POOL_8 },
	[GR_HEAD0] = { "payload[0]", VF_POOL_8 },
	[GR_HEAD2] = { "payload[2]", VF_POOL_8 },
	[GR_PAYLEN] = { "l4 length", VF_POOL_16 },
	[GR_SADDR6] = { "ip6.src", VF_POOL__COUNT },
	[GR_DADDR6] = { "ip6.dst", VF_POOL__COUNT },
};

static void put_be32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24, b[1] = v >> 16, b[2] = v >> 8, b[3] = (uint8_t)v;
}

static void set_proto(struct vf_pkt *p, uint8_t proto)
{
	p->proto = proto;
	switch (proto) {
	case 6:
		p->l4 = VF_L4_TCP;
		break;
	case 17:
		p->l4 = VF_L4_UDP;
		break;
	case 1:
		p->l4 = p->l3 == VF_L3_IP4 ? VF_L4_ICMP : VF_L4_NONE;
		break;
	case 58:
		p->l4 = p->l3 == VF_L3_IP6 ? VF_L4_ICMP6 : VF_L4_NONE;
		break;
	default:
		p->l4 = VF_L4_NONE;
		break;
	}
}

static void to_ip4(struct vf_pkt *p)
{
	if (p->l3 == VF_L3_IP4)
		return;
	p->l3 = VF_L3_IP4;
	p->ethertype = 0x0800;
	p->n_exts = 0;
	if (p->l4 == VF_L4_ICMP6)
		p->l4 = VF_L4_ICMP, p->proto = 1;
}

static void to_ip6(struct vf_pkt *p)
{
	if (p->l3 == VF_L3_IP6)
		return;
	p->l3 = VF_L3_IP6;
	p->ethertype = 0x86dd;
	p->ihl = 0;
	p->frag = 0;
	if (p->l4 == VF_L4_ICMP)
		p->l4 = VF_L4_ICMP6, p->proto = 58;
}

static void apply_role(struct vf_pkt *p, enum gen_role r, uint64_t v,
		       const uint8_t *ip6)
{
	switch (r) {
	case GR_SADDR4:
		to_ip4(p);
		put_be32(p->saddr4, (uint32_t)v);
		break;
	case GR_DADDR4:
		to_ip4(p);
		put_be32(p->daddr4, (uint32_t)v);
		break;
	case GR_MARK:
		p->mark = (uint32_t)v;
		break;
	case GR_SPORT:
	case GR_DPORT:
		if (p->l4 != VF_L4_TCP && p->l4 != VF_L4_UDP)
			set_proto(p, 6);
		if (r == GR_SPORT)
			p->sport = (uint16_t)v;
		else
			p->dport = (uint16_t)v;
		break;
	case GR_VLAN:
		p->n_vlans = 1;
		p->vlans[0].tpid = 0x8100;
		p->vlans[0].tci = (uint16_t)(v & 0xfff);
		break;
	case GR_ETHTYPE:
		p->ethertype = (uint16_t)v;
		if (v == 0x0800)
			to_ip4(p);
		else if (v == 0x86dd)
			to_ip6(p);
		else if (v == 0x0806)
			p->l3 = VF_L3_ARP;
		else if (v == 0x8100 || v == 0x88a8) {
			/* a tag: keep the L3 behind it */
			p->n_vlans = 1;
			p->vlans[0].tpid = (uint16_t)v;
			p->vlans[0].tci = 100;
			p->ethertype = p->l3 == VF_L3_IP6 ? 0x86dd : 0x0800;
		} else
			p->l3 = VF_L3_NONE, p->l4 = VF_L4_NONE;
		break;
	case GR_PROTO:
		set_proto(p, (uint8_t)v);
		break;
	case GR_TTL:
		p->ttl = (uint8_t)v;
		break;
	case GR_TOS:
		p->tos = (uint8_t)v;
		break;
	case GR_TCPFLAGS:
		set_proto(p, 6);
		p->tcp_flags = (uint16_t)v;
		break;
	case GR_ICMPTYPE:
	case GR_ICMPCODE:
		set_proto(p, p->l3 == VF_L3_IP6 ? 58 : 1);
		if (r == GR_ICMPTYPE)
			p->icmp_type = (uint8_t)v;
		else
			p->icmp_code = (uint8_t)v;
		break;
	case GR_HEAD0:
	case GR_HEAD2:
		if (p->l4 != VF_L4_UDP && p->l4 != VF_L4_TCP)
			set_proto(p, 17);
		if (p->payload_len < VF_PAYLOAD_HEAD)
			p->payload_len = VF_PAYLOAD_HEAD;
		p->head[r == GR_HEAD0 ? 0 : 2] = (uint8_t)v;
		break;
	case GR_PAYLEN:
		/* Lengths the program compares: make the UDP/TCP-to-end
		 * length (and so IP lengths near it) equal v. */
		if (v >= 20 && v <= 1400)
			p->payload_len = (uint16_t)(v - (p->l4 == VF_L4_TCP ?
							  20 : 8));
		break;
	case GR_SADDR6:
		to_ip6(p);
		memcpy(p->saddr6, ip6, 16);
		break;
	case GR_DADDR6:
		to_ip6(p);
		memcpy(p->daddr6, ip6, 16);
		break;
	default:
		break;
	}
}

static uint64_t pick(const struct vf_pools *p, enum vf_pool_id id,
		     uint64_t *s, uint64_t fallback)
{
	if (p->n[id] && chance(s, 60))
		return p->v[id][rnd(s, p->n[id])];
	return fallback & pool_mask[id];
}

const uint16_t vf_tcp_combos[] = {
	0x002, 0x012, 0x010, 0x018, 0x011, 0x004, 0x014, 0x001, 0x000,
	0x029, 0x003, 0x006, 0x0c2, 0x020, 0x03f, 0x0ff,
};
const size_t vf_n_tcp_combos = FL_ARRAY_SIZE(vf_tcp_combos);

/* A random frame with fields drawn from the pools. */
static void random_base(const struct vf_pools *p, uint64_t *s, bool mark,
			struct vf_pkt *k)
{
	int v6 = p->n6 && chance(s, 40) ? 6 : chance(s, 20) ? 6 : 4;
	unsigned int r = (unsigned int)rnd(s, 100);
	enum vf_l4 l4 = r < 45 ? VF_L4_TCP : r < 80 ? VF_L4_UDP :
			r < 92 ? (v6 == 6 ? VF_L4_ICMP6 : VF_L4_ICMP) :
			VF_L4_NONE;
	uint64_t x;

	vf_pkt__init(k, v6, l4);
	if (l4 == VF_L4_NONE)
		k->proto = (uint8_t)pick(p, VF_POOL_8, s, vf_rand(s));
	if (v6 == 4) {
		put_be32(k->saddr4, (uint32_t)pick(p, VF_POOL_32, s,
						   vf_rand(s)));
		put_be32(k->daddr4, (uint32_t)pick(p, VF_POOL_32, s,
						   vf_rand(s)));
	} else {
		for (int i = 0; i < 2; i++) {
			uint8_t *a = i ? k->daddr6 : k->saddr6;

			if (p->n6 && chance(s, 70)) {
				memcpy(a, p->ip6[rnd(s, p->n6)], 16);
			} else {
				x = vf_rand(s);
				memcpy(a + 8, &x, 8);
			}
		}
	}
	k->sport = (uint16_t)pick(p, VF_POOL_16, s, 1024 + rnd(s, 64511));
	k->dport = (uint16_t)pick(p, VF_POOL_16, s, rnd(s, 65536));
	k->ttl = chance(s, 80) ? 64 : (uint8_t)pick(p, VF_POOL_8, s,
						     vf_rand(s));
	k->tos = chance(s, 80) ? 0 : (uint8_t)pick(p, VF_POOL_8, s,
						    vf_rand(s));
	k->tcp_flags = chance(s, 30) ? (uint16_t)pick(p, VF_POOL_8, s, 2) :
		       vf_tcp_combos[rnd(s, vf_n_tcp_combos)];
	k->icmp_type = (uint8_t)pick(p, VF_POOL_8, s, rnd(s, 256));
	k->icmp_code = chance(s, 70) ? 0 : (uint8_t)pick(p, VF_POOL_8, s, 0);
	k->payload_len = (uint16_t)rnd(s, 65);
	for (int i = 0; i < VF_PAYLOAD_HEAD; i++)
		k->head[i] = chance(s, 25) ?
			(uint8_t)pick(p, VF_POOL_8, s, vf_rand(s)) :
			(uint8_t)vf_rand(s);
	if (mark && chance(s, 50))
		k->mark = (uint32_t)pick(p, VF_POOL_32, s, vf_rand(s));
	if (chance(s, 12))
		apply_role(k, GR_VLAN, pick(p, VF_POOL_16, s, rnd(s, 4095)),
			   NULL);
}

/* A stored key played back: each slot sets its header field. Ports are
 * read in wire order (swap false) or host order (swap true). */
static void apply_tuple(struct vf_pkt *k, const struct vf_tuple *t,
			bool swap)
{
	for (uint32_t i = 0; i < t->shape.n; i++) {
		const struct vf_keyslot *sl = &t->shape.s[i];
		const uint8_t *b = t->key + sl->off;
		uint64_t be = 0, le = 0;

		if (sl->off + sl->size > t->size)
			continue;
		for (int j = 0; j < sl->size && j < 8; j++) {
			be = be << 8 | b[j];
			le |= (uint64_t)b[j] << (8 * j);
		}
		switch (sl->role) {
		case VF_ROLE_SADDR:
		case VF_ROLE_DADDR:
			if (sl->size == 16)
				apply_role(k, sl->role == VF_ROLE_SADDR ?
					   GR_SADDR6 : GR_DADDR6, 0, b);
			else if (sl->size == 4)
				apply_role(k, sl->role == VF_ROLE_SADDR ?
					   GR_SADDR4 : GR_DADDR4, be, NULL);
			break;
		case VF_ROLE_SPORT:
		case VF_ROLE_DPORT:
			apply_role(k, sl->role == VF_ROLE_SPORT ? GR_SPORT :
				   GR_DPORT, swap ? le : be, NULL);
			break;
		case VF_ROLE_PROTO:
			apply_role(k, GR_PROTO, le & 0xff, NULL);
			break;
		case VF_ROLE_VLAN:
			apply_role(k, GR_VLAN, swap ? be : le, NULL);
			break;
		case VF_ROLE_MARK:
			apply_role(k, GR_MARK, le, NULL);
			break;
		case VF_ROLE_ETHTYPE:
			apply_role(k, GR_ETHTYPE, swap ? le : be, NULL);
			break;
		default:
			break;
		}
	}
}

static int gen_systematic(const struct vf_pools *p, uint64_t *s,
			  const struct vf_gen_opts *o, uint64_t budget,
			  struct vf_frames *fs)
{
	uint64_t total = 0, stride, i, at = 0;
	struct vf_pkt k;
	char kind[40];
	int err;

	for (int r = 0; r < GR__COUNT; r++) {
		if (r == GR_MARK && !o->with_mark)
			continue;
		total += roles[r].pool == VF_POOL__COUNT ? p->n6 :
			 p->n[roles[r].pool];
	}
	if (!total || !budget)
		return 0;
	stride = (total + budget - 1) / budget;
	i = rnd(s, stride);
	for (int r = 0; r < GR__COUNT; r++) {
		size_t n;

		if (r == GR_MARK && !o->with_mark)
			continue;
		n = roles[r].pool == VF_POOL__COUNT ? p->n6 :
		    p->n[roles[r].pool];
		for (; i < at + n; i += stride) {
			size_t j = (size_t)(i - at);

			random_base(p, s, o->with_mark, &k);
			if (roles[r].pool == VF_POOL__COUNT)
				apply_role(&k, (enum gen_role)r, 0, p->ip6[j]);
			else
				apply_role(&k, (enum gen_role)r,
					   p->v[roles[r].pool][j], NULL);
			snprintf(kind, sizeof(kind), "const %s", roles[r].name);
			err = vf_frames__add_spec(fs, &k, kind);
			if (err)
				return err;
		}
		at += n;
	}
	return 0;
}

static int gen_tuples(const struct vf_pools *p, uint64_t *s,
		      const struct vf_gen_opts *o, uint64_t budget,
		      struct vf_frames *fs)
{
	uint64_t stride;
	struct vf_pkt k;
	int err;

	if (!p->ntup || !budget)
		return 0;
	stride = (2 * p->ntup + budget - 1) / budget;
	for (uint64_t i = rnd(s, stride); i < 2 * p->ntup; i += stride) {
		random_base(p, s, o->with_mark, &k);
		k.n_vlans = 0;
		apply_tuple(&k, &p->tup[i / 2], i & 1);
		err = vf_frames__add_spec(fs, &k, i & 1 ? "map key (host)" :
					  "map key");
		if (err)
			return err;
	}
	return 0;
}

/* Frames no pool makes: other ethertypes, 802.3, broken IP versions. */
static int gen_odd(uint64_t *s, struct vf_frames *fs)
{
	static const struct {
		uint16_t ethertype;
		uint8_t l3, version, ihl;
		const char *kind;
	} odd[] = {
		{ 0x0806, VF_L3_ARP, 0, 0, "arp" },
		{ 0x88cc, VF_L3_NONE, 0, 0, "lldp" },
		{ 0x0040, VF_L3_NONE, 0, 0, "802.3 length" },
		{ 0x8847, VF_L3_NONE, 0, 0, "mpls" },
		{ 0x0800, VF_L3_IP4, 6, 0, "ip4 version 6" },
		{ 0x0800, VF_L3_IP4, 0, 4, "ip4 ihl 4" },
		{ 0x0800, VF_L3_IP4, 0, 1, "ip4 ihl 1" },
		{ 0x86dd, VF_L3_IP6, 4, 0, "ip6 version 4" },
		{ 0x86dd, VF_L3_IP4, 0, 0, "ip4 as 0x86dd" },
		{ 0x0800, VF_L3_IP6, 0, 0, "ip6 as 0x0800" },
	};
	struct vf_pkt k;
	int err;

	for (size_t i = 0; i < FL_ARRAY_SIZE(odd); i++) {
		vf_pkt__init(&k, odd[i].l3 == VF_L3_IP6 ? 6 : 4,
			     rnd(s, 2) ? VF_L4_TCP : VF_L4_UDP);
		if (odd[i].l3 == VF_L3_ARP || odd[i].l3 == VF_L3_NONE)
			k.l3 = odd[i].l3, k.l4 = VF_L4_NONE;
		k.ethertype = odd[i].ethertype;
		k.version = odd[i].version;
		k.ihl = odd[i].ihl;
		k.payload_len = 32;
		err = vf_frames__add_spec(fs, &k, odd[i].kind);
		if (err)
			return err;
	}
	return 0;
}

int vf_gen__frames(struct vf_pools *p, const struct vf_gen_opts *o,
		   struct vf_frames *fs)
{
	uint64_t s = o->seed, n = o->n_packets ? o->n_packets : 2000;
	struct vf_pkt k;
	int err;

	pools_finish(p);
	err = gen_systematic(p, &s, o, n / 2, fs) ?:
	      gen_tuples(p, &s, o, n / 4, fs) ?:
	      gen_odd(&s, fs);
	if (err)
		return err;
	while (fs->n < n) {
		random_base(p, &s, o->with_mark, &k);
		err = vf_frames__add_spec(fs, &k, "random");
		if (err)
			return err;
	}
	return 0;
}

