// SPDX-License-Identifier: Apache-2.0
/*
 * lift_layout.c - what the bytes a program reads mean.
 *
 * A packet offset means a header field only given what the path already
 * knows: offset 23 is ip.proto once eth.type is pinned to 0x0800; offset 36
 * is l4.dport once ip4.ihl is pinned to 5 and ip.proto to TCP or UDP.
 * The layout is therefore derived from the path's rule on every read.
 * Offsets are as the program sees them: on tc hooks the kernel has already
 * stripped the outer VLAN tag into skb->vlan_tci, so offset 12 is the
 * ethertype after the tag (vlan.type) when the path knows a tag is present,
 * and eth.type otherwise (the emitted rule then excludes tagged frames,
 * see lift_path.c). On XDP tags are in-line.
 *
 * lift_require() adds what target parsers need before a key exists: enough
 * bytes for the header (meta.len), ihl >= 5 for IPv4 keys, and "not a
 * fragment" for L4 keys (flower parses no ports for any fragment). Each
 * unmet need splits the path: the packets that lack it get a slow-path rule
 * first, the path continues with the need pinned.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "compiler/lift_internal.h"

struct lay_row {
	uint8_t off, mask, f, lsb;
};

#define B1(o, f) { o, 0xff, f, 0 }
#define B2(o, f) { o, 0xff, f, 8 }, { o + 1, 0xff, f, 0 }
#define B4(o, f) { o, 0xff, f, 24 }, { o + 1, 0xff, f, 16 }, \
		 { o + 2, 0xff, f, 8 }, { o + 3, 0xff, f, 0 }
#define B6(o, f) { o, 0xff, f, 40 }, { o + 1, 0xff, f, 32 }, \
		 { o + 2, 0xff, f, 24 }, { o + 3, 0xff, f, 16 }, \
		 { o + 4, 0xff, f, 8 }, { o + 5, 0xff, f, 0 }
#define B16(o, f) { o, 0xff, f, 120 }, { o + 1, 0xff, f, 112 }, \
		  { o + 2, 0xff, f, 104 }, { o + 3, 0xff, f, 96 }, \
		  { o + 4, 0xff, f, 88 }, { o + 5, 0xff, f, 80 }, \
		  { o + 6, 0xff, f, 72 }, { o + 7, 0xff, f, 64 }, \
		  { o + 8, 0xff, f, 56 }, { o + 9, 0xff, f, 48 }, \
		  { o + 10, 0xff, f, 40 }, { o + 11, 0xff, f, 32 }, \
		  { o + 12, 0xff, f, 24 }, { o + 13, 0xff, f, 16 }, \
		  { o + 14, 0xff, f, 8 }, { o + 15, 0xff, f, 0 }

static const struct lay_row eth_rows[] = {
	B6(0, IR_F_ETH_DST), B6(6, IR_F_ETH_SRC),
};

static const struct lay_row vlan_rows[] = {
	{ 0, 0xe0, IR_F_VLAN_PCP, 0 }, { 0, 0x0f, IR_F_VLAN_ID, 8 },
	B1(1, IR_F_VLAN_ID), B2(2, IR_F_VLAN_TYPE),
};

static const struct lay_row ip4_rows[] = {
	{ 0, 0x0f, IR_F_IP4_IHL, 0 }, B1(1, IR_F_IP_TOS), B2(6, LF_FRAGOFF),
	B1(8, IR_F_IP_TTL), B1(9, IR_F_IP_PROTO), B4(12, IR_F_IP4_SRC),
	B4(16, IR_F_IP4_DST),
};

static const struct lay_row ip6_rows[] = {
	{ 0, 0x0f, IR_F_IP_TOS, 4 }, { 1, 0xf0, IR_F_IP_TOS, 0 },
	B1(6, IR_F_IP6_NEXTHDR), B1(7, IR_F_IP_TTL), B16(8, IR_F_IP6_SRC),
	B16(24, IR_F_IP6_DST),
};

static const struct lay_row tcp_rows[] = {
	B2(0, IR_F_L4_SPORT), B2(2, IR_F_L4_DPORT),
	{ 12, 0x0f, IR_F_TCP_FLAGS, 8 }, B1(13, IR_F_TCP_FLAGS),
};

static const struct lay_row ports_rows[] = {
	B2(0, IR_F_L4_SPORT), B2(2, IR_F_L4_DPORT),
};

static const struct lay_row icmp_rows[] = {
	B1(0, IR_F_ICMP_TYPE), B1(1, IR_F_ICMP_CODE),
};

#define ROWS(a) a, FL_ROWS(a)
#define FL_ROWS(a) (sizeof(a) / sizeof((a)[0]))

struct layout {
	enum ir_field_id type_f; /* field at program-seen offset 12 */
	int32_t vlan_off;        /* XDP in-line tag, or -1 */
	int32_t l3_off;          /* -1: unknown */
	int l3;                  /* 0, 4, 6 */
	int32_t l4_off;          /* -1: unknown */
	int proto;               /* -1: unknown */
	bool ihl_exact;
};

static unsigned int val_bit(const struct ir_val *v, enum ir_field_id f,
			    unsigned int i)
{
	size_t n = ir_field__bytes(f);

	return v->b[n - 1 - i / 8] >> (i % 8) & 1;
}

bool lift_rule_exact(const struct ir_rule *r, enum ir_field_id f,
		     uint64_t *v)
{
	const struct ir_match *m = ir_rule__find(r, f);
	const struct ir_field *fd = ir_field__get(f);
	struct ir_val full;

	if (!m || !fd || fd->width > 64)
		return false;
	if (m->kind == IR_MATCH_RANGE) {
		if (m->lo != m->hi)
			return false;
		*v = m->lo;
		return true;
	}
	ir_val__from_u64(&full, f, ~0ull);
	if (memcmp(&m->mask, &full, sizeof(full)))
		return false;
	*v = ir_val__u64(&m->key, f);
	return true;
}

bool lift_rule_bounds(const struct ir_rule *r, enum ir_field_id f,
		      uint64_t *lo, uint64_t *hi)
{
	const struct ir_match *m = ir_rule__find(r, f);
	const struct ir_field *fd = ir_field__get(f);
	uint64_t full;

	if (!fd || fd->width > 64)
		return false;
	full = fd->width == 64 ? ~0ull : (1ull << fd->width) - 1;
	*lo = 0;
	*hi = full;
	if (!m)
		return false;
	if (m->kind == IR_MATCH_RANGE) {
		*lo = m->lo;
		*hi = m->hi;
	} else {
		uint64_t k = ir_val__u64(&m->key, f);
		uint64_t mk = ir_val__u64(&m->mask, f);

		*lo = k;
		*hi = k | (~mk & full);
	}
	return true;
}

static bool is_vlan_type(uint64_t t)
{
	return t == 0x8100 || t == 0x88a8;
}

static bool ip6_ext(uint64_t nh)
{
	switch (nh) {
	case 0: case 43: case 44: case 50: case 51: case 60: case 135:
	case 139: case 140: case 253: case 254:
		return true;
	default:
		return false;
	}
}

static bool tc_vlan_present(const struct ir_rule *r)
{
	uint64_t lo, hi;

	return lift_rule_bounds(r, IR_F_NUM_VLANS, &lo, &hi) && lo >= 1;
}

static void layout(const struct lift_ctx *ctx, const struct lift_state *st,
		   struct layout *l)
{
	const struct ir_rule *r = &st->rule;
	uint64_t et, v;

	memset(l, 0, sizeof(*l));
	l->vlan_off = l->l3_off = l->l4_off = l->proto = -1;
	l->type_f = IR_F_ETH_TYPE;
	if (ctx->tc && tc_vlan_present(r))
		l->type_f = IR_F_VLAN_TYPE;
	if (!lift_rule_exact(r, l->type_f, &et))
		return;
	l->l3_off = 14;
	if (is_vlan_type(et)) {
		if (ctx->tc)
			return; /* an inner tag on tc: not modelled */
		l->vlan_off = 14;
		l->l3_off = 18;
		if (!lift_rule_exact(r, IR_F_VLAN_TYPE, &et) ||
		    is_vlan_type(et))
			return;
	}
	if (et == 0x0800) {
		l->l3 = 4;
		if (lift_rule_exact(r, IR_F_IP4_IHL, &v) && v >= 5) {
			l->ihl_exact = true;
			l->l4_off = l->l3_off + 4 * v;
			if (lift_rule_exact(r, IR_F_IP_PROTO, &v))
				l->proto = v;
		}
	} else if (et == 0x86dd) {
		l->l3 = 6;
		if (lift_rule_exact(r, IR_F_IP6_NEXTHDR, &v) && !ip6_ext(v)) {
			l->l4_off = l->l3_off + 40;
			l->proto = v;
		}
	}
}

static bool find_row(const struct lay_row *rows, size_t n, int32_t off,
		     struct lift_bit *out)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		unsigned int lowest, k, j;

		if (rows[i].off != off)
			continue;
		lowest = __builtin_ctz(rows[i].mask);
		for (k = lowest, j = 0; k < 8; k++) {
			if (!(rows[i].mask >> k & 1))
				continue;
			out[k] = (struct lift_bit){ rows[i].f,
						    rows[i].lsb + j++ };
			any = true;
		}
	}
	return any;
}

static const struct lay_row *l4_rows(int proto, size_t *n, int l3)
{
	switch (proto) {
	case 6:
		*n = FL_ROWS(tcp_rows);
		return tcp_rows;
	case 17:
	case 132:
		*n = FL_ROWS(ports_rows);
		return ports_rows;
	case 1:
		if (l3 != 4)
			break;
		*n = FL_ROWS(icmp_rows);
		return icmp_rows;
	case 58:
		if (l3 != 6)
			break;
		*n = FL_ROWS(icmp_rows);
		return icmp_rows;
	}
	*n = 0;
	return NULL;
}

enum { MAP_OK, MAP_NEED_IHL5 };

/* Bits of the byte at program-seen offset 'off'. */
static int map_byte(const struct layout *l, const struct lift_state *st,
		    int32_t off, struct lift_bit *out)
{
	const struct lay_row *rows;
	size_t n;

	for (int k = 0; k < 8; k++)
		out[k] = (struct lift_bit){ LB_F_OPAQUE, 0 };
	if (off < 12) {
		find_row(eth_rows, FL_ROWS(eth_rows), off, out);
		return MAP_OK;
	}
	if (off < 14) {
		struct lay_row t[] = { B2(12, l->type_f) };

		find_row(t, 2, off, out);
		return MAP_OK;
	}
	if (l->vlan_off >= 0 && off < l->vlan_off + 4) {
		find_row(vlan_rows, FL_ROWS(vlan_rows), off - l->vlan_off,
			 out);
		return MAP_OK;
	}
	if (l->l3_off < 0 || off < l->l3_off)
		return MAP_OK;
	if (l->l3 == 4 && off < l->l3_off + 20) {
		find_row(ip4_rows, FL_ROWS(ip4_rows), off - l->l3_off, out);
		return MAP_OK;
	}
	if (l->l3 == 4 && !l->ihl_exact)
		return st->no_ihl5 ? MAP_OK : MAP_NEED_IHL5;
	if (l->l3 == 6 && off < l->l3_off + 40) {
		find_row(ip6_rows, FL_ROWS(ip6_rows), off - l->l3_off, out);
		return MAP_OK;
	}
	if (l->l4_off < 0 || off < l->l4_off)
		return MAP_OK;
	rows = l4_rows(l->proto, &n, l->l3);
	if (rows && off - l->l4_off < 64)
		find_row(rows, n, off - l->l4_off, out);
	return MAP_OK;
}

static bool pinned_bit(const struct ir_rule *r, struct lift_bit b,
		       unsigned int *v)
{
	const struct ir_match *m;
	unsigned int i = b.i & ~LB_NEG;
	uint64_t x, lo, hi;

	if (b.f == LF_VLAN_PRESENT) {
		if (!lift_rule_bounds(r, IR_F_NUM_VLANS, &lo, &hi) ||
		    (lo == 0 && hi != 0))
			return false;
		*v = lo >= 1;
		goto neg;
	}
	if (b.f >= IR_F__COUNT)
		return false;
	m = ir_rule__find(r, b.f);
	if (!m)
		return false;
	if (m->kind == IR_MATCH_RANGE) {
		if (m->lo != m->hi)
			return false;
		x = m->lo;
		*v = x >> i & 1;
		goto neg;
	}
	if (!val_bit(&m->mask, b.f, i))
		return false;
	*v = val_bit(&m->key, b.f, i);
neg:
	if (b.i & LB_NEG)
		*v ^= 1;
	return true;
}

void lift_val__pin(const struct ir_rule *r, struct lift_val *v)
{
	uint64_t s;

	if (v->kind != LV_SCALAR || !v->sym)
		return;
	for (s = v->sym; s; s &= s - 1) {
		int i = __builtin_ctzll(s);
		unsigned int x;

		if (v->b[i].f == LB_F_OPAQUE ||
		    !pinned_bit(r, v->b[i], &x))
			continue;
		v->sym &= ~(1ull << i);
		v->c = (v->c & ~(1ull << i)) | ((uint64_t)x << i);
	}
}

void lift_state__pin(struct lift_state *st)
{
	for (int i = 0; i < 11; i++)
		lift_val__pin(&st->rule, &st->r[i]);
	for (int f = 0; f < st->n_frames; f++) {
		struct lift_frame *fr = &st->fr[f];

		for (int s = fr->lo; s < LIFT_SLOTS; s++)
			lift_val__pin(&st->rule, &fr->slot[s]);
		for (int s = 0; s < 4; s++)
			lift_val__pin(&st->rule, &fr->saved[s]);
	}
}

/* The path reads past the fixed IPv4 header without knowing ihl: it
 * assumes no options. Pin ip4.ihl=5 and queue a sibling that reads those
 * bytes as opaque (for packets with options), unless assumed away. */
static int need_ihl5(struct lift_ctx *ctx, struct lift_state *st)
{
	struct ir_match m;
	struct lift_state *sib;
	int err = 0, ret;

	ir_match__exact(&m, IR_F_IP4_IHL, 5);
	if (!(ctx->opts->assume & IR_ASSUME_NO_IP_OPTIONS)) {
		sib = lift_fork(ctx, st, &err);
		if (!sib)
			return err ? err : LIFT_STOP;
		sib->no_ihl5 = true;
		err = lift_push_state(ctx, sib);
		if (err)
			return err;
	}
	ret = ir_rule__and(&st->rule, &m);
	if (ret < 0)
		return ret;
	if (ret == 1)
		st->no_ihl5 = true;
	lift_state__pin(st);
	return 0;
}

int lift_pkt_byte(struct lift_ctx *ctx, struct lift_state *st, int32_t off,
		  struct lift_key_byte *out)
{
	struct layout l;
	int ret;

	if (off >= 12)
		st->seen_l2 = true;
	for (;;) {
		layout(ctx, st, &l);
		ret = map_byte(&l, st, off, out->b);
		if (ret == MAP_OK)
			break;
		ret = need_ihl5(ctx, st);
		if (ret)
			return ret;
	}
	out->c = 0;
	out->sym = 0;
	for (int k = 0; k < 8; k++) {
		unsigned int x;

		if (out->b[k].f != LB_F_OPAQUE &&
		    pinned_bit(&st->rule, out->b[k], &x))
			out->c |= x << k;
		else
			out->sym |= 1u << k;
	}
	return 0;
}

int lift_pkt_read(struct lift_ctx *ctx, struct lift_state *st, int32_t off,
		  unsigned int size, struct lift_val *out)
{
	lift_val__const(out, 0);
	for (unsigned int j = 0; j < size; j++) {
		struct lift_key_byte kb;
		int ret = lift_pkt_byte(ctx, st, off + j, &kb);

		if (ret)
			return ret;
		lift_val__set_byte(out, j, &kb);
	}
	return 0;
}

/*
 * Context fields.
 */
static void field_bits(struct lift_val *v, unsigned int from,
		       unsigned int f, unsigned int fbit, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		v->sym |= 1ull << (from + k);
		v->b[from + k] = (struct lift_bit){ f, fbit + k };
	}
}

/* skb->vlan_tci needs to know whether a tag is present: split. */
static int need_vlan(struct lift_ctx *ctx, struct lift_state *st)
{
	struct ir_match m;
	struct lift_state *sib;
	int err = 0, ret;
	uint64_t lo, hi;

	if (lift_rule_bounds(&st->rule, IR_F_NUM_VLANS, &lo, &hi) &&
	    (lo >= 1 || hi == 0))
		return 0;
	sib = lift_fork(ctx, st, &err);
	if (!sib)
		return err ? err : LIFT_STOP;
	ir_match__exact(&m, IR_F_NUM_VLANS, 0);
	ret = ir_rule__and(&sib->rule, &m);
	if (ret < 0) {
		lift_state__free(ctx, sib);
		return ret;
	}
	sib->dead = ret == 1;
	lift_state__pin(sib);
	ret = lift_push_state(ctx, sib);
	if (ret)
		return ret;
	ir_match__range(&m, IR_F_NUM_VLANS, 1, 255);
	ret = ir_rule__and(&st->rule, &m);
	if (ret == 1) {
		lift_state__free(ctx, st);
		return LIFT_STOP;
	}
	lift_state__pin(st);
	return ret < 0 ? ret : 0;
}

static int tc_field(struct lift_ctx *ctx, struct lift_state *st,
		    int32_t off, struct lift_val *v, const char **name)
{
	struct lift_key_byte kb;
	int ret;

	lift_val__const(v, 0);
	switch (off) {
	case 0:
		v->kind = LV_PKTLEN;
		v->off = 0;
		return 0;
	case 8:
		field_bits(v, 0, IR_F_META_MARK, 0, 32);
		return 0;
	case 16: /* __be16 in the low half, as a load from offset 12 */
		for (int j = 0; j < 2; j++) {
			ret = lift_pkt_byte(ctx, st, 12 + j, &kb);
			if (ret)
				return ret;
			lift_val__set_byte(v, j, &kb);
		}
		return 0;
	case 20:
		field_bits(v, 0, LF_VLAN_PRESENT, 0, 1);
		return 0;
	case 24:
		ret = need_vlan(ctx, st);
		if (ret)
			return ret;
		if (!tc_vlan_present(&st->rule))
			return 0;
		field_bits(v, 0, IR_F_VLAN_ID, 0, 12);
		v->sym |= 1ull << 12;
		v->b[12] = (struct lift_bit){ LB_F_OPAQUE, 0 };
		field_bits(v, 13, IR_F_VLAN_PCP, 0, 3);
		return 0;
	case 36:
		if (ctx->hook != IR_HOOK_TC_INGRESS) {
			*name = "ingress_ifindex on egress";
			return 2; /* not a field we model */
		}
		/* fall through */
	case 40:
		field_bits(v, 0, IR_F_META_IFINDEX, 0, 32);
		return 0;
	case 76:
		v->kind = LV_PKT;
		v->off = 0;
		return 0;
	case 80:
		v->kind = LV_PKT_END;
		v->off = 0;
		return 0;
	}
	*name = NULL;
	return 2; /* not a field we model */
}

static int xdp_field(struct lift_ctx *ctx, struct lift_state *st,
		     int32_t off, struct lift_val *v, const char **name)
{
	lift_val__const(v, 0);
	switch (off) {
	case 0:
		v->kind = LV_PKT;
		return 0;
	case 4:
		v->kind = LV_PKT_END;
		return 0;
	case 12:
		field_bits(v, 0, IR_F_META_IFINDEX, 0, 32);
		return 0;
	}
	*name = NULL;
	return 2; /* not a field we model */
}

static const char *const skb_names[] = {
	"len", "pkt_type", "mark", "queue_mapping", "protocol",
	"vlan_present", "vlan_tci", "vlan_proto", "priority",
	"ingress_ifindex", "ifindex", "tc_index", "cb[0]", "cb[1]", "cb[2]",
	"cb[3]", "cb[4]", "hash", "tc_classid", "data", "data_end",
	"napi_id",
};

static const char *const xdp_names[] = {
	"data", "data_end", "data_meta", "ingress_ifindex", "rx_queue_index",
	"egress_ifindex",
};

int lift_ctx_read(struct lift_ctx *ctx, struct lift_state *st, int32_t off,
		  unsigned int size, struct lift_val *out)
{
	int32_t base = off & ~3;
	const char *name = NULL;
	int ret;

	if (ctx->tc)
		ret = tc_field(ctx, st, base, out, &name);
	else
		ret = xdp_field(ctx, st, base, out, &name);
	if (ret < 0 || ret == LIFT_STOP)
		return ret;
	if (ret == 2) {
		if (!name) {
			size_t i = base / 4;

			if (ctx->tc && i < FL_ROWS(skb_names))
				name = skb_names[i];
			else if (!ctx->tc && i < FL_ROWS(xdp_names))
				name = xdp_names[i];
			else
				name = "?";
		}
		return lift_slow(ctx, st,
				 "context field %s (offset %d) has no rule "
				 "equivalent", name, off);
	}
	if (out->kind != LV_SCALAR) {
		if (off != base || size != 4)
			return lift_slow(ctx, st, "narrow load of a context "
					 "pointer");
		return 0;
	}
	if (off != base || size != 4) {
		struct lift_val sh;

		lift_val__const(&sh, 8 * (off - base));
		lift_val__alu(out, &sh, BPF_RSH, true, 0);
		lift_val__const(&sh, size >= 8 ? ~0ull :
				(1ull << (8 * size)) - 1);
		lift_val__alu(out, &sh, BPF_AND, true, 0);
	}
	lift_val__pin(&st->rule, out);
	return 0;
}

/*
 * Requirements of target parsers.
 */
static int split_slow(struct lift_ctx *ctx, struct lift_state *st,
		      const struct ir_match *bad, uint32_t len_hi,
		      const char *why)
{
	struct lift_state *c = lift_state__clone(ctx, st);
	int ret;

	if (!c)
		return -ENOMEM;
	if (bad) {
		ret = ir_rule__and(&c->rule, bad);
		if (ret) {
			lift_state__free(ctx, c);
			return ret < 0 ? ret : 0;
		}
	} else {
		c->len_hi = len_hi;
		c->seen_l2 = true;
	}
	ret = lift_slow(ctx, c, "%s", why);
	return ret < 0 ? ret : 0;
}

static int need_len(struct lift_ctx *ctx, struct lift_state *st,
		    uint32_t need, const char *fname)
{
	char why[96];
	int ret;

	if (ctx->opts->assume & IR_ASSUME_WELL_FORMED)
		return 0;
	if (st->len_lo >= need)
		return 0;
	if (st->len_hi < need) /* cannot happen after the program's checks */
		return lift_slow(ctx, st, "frame too short for the target "
				 "to parse %s", fname);
	snprintf(why, sizeof(why),
		 "frame too short for the target to parse %s", fname);
	ret = split_slow(ctx, st, NULL, need - 1, why);
	if (ret)
		return ret;
	st->len_lo = need;
	st->seen_l2 = true;
	return 0;
}

static int need_match(struct lift_ctx *ctx, struct lift_state *st,
		      const struct ir_match *bad, const struct ir_match *good,
		      const char *why)
{
	int ret = split_slow(ctx, st, bad, 0, why);

	if (ret)
		return ret;
	ret = ir_rule__and(&st->rule, good);
	if (ret < 0)
		return ret;
	if (ret == 1)
		return lift_slow(ctx, st, "%s", why);
	lift_state__pin(st);
	return 0;
}

static bool is_l4(unsigned int f)
{
	return f == IR_F_L4_SPORT || f == IR_F_L4_DPORT ||
	       f == IR_F_TCP_FLAGS || f == IR_F_ICMP_TYPE ||
	       f == IR_F_ICMP_CODE;
}

static bool is_l3(unsigned int f)
{
	return f == IR_F_IP_PROTO || f == IR_F_IP_TOS || f == IR_F_IP_TTL ||
	       f == IR_F_IP4_IHL || f == IR_F_IP4_SRC || f == IR_F_IP4_DST ||
	       f == IR_F_IP6_SRC || f == IR_F_IP6_DST ||
	       f == IR_F_IP6_NEXTHDR || f == LF_FRAGOFF;
}

static const char *fname(unsigned int f)
{
	const struct ir_field *fd;

	if (f == LF_FRAGOFF)
		return "ip.frag";
	fd = ir_field__get(f);
	return fd ? fd->name : "?";
}

static int require_one(struct lift_ctx *ctx, struct lift_state *st,
		       unsigned int f)
{
	struct ir_match bad, good;
	struct layout l;
	uint64_t lo, hi;
	int ret;

	layout(ctx, st, &l);
	if (f <= IR_F_ETH_TYPE && f != IR_F_META_IFINDEX)
		return need_len(ctx, st, 14, fname(f));
	if (f == IR_F_VLAN_TYPE && ctx->tc)
		return need_len(ctx, st, 14, fname(f));
	if ((f == IR_F_VLAN_ID || f == IR_F_VLAN_PCP ||
	     f == IR_F_VLAN_TYPE) && l.vlan_off >= 0)
		return need_len(ctx, st, l.vlan_off + 4, fname(f));
	if (is_l3(f) && l.l3_off >= 0) {
		ret = need_len(ctx, st, l.l3_off + (l.l3 == 6 ? 40 : 20),
			       fname(f));
		if (ret || l.l3 != 4 || f == IR_F_IP4_IHL ||
		    (ctx->opts->assume & IR_ASSUME_WELL_FORMED))
			return ret;
		lift_rule_bounds(&st->rule, IR_F_IP4_IHL, &lo, &hi);
		if (lo >= 5)
			return 0;
		ir_match__range(&bad, IR_F_IP4_IHL, 0, 4);
		ir_match__range(&good, IR_F_IP4_IHL, 5, 15);
		return need_match(ctx, st, &bad, &good,
				  "IPv4 header length below 5: targets parse "
				  "no IPv4 keys");
	}
	if (is_l4(f) && l.l4_off >= 0) {
		uint32_t n = f == IR_F_TCP_FLAGS ? 20 :
			     (f == IR_F_ICMP_TYPE || f == IR_F_ICMP_CODE) ?
			     8 : 4;

		ret = need_len(ctx, st, l.l4_off + n, fname(f));
		if (ret || l.l3 != 4)
			return ret;
		if (lift_rule_bounds(&st->rule, IR_F_IP_FRAG, &lo, &hi) &&
		    !(lo & 1) && !(hi & 1))
			return 0;
		ir_match__exact(&bad, IR_F_IP_FRAG, 1);
		ir_val__from_u64(&bad.mask, IR_F_IP_FRAG, 1);
		ir_match__exact(&good, IR_F_IP_FRAG, 0);
		ir_val__from_u64(&good.mask, IR_F_IP_FRAG, 1);
		return need_match(ctx, st, &bad, &good,
				  "IPv4 fragment: targets parse no L4 keys "
				  "of fragments");
	}
	return 0;
}

int lift_require(struct lift_ctx *ctx, struct lift_state *st,
		 const uint8_t *fields, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		int ret = require_one(ctx, st, fields[i]);

		if (ret)
			return ret;
	}
	return 0;
}
