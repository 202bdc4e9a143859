// SPDX-License-Identifier: Apache-2.0
/*
 * test_passes.c - the IR passes after lifting.
 *
 * Each case runs one pass (or the pipeline) over a rule set in the IR text
 * form, compares the rules with the expected ones, and then checks the one
 * promise semantically: for many packets (frames synthesised from keys
 * taken at and around every value the rules mention, then also truncated)
 * the verdict after the pass equals the verdict before, or is slowpath —
 * under every dissector, or under the target's one for legalisation.
 */
#include <check.h>

/* Cases leave the expected error out when it is 0. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/pass.h"
#include "testsuite/fl_check.h"

#define N_PACKETS 6000

/* A flower-like target: prefixes on addresses, ranges on ports only, no
 * frame length, no ihl, no ip6.nexthdr. */
static struct ir_caps flowerish = {
	.name = "flowerish",
	.dissector = IR_DIS_FLOWER,
	.field_match = {
		[IR_F_ETH_DST] = IR_CAP_MASK, [IR_F_ETH_SRC] = IR_CAP_MASK,
		[IR_F_ETH_TYPE] = IR_CAP_EXACT, [IR_F_VLAN_ID] = IR_CAP_EXACT,
		[IR_F_VLAN_TYPE] = IR_CAP_EXACT,
		[IR_F_IP_PROTO] = IR_CAP_EXACT, [IR_F_IP_TOS] = IR_CAP_MASK,
		[IR_F_IP_TTL] = IR_CAP_MASK, [IR_F_IP_FRAG] = IR_CAP_MASK,
		[IR_F_IP4_SRC] = IR_CAP_PREFIX, [IR_F_IP4_DST] = IR_CAP_PREFIX,
		[IR_F_IP6_SRC] = IR_CAP_PREFIX, [IR_F_IP6_DST] = IR_CAP_PREFIX,
		[IR_F_L4_SPORT] = IR_CAP_MASK | IR_CAP_RANGE,
		[IR_F_L4_DPORT] = IR_CAP_MASK | IR_CAP_RANGE,
		[IR_F_TCP_FLAGS] = IR_CAP_MASK,
		[IR_F_ICMP_TYPE] = IR_CAP_EXACT, [IR_F_ICMP_CODE] = IR_CAP_EXACT,
	},
	.verdicts = 1u << IR_ACT_SLOWPATH | 1u << IR_ACT_DROP |
		    1u << IR_ACT_PASS | 1u << IR_ACT_REDIRECT,
	.rewrites = false,
	.prio_min = 1,
	.prio_max = 65535,
	.l4_needs_proto = true,
	.l3_needs_ethtype = true,
	.prio_one_ethtype = true,
};

/* An nft-like target: ranges everywhere, frame length, ihl, nexthdr;
 * nftish3 holds 3 rules, nftish3 any number; tinyprio has 2 priorities. */
static struct ir_caps nftish, nftish3, tinyprio;

static void init_caps(void)
{
	enum ir_field_id f;

	nftish.name = "nftish";
	nftish.dissector = IR_DIS_NFT;
	for (f = 0; f < IR_F__COUNT; f++)
		nftish.field_match[f] = IR_CAP_MASK | IR_CAP_RANGE;
	nftish.verdicts = flowerish.verdicts | 1u << IR_ACT_TX;
	nftish.rewrites = true;
	nftish.prio_max = 0;
	nftish.max_rules = 3;
	nftish3 = nftish;
	nftish3.max_rules = 0;
	tinyprio = flowerish;
	tinyprio.prio_max = 2;
}

static struct ir_ruleset *parse(const char *text)
{
	char err[256] = "", *full = NULL;
	struct ir_ruleset *rs;

	ck_assert_int_gt(asprintf(&full, "# flowlift-ir 1\n%s", text), 0);
	rs = ir_ruleset__parse_str(full, err, sizeof(err));
	ck_assert_msg(rs, "parse: %s\n%s", err, text);
	free(full);
	return rs;
}

/* Rules without provenance, one a line. */
static char *rules_text(const struct ir_ruleset *rs)
{
	size_t i, n = ir_ruleset__count(rs), len = 0, cap = 256;
	char *s = malloc(cap), line[1024];

	s[0] = 0;
	for (i = 0; i < n; i++) {
		int k = ir_rule__snprint(ir_ruleset__rule_c(rs, i), line,
					 sizeof(line), false);

		ck_assert_int_ge(k, 0);
		while (len + k + 2 > cap)
			s = realloc(s, cap *= 2);
		memcpy(s + len, line, k);
		len += k;
		s[len++] = '\n';
		s[len] = 0;
	}
	return s;
}

/*
 * Packets: keys picked from the values the rules mention (each, one below,
 * one above, both ends of ranges and masks) or at random, synthesised into
 * frames by the IR's synthesiser, sometimes truncated.
 */
struct pool {
	uint64_t v[IR_F__COUNT][64];
	struct ir_val w[IR_F__COUNT][16]; /* wide fields */
	size_t n[IR_F__COUNT], nw[IR_F__COUNT];
};

static void pool_add(struct pool *p, enum ir_field_id f, uint64_t x)
{
	uint64_t max = pass_field_max(f);

	if (ir_field__get(f)->width > 64 || p->n[f] >= 64)
		return;
	p->v[f][p->n[f]++] = x & max;
}

static void pool_add_match(struct pool *p, const struct ir_match *m)
{
	enum ir_field_id f = m->field;
	uint64_t lo, hi;

	if (ir_field__get(f)->width > 64) {
		if (p->nw[f] < 16)
			p->w[f][p->nw[f]++] = m->key;
		if (p->nw[f] < 16) {
			struct ir_val v = m->key;
			size_t b = ir_field__bytes(f);

			v.b[b - 1] ^= 1;
			p->w[f][p->nw[f]++] = v;
		}
		return;
	}
	if (m->kind == IR_MATCH_RANGE) {
		lo = m->lo;
		hi = m->hi;
	} else {
		uint64_t key = ir_val__u64(&m->key, f);
		uint64_t mask = ir_val__u64(&m->mask, f);

		lo = key;
		hi = key | (~mask & pass_field_max(f));
	}
	pool_add(p, f, lo);
	pool_add(p, f, lo - 1);
	pool_add(p, f, lo + 1);
	pool_add(p, f, hi);
	pool_add(p, f, hi + 1);
	pool_add(p, f, hi - 1);
}

static void pool_fill(struct pool *p, const struct ir_ruleset *rs)
{
	static const uint64_t common[][2] = {
		{ IR_F_ETH_TYPE, 0x0800 }, { IR_F_ETH_TYPE, 0x86dd },
		{ IR_F_ETH_TYPE, 0x8100 }, { IR_F_ETH_TYPE, 0x0806 },
		{ IR_F_IP_PROTO, 6 },      { IR_F_IP_PROTO, 17 },
		{ IR_F_IP_PROTO, 1 },      { IR_F_IP_PROTO, 58 },
		{ IR_F_IP_PROTO, 132 },    { IR_F_IP4_IHL, 5 },
		{ IR_F_IP4_IHL, 6 },       { IR_F_IP_FRAG, 0 },
		{ IR_F_IP_FRAG, 1 },       { IR_F_IP_FRAG, 3 },
		{ IR_F_NUM_VLANS, 0 },     { IR_F_NUM_VLANS, 1 },
		{ IR_F_L4_DPORT, 0 },      { IR_F_TCP_FLAGS, 0x002 },
	};
	size_t i, j;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		pool_add(p, common[i][0], common[i][1]);
	for (i = 0; i < ir_ruleset__count(rs); i++) {
		const struct ir_rule *r = ir_ruleset__rule_c(rs, i);

		for (j = 0; j < r->n_matches; j++)
			pool_add_match(p, &r->matches[j]);
	}
}

static void set_key(const struct pool *p, struct ir_keys *k,
		    enum ir_field_id f)
{
	size_t nb = ir_field__bytes(f), i;

	if (ir_field__get(f)->width > 64) {
		if (p->nw[f] && rand() % 4) {
			k->v[f] = p->w[f][rand() % p->nw[f]];
		} else {
			for (i = 0; i < nb; i++)
				k->v[f].b[i] = rand();
		}
	} else if (p->n[f] && rand() % 4) {
		ir_val__from_u64(&k->v[f], f, p->v[f][rand() % p->n[f]]);
	} else {
		ir_val__from_u64(&k->v[f], f,
				 ((uint64_t)rand() << 31 ^ rand()) &
					 pass_field_max(f));
	}
	k->present[f] = true;
}

static uint64_t kv(const struct ir_keys *k, enum ir_field_id f)
{
	return k->present[f] ? ir_val__u64(&k->v[f], f) : UINT64_MAX;
}

static void drop_layer(struct ir_keys *k, enum ir_layer l, bool v4, bool v6)
{
	static const enum ir_field_id f4[] = { IR_F_IP4_IHL, IR_F_IP4_SRC,
					       IR_F_IP4_DST };
	static const enum ir_field_id f6[] = { IR_F_IP6_SRC, IR_F_IP6_DST,
					       IR_F_IP6_NEXTHDR };
	enum ir_field_id f;
	size_t i;

	for (f = 0; f < IR_F__COUNT && l != IR_LAYER_META; f++)
		if (ir_field__get(f)->layer >= l)
			k->present[f] = false;
	for (i = 0; i < 3; i++) {
		if (v4)
			k->present[f4[i]] = false;
		if (v6)
			k->present[f6[i]] = false;
	}
}

/* Make the keys describe a frame that can exist. */
static void consistent(struct ir_keys *k)
{
	uint64_t et = kv(k, IR_F_ETH_TYPE), p = kv(k, IR_F_IP_PROTO);
	uint64_t frag = kv(k, IR_F_IP_FRAG);

	if (et == 0x8100 || et == 0x88a8)
		et = kv(k, IR_F_VLAN_TYPE);
	if (et == 0x0800)
		drop_layer(k, IR_LAYER_META, false, true);
	else if (et == 0x86dd)
		drop_layer(k, IR_LAYER_META, true, false);
	else if (et != UINT64_MAX)
		drop_layer(k, IR_LAYER_L3, false, false);
	else if (rand() % 2)
		drop_layer(k, IR_LAYER_META, true, false);
	else
		drop_layer(k, IR_LAYER_META, false, true);
	if (p != UINT64_MAX && p != 6 && p != 17 && p != 132)
		k->present[IR_F_L4_SPORT] = k->present[IR_F_L4_DPORT] = false;
	if (p != UINT64_MAX && p != 6)
		k->present[IR_F_TCP_FLAGS] = false;
	if (p != UINT64_MAX && p != 1 && p != 58)
		k->present[IR_F_ICMP_TYPE] = k->present[IR_F_ICMP_CODE] =
			false;
	if (frag != UINT64_MAX && (frag & 3) == 1)
		drop_layer(k, IR_LAYER_L4, false, false);
	if (kv(k, IR_F_NUM_VLANS) != UINT64_MAX &&
	    kv(k, IR_F_NUM_VLANS) > 2)
		ir_val__from_u64(&k->v[IR_F_NUM_VLANS], IR_F_NUM_VLANS, 2);
	k->present[IR_F_META_LEN] = false;
}

/* Keys around a random rule of rs (or around nothing), plus shape. */
static void random_keys(const struct pool *p, const struct ir_ruleset *rs,
			struct ir_keys *k, struct ir_meta *meta)
{
	static const enum ir_field_id shape[] = {
		IR_F_ETH_TYPE, IR_F_IP_PROTO, IR_F_IP4_IHL, IR_F_IP_FRAG,
		IR_F_NUM_VLANS, IR_F_L4_DPORT, IR_F_TCP_FLAGS,
		IR_F_ICMP_TYPE,
	};
	size_t i, n = ir_ruleset__count(rs);

	memset(k, 0, sizeof(*k));
	memset(meta, 0, sizeof(*meta));
	if (n && rand() % 8) {
		const struct ir_rule *r = ir_ruleset__rule_c(rs, rand() % n);

		for (i = 0; i < r->n_matches; i++)
			if (rand() % 8)
				set_key(p, k, r->matches[i].field);
	}
	for (i = 0; i < sizeof(shape) / sizeof(shape[0]); i++)
		if (!k->present[shape[i]] && rand() % 4 == 0)
			set_key(p, k, shape[i]);
	consistent(k);
	meta->ifindex = kv(k, IR_F_META_IFINDEX);
	meta->mark = kv(k, IR_F_META_MARK);
}

/* Does the packet break an assumption the pass was allowed to make? */
static bool breaks_assumptions(const struct ir_keys *k, unsigned int assume)
{
	if (assume & IR_ASSUME_WELL_FORMED && k->present[IR_F_IP_PROTO]) {
		uint64_t p = ir_val__u64(&k->v[IR_F_IP_PROTO], IR_F_IP_PROTO);

		/* The headers a program reads are complete. */
		if ((p == 6 || p == 17 || p == 132) &&
		    !k->present[IR_F_L4_DPORT])
			return true;
		if (p == 6 && !k->present[IR_F_TCP_FLAGS])
			return true;
		if ((p == 1 || p == 58) && !k->present[IR_F_ICMP_CODE])
			return true;
	}
	if (!(assume & IR_ASSUME_NO_IP_OPTIONS))
		return false;
	if (k->present[IR_F_IP4_IHL] &&
	    ir_val__u64(&k->v[IR_F_IP4_IHL], IR_F_IP4_IHL) != 5)
		return true;
	return k->present[IR_F_IP6_NEXTHDR] &&
	       (!k->present[IR_F_IP_PROTO] ||
		ir_val__u64(&k->v[IR_F_IP6_NEXTHDR], IR_F_IP6_NEXTHDR) !=
			ir_val__u64(&k->v[IR_F_IP_PROTO], IR_F_IP_PROTO));
}

static const char *verdict_name(const struct ir_rule *r)
{
	static char buf[4][128];
	static int i;

	if (!r)
		return "default slowpath";
	i = (i + 1) % 4;
	ir_rule__snprint(r, buf[i], sizeof(buf[i]), false);
	return buf[i];
}

/*
 * The program reads raw bytes; nft validates the IP header (total length
 * within the frame) before it yields L4 keys (and IPv6's ip.proto). The
 * program's view of a frame cut short is what nft would parse if the
 * header's length field said where the frame ends: the key a byte range
 * holds is there exactly when the bytes are. raw_view() rewrites the
 * length field of a copy of the frame so; the rule set before the pass,
 * evaluated on that view, stands for the program, and the rule set after
 * the pass, evaluated on the real frame, must never disagree with it.
 */
static void raw_view(uint8_t *f, size_t len)
{
	size_t nh = 14;
	uint16_t et = len >= 14 ? (uint16_t)(f[12] << 8 | f[13]) : 0;

	if ((et == 0x8100 || et == 0x88a8) && len >= 18) {
		et = (uint16_t)(f[16] << 8 | f[17]);
		nh = 18;
	}
	if (et == 0x0800 && len >= nh + 4) {
		f[nh + 2] = (uint8_t)((len - nh) >> 8);
		f[nh + 3] = (uint8_t)(len - nh);
	} else if (et == 0x86dd && len >= nh + 40) {
		f[nh + 4] = (uint8_t)((len - nh - 40) >> 8);
		f[nh + 5] = (uint8_t)(len - nh - 40);
	}
}

/* Same verdict or slowpath, for one dissector. Returns packets checked;
 * *bad counts those that break the promise. With 'raw' (nft), 'before'
 * is judged on the program's raw view of each frame (raw_view()). */
static int check_equiv_raw(const struct ir_ruleset *before,
			   const struct ir_ruleset *after,
			   enum ir_dissector d, unsigned int assume, bool raw,
			   int *bad)
{
	struct ir_keys want, got, rawk;
	struct ir_meta meta;
	struct pool *p = malloc(sizeof(*p));
	uint8_t frame[512], rf[512];
	int i, checked = 0;

	pool_fill(p, before);
	for (i = 0; i < N_PACKETS; i++) {
		const struct ir_rule *a, *b;
		int len;

		random_keys(p, before, &want, &meta);
		len = ir_keys__synth(&want, d, frame, sizeof(frame));
		if (len < 0)
			continue;
		if (!(assume & IR_ASSUME_WELL_FORMED) && rand() % 3 == 0)
			len = rand() % (len + 1);
		ir_dissect(d, frame, len, &meta, &got);
		if (breaks_assumptions(&got, assume))
			continue;
		memcpy(rf, frame, len);
		raw_view(rf, len);
		ir_dissect(d, rf, len, &meta, &rawk);
		checked++;
		a = ir_ruleset__eval(before, d, raw ? &rawk : &got);
		b = ir_ruleset__eval(after, d, &got);
		if (!b || b->action.verdict == IR_ACT_SLOWPATH)
			continue;
		if (a && pass_action_eq(&a->action, &b->action))
			continue;
		if (!(*bad)++)
			fprintf(stderr, "dissector %d%s, frame len %d: before "
				"'%s', after '%s'\n", d, raw ? " (raw)" : "",
				len, verdict_name(a), verdict_name(b));
	}
	free(p);
	return checked;
}

static int check_equiv_dis(const struct ir_ruleset *before,
			   const struct ir_ruleset *after,
			   enum ir_dissector d, unsigned int assume, int *bad)
{
	return check_equiv_raw(before, after, d, assume, false, bad);
}

static void check_equiv(const struct ir_ruleset *before,
			const struct ir_ruleset *after,
			const struct ir_caps *caps, unsigned int assume)
{
	enum ir_dissector d;
	int n, bad = 0;

	for (d = IR_DIS_FLOWER; d <= IR_DIS_RTEFLOW; d++) {
		if (caps && d != caps->dissector)
			continue;
		n = check_equiv_dis(before, after, d, assume, &bad);
		ck_assert_int_gt(n, N_PACKETS / 4);
		ck_assert_msg(!bad, "%d packets change verdict", bad);
		/* Legalising for nft: the input stands for the program. */
		if (!caps || d != IR_DIS_NFT ||
		    (assume & IR_ASSUME_WELL_FORMED))
			continue;
		check_equiv_raw(before, after, d, assume, true, &bad);
		ck_assert_msg(!bad, "%d frames nft cannot parse decided "
			      "otherwise than on their raw bytes", bad);
	}
}

struct pass_case {
	const char *name;
	const char *pass;
	const struct ir_caps *caps;
	unsigned int assume;
	const char *in;
	const char *out; /* NULL: only the semantic check */
	int ret;         /* expected error, 0: success */
};

#define E4 "eth.type=0x0800 "
#define T4 "eth.type=0x0800 ip.proto=6 "

static const struct pass_case cases[] = {
	/* normalise */
	{ "norm-range-exact", "normalise", NULL, 0,
	  "prio 1 " T4 "l4.dport=80-80 -> drop\n",
	  "prio 1 " T4 "l4.dport=80 -> drop\n" },
	{ "norm-range-prefix", "normalise", NULL, 0,
	  "prio 1 " T4 "l4.dport=1024-2047 -> drop\n",
	  "prio 1 " T4 "l4.dport=1024/6 -> drop\n" },
	{ "norm-dup", "normalise", NULL, 0,
	  "prio 1 " T4 "l4.dport=80 -> drop\n"
	  "prio 2 " T4 "l4.dport=80 -> pass\n"
	  "prio 3 " T4 "l4.dport=81 -> pass\n",
	  "prio 1 " T4 "l4.dport=80 -> drop\n"
	  "prio 3 " T4 "l4.dport=81 -> pass\n" },
	{ "norm-full-range", "normalise", NULL, 0,
	  "prio 1 " T4 "l4.sport=0-65535 l4.dport=80 -> drop\n"
	  "prio 2 " T4 "l4.dport=0-65535 -> pass\n",
	  "prio 1 " T4 "l4.dport=80 -> drop\n"
	  "prio 2 " T4 "l4.dport=0-65535 -> pass\n" },
	/* shadow */
	{ "shadow-contained", "shadow", NULL, 0,
	  "prio 1 " E4 "ip4.src=10.0.0.0/8 -> drop\n"
	  "prio 2 " E4 "ip4.src=10.1.0.0/16 -> pass\n"
	  "prio 3 " E4 "ip4.src=11.0.0.0/8 -> pass\n",
	  "prio 1 " E4 "ip4.src=10.0.0.0/8 -> drop\n"
	  "prio 3 " E4 "ip4.src=11.0.0.0/8 -> pass\n" },
	{ "shadow-union", "shadow", NULL, 0,
	  "prio 1 " T4 "l4.dport=0-99 -> drop\n"
	  "prio 2 " T4 "l4.dport=100-200 -> pass\n"
	  "prio 3 " T4 "l4.dport=50-150 -> redirect(3,egress)\n"
	  "prio 4 " T4 "l4.dport=150-250 -> drop\n",
	  "prio 1 " T4 "l4.dport=0-99 -> drop\n"
	  "prio 2 " T4 "l4.dport=100-200 -> pass\n"
	  "prio 4 " T4 "l4.dport=150-250 -> drop\n" },
	{ "shadow-slowpath", "shadow", NULL, 0,
	  "prio 1 " E4 "ip4.src=1.1.1.1 -> slowpath\n"
	  "prio 2 " E4 "ip4.src=2.2.2.2 -> drop\n"
	  "prio 3 " E4 "ip4.src=2.2.2.0/24 -> slowpath\n"
	  "prio 4 " E4 "ip4.src=2.2.0.0/16 -> pass\n"
	  "prio 5 " E4 "ip4.src=3.3.3.3 -> slowpath\n",
	  "prio 2 " E4 "ip4.src=2.2.2.2 -> drop\n"
	  "prio 3 " E4 "ip4.src=2.2.2.0/24 -> slowpath\n"
	  "prio 4 " E4 "ip4.src=2.2.0.0/16 -> pass\n" },
	{ "shadow-redundant", "shadow", NULL, 0,
	  "prio 1 " T4 "ip4.src=10.0.0.1 l4.dport=80 -> drop\n"
	  "prio 2 " E4 "ip4.src=10.0.0.2 -> pass\n"
	  "prio 3 " E4 "ip4.src=10.0.0.0/24 -> drop\n",
	  "prio 2 " E4 "ip4.src=10.0.0.2 -> pass\n"
	  "prio 3 " E4 "ip4.src=10.0.0.0/24 -> drop\n" },
	{ "shadow-interferes", "shadow", NULL, 0,
	  "prio 1 " T4 "ip4.src=10.0.0.1 -> drop\n"
	  "prio 2 " T4 "l4.dport=80 -> pass\n"
	  "prio 3 " E4 "ip4.src=10.0.0.0/24 -> drop\n",
	  "prio 1 " T4 "ip4.src=10.0.0.1 -> drop\n"
	  "prio 2 " T4 "l4.dport=80 -> pass\n"
	  "prio 3 " E4 "ip4.src=10.0.0.0/24 -> drop\n" },
	/* merge */
	{ "merge-prefix", "merge", NULL, 0,
	  "prio 1 " E4 "ip4.src=10.0.0.0/25 -> drop\n"
	  "prio 2 " E4 "ip4.src=10.0.0.128/25 -> drop\n",
	  "prio 1 " E4 "ip4.src=10.0.0.0/24 -> drop\n" },
	{ "merge-range", "merge", NULL, 0,
	  "prio 1 " T4 "l4.dport=80 -> drop\n"
	  "prio 2 " T4 "l4.dport=81 -> drop\n"
	  "prio 3 " T4 "l4.dport=82 -> drop\n",
	  "prio 1 " T4 "l4.dport=80-82 -> drop\n" },
	{ "merge-across-disjoint", "merge", NULL, 0,
	  "prio 1 " E4 "ip4.src=10.0.0.0 -> drop\n"
	  "prio 2 " E4 "ip4.src=10.0.0.2 -> pass\n"
	  "prio 3 " E4 "ip4.src=10.0.0.1 -> drop\n",
	  "prio 1 " E4 "ip4.src=10.0.0.0/31 -> drop\n"
	  "prio 2 " E4 "ip4.src=10.0.0.2 -> pass\n" },
	{ "merge-blocked", "merge", NULL, 0,
	  "prio 1 " T4 "l4.dport=80 -> drop\n"
	  "prio 2 " E4 "ip4.src=10.0.0.1 -> pass\n"
	  "prio 3 " T4 "l4.dport=81 -> drop\n",
	  "prio 1 " T4 "l4.dport=80 -> drop\n"
	  "prio 2 " E4 "ip4.src=10.0.0.1 -> pass\n"
	  "prio 3 " T4 "l4.dport=81 -> drop\n" },
	{ "merge-ip6", "merge", NULL, 0,
	  "prio 1 eth.type=0x86dd ip6.dst=fd00::/65 -> drop\n"
	  "prio 2 eth.type=0x86dd ip6.dst=fd00::8000:0:0:0/65 -> drop\n",
	  "prio 1 eth.type=0x86dd ip6.dst=fd00::/64 -> drop\n" },
	/* prio */
	{ "prio-disjoint", "prio", NULL, 0,
	  "prio 1 " E4 "ip4.src=10.0.0.1 -> drop\n"
	  "prio 2 " E4 "ip4.src=10.0.0.2 -> pass\n"
	  "prio 3 " E4 "ip4.src=10.0.0.3 -> drop\n",
	  "prio 1 " E4 "ip4.src=10.0.0.1 -> drop\n"
	  "prio 1 " E4 "ip4.src=10.0.0.2 -> pass\n"
	  "prio 1 " E4 "ip4.src=10.0.0.3 -> drop\n" },
	{ "prio-overlap", "prio", NULL, 0,
	  "prio 1 " E4 "ip4.src=10.0.0.1 -> drop\n"
	  "prio 2 " E4 "ip4.src=10.0.0.0/24 -> pass\n"
	  "prio 3 " E4 "ip4.src=10.0.1.0/24 -> drop\n"
	  "prio 4 " E4 "ip4.src=10.0.0.0/16 -> drop\n",
	  "prio 1 " E4 "ip4.src=10.0.0.1 -> drop\n"
	  "prio 1 " E4 "ip4.src=10.0.1.0/24 -> drop\n"
	  "prio 2 " E4 "ip4.src=10.0.0.0/24 -> pass\n"
	  "prio 3 " E4 "ip4.src=10.0.0.0/16 -> drop\n" },
	{ "prio-one-ethtype", "prio", &flowerish, 0,
	  "prio 1 " E4 "ip4.src=10.0.0.1 -> drop\n"
	  "prio 2 eth.type=0x86dd ip6.src=fd00::1 -> drop\n"
	  "prio 3 " E4 "ip4.src=10.0.0.2 -> pass\n",
	  "prio 1 " E4 "ip4.src=10.0.0.1 -> drop\n"
	  "prio 1 " E4 "ip4.src=10.0.0.2 -> pass\n"
	  "prio 2 eth.type=0x86dd ip6.src=fd00::1 -> drop\n" },
	/* legalise */
	{ "legal-len-implied", "legalise", &flowerish, 0,
	  "prio 1 " T4 "l4.dport=80 meta.len=38-65535 -> drop\n",
	  "prio 1 " T4 "l4.dport=80 -> drop\n" },
	{ "legal-len-zero-port", "legalise", &flowerish, 0,
	  "prio 1 " T4 "l4.dport=0 meta.len=38-65535 -> drop\n"
	  "prio 2 " T4 "-> pass\n",
	  "prio 1 " T4 "l4.dport=0 -> slowpath\n"
	  "prio 2 " T4 "-> pass\n" },
	{ "legal-len-well-formed", "legalise", &flowerish,
	  IR_ASSUME_WELL_FORMED,
	  "prio 1 " T4 "l4.dport=0 meta.len=38-65535 -> drop\n",
	  "prio 1 " T4 "l4.dport=0 -> drop\n" },
	{ "legal-range-expand", "legalise", &flowerish, 0,
	  "prio 1 " E4 "ip4.src=10.0.0.1-10.0.0.6 -> drop\n",
	  "prio 1 " E4 "ip4.src=10.0.0.1 -> drop\n"
	  "prio 1 " E4 "ip4.src=10.0.0.2/31 -> drop\n"
	  "prio 1 " E4 "ip4.src=10.0.0.4/31 -> drop\n"
	  "prio 1 " E4 "ip4.src=10.0.0.6 -> drop\n" },
	{ "legal-ihl", "legalise", &flowerish, 0,
	  "prio 1 " T4 "ip4.ihl=5 l4.dport=80 -> drop\n"
	  "prio 2 " T4 "-> pass\n",
	  "prio 1 " T4 "l4.dport=80 -> slowpath\n"
	  "prio 2 " T4 "-> pass\n" },
	{ "legal-ihl-assumed", "legalise", &flowerish,
	  IR_ASSUME_NO_IP_OPTIONS,
	  "prio 1 " T4 "ip4.ihl=5 l4.dport=80 -> drop\n",
	  "prio 1 " T4 "l4.dport=80 -> drop\n" },
	{ "legal-nexthdr", "legalise", &flowerish, IR_ASSUME_NO_IP_OPTIONS,
	  "prio 1 eth.type=0x86dd ip6.nexthdr=17 l4.dport=53 -> drop\n",
	  "prio 1 eth.type=0x86dd ip.proto=17 l4.dport=53 -> drop\n" },
	{ "legal-nexthdr-no-assume", "legalise", &flowerish, 0,
	  "prio 1 eth.type=0x86dd ip6.nexthdr=17 ip.proto=17 l4.dport=53 "
	  "-> drop\n"
	  "prio 2 eth.type=0x86dd -> pass\n",
	  "prio 1 eth.type=0x86dd ip.proto=17 l4.dport=53 -> slowpath\n"
	  "prio 2 eth.type=0x86dd -> pass\n" },
	{ "legal-tcpflags-proto", "legalise", &flowerish, 0,
	  "prio 1 " E4 "tcp.flags=0x002/0x002 -> drop\n",
	  "prio 1 " T4 "tcp.flags=0x002/0x002 -> drop\n" },
	{ "legal-ports-no-proto", "legalise", &flowerish, 0,
	  "prio 1 " E4 "l4.dport=80 -> drop\n"
	  "prio 2 " E4 "l4.dport=0-9 -> pass\n", NULL },
	{ "legal-no-ethtype", "legalise", &flowerish, 0,
	  "prio 1 ip4.dst=10.0.0.1 -> drop\n"
	  "prio 2 ip.proto=17 -> pass\n", NULL },
	/* flower sees IPv4/IPv6 with ip proto 137 as MPLS: protocol ip rules
	 * miss those frames, so a later rule that does not pin the type
	 * must not decide them otherwise than the IP rule would have */
	{ "legal-mpls-retype", "legalise", &flowerish, 0,
	  "prio 1 " E4 "-> drop\n"
	  "prio 2 any -> pass\n",
	  /* withheld, and a last slowpath rule is what a miss does */
	  "prio 1 " E4 "-> drop\n" },
	{ "legal-mpls-not-137", "legalise", &flowerish, 0,
	  "prio 1 " T4 "-> drop\n"
	  "prio 2 any -> pass\n",
	  "prio 1 " T4 "-> drop\n"
	  "prio 2 any -> pass\n" },
	{ "legal-mpls-same-verdict", "legalise", &flowerish, 0,
	  "prio 1 " E4 "-> pass\n"
	  "prio 2 any -> pass\n",
	  "prio 1 " E4 "-> pass\n"
	  "prio 2 any -> pass\n" },
	{ "legal-mpls-caught", "legalise", &flowerish, 0,
	  "prio 1 " E4 "eth.dst=02:00:00:00:00:01 -> drop\n"
	  "prio 2 eth.dst=02:00:00:00:00:00/ff:00:00:00:00:00 -> slowpath\n"
	  "prio 3 any -> pass\n",
	  "prio 1 " E4 "eth.dst=02:00:00:00:00:01 -> drop\n"
	  "prio 2 eth.dst=02:00:00:00:00:00/ff:00:00:00:00:00 -> slowpath\n"
	  "prio 3 any -> pass\n" },
	{ "legal-mpls-vlan", "legalise", &flowerish, 0,
	  "prio 1 eth.type=0x8100 vlan.type=0x0800 ip4.dst=10.0.0.0/8 -> "
	  "pass\n"
	  "prio 2 any -> drop\n",
	  /* behind the tag the re-typed frames can be caught first */
	  "prio 1 eth.type=0x8100 vlan.type=0x0800 ip4.dst=10.0.0.0/8 -> "
	  "pass\n"
	  "prio 2 eth.type=0x8100 -> slowpath\n"
	  "prio 3 any -> drop\n" },
	{ "legal-mpls-fragment", "legalise", &flowerish, 0,
	  "prio 1 " E4 "ip.frag=0x1/0x1 -> drop\n"
	  "prio 2 any -> pass\n",
	  /* a fragment is not dissected past IP, so not re-typed */
	  "prio 1 " E4 "ip.frag=0x1/0x1 -> drop\n"
	  "prio 2 any -> pass\n" },
	{ "legal-verdict", "legalise", &flowerish, 0,
	  "prio 1 " E4 "ip4.src=10.0.0.1 -> tx\n"
	  "prio 2 " E4 "ip4.src=10.0.0.2 -> vlan_pop,pass\n"
	  "prio 3 " E4 "-> drop\n",
	  "prio 1 " E4 "ip4.src=10.0.0.1 -> slowpath\n"
	  "prio 1 " E4 "ip4.src=10.0.0.2 -> slowpath\n"
	  "prio 2 " E4 "-> drop\n" },
	{ "legal-max-rules", "legalise", &nftish, 0,
	  "prio 1 " E4 "ip4.src=10.0.0.1 -> drop\n"
	  "prio 2 " E4 "ip4.src=10.0.0.2 -> drop\n"
	  "prio 3 " E4 "ip4.src=10.0.0.3 -> drop\n"
	  "prio 4 " E4 "ip4.src=10.0.0.4 -> drop\n",
	  "prio 1 " E4 "ip4.src=10.0.0.1 -> drop\n"
	  "prio 1 " E4 "ip4.src=10.0.0.2 -> drop\n"
	  "prio 1 " E4 "ip4.src=10.0.0.3 -> drop\n" },
	{ "legal-nft-keeps", "legalise", &nftish, 0,
	  "prio 1 " T4 "ip4.ihl=5 l4.dport=0 meta.len=38-65535 -> drop\n",
	  "prio 1 " T4 "ip4.ihl=5 l4.dport=0 meta.len=38-65535 -> drop\n" },
	{ "legal-prio-range", "legalise", &tinyprio, 0,
	  "prio 1 " E4 "ip4.src=10.0.0.1 -> drop\n"
	  "prio 2 " E4 "ip4.src=10.0.0.0/24 -> pass\n"
	  "prio 3 " E4 "ip4.src=10.0.0.0/16 -> drop\n", NULL, -E2BIG },
	/* presence implied by the dissector */
	{ "legal-ihl-implied", "legalise", &flowerish, 0,
	  "prio 1 " E4 "ip4.ihl=5-15 ip4.src=10.0.0.0/8 meta.len=34-65535 "
	  "-> drop\n",
	  "prio 1 " E4 "ip4.src=10.0.0.0/8 -> drop\n" },
	{ "legal-ihl-implied-l4", "legalise", &flowerish, 0,
	  "prio 1 " T4 "ip4.ihl=5-15 l4.dport=22 meta.len=38-65535 -> drop\n",
	  "prio 1 " T4 "l4.dport=22 -> drop\n" },
	{ "legal-ihl-guard", "legalise", &flowerish, 0,
	  "prio 1 " E4 "ip4.ihl=5-15 meta.len=34-65535 -> drop\n",
	  "prio 1 " E4 "ip.proto=0 -> slowpath\n"
	  "prio 2 " E4 "-> drop\n" },
	{ "legal-ihl-impossible", "legalise", &flowerish,
	  IR_ASSUME_WELL_FORMED,
	  "prio 1 " T4 "ip4.ihl=0-4 -> slowpath\n"
	  "prio 2 " T4 "l4.dport=22 meta.len=42-65535 -> drop\n",
	  "prio 1 " T4 "l4.dport=22 -> drop\n" },
	/* carve-outs ordered by the region they stand for */
	{ "legal-carve-moves", "legalise", &flowerish, 0,
	  "prio 1 " E4 "meta.len=14-33 -> drop\n"
	  "prio 2 " E4 "ip4.src=10.0.0.0/8 meta.len=34-65535 -> drop\n"
	  "prio 2 " T4 "meta.len=34-65535 -> pass\n",
	  "prio 1 " E4 "ip4.src=10.0.0.0/8 -> drop\n"
	  "prio 2 " T4 "-> pass\n" },
	{ "legal-carve-stays", "legalise", &flowerish, 0,
	  "prio 1 " E4 "ip4.ihl=0-4 meta.len=34-65535 -> slowpath\n"
	  "prio 2 " E4 "ip4.src=10.0.0.0/8 meta.len=34-65535 -> drop\n"
	  "prio 3 " E4 "ip.tos=0 meta.len=34-65535 -> pass\n",
	  "prio 1 " E4 "ip4.src=10.0.0.0/8 -> drop\n"
	  "prio 2 " E4 "-> slowpath\n"
	  "prio 2 " E4 "ip.proto=0 ip.tos=0x00 -> slowpath\n"
	  "prio 3 " E4 "ip.tos=0x00 -> pass\n" },
	{ "legal-wf-floor", "legalise", &flowerish, IR_ASSUME_WELL_FORMED,
	  "prio 1 " E4 "meta.len=14-33 -> drop\n"
	  "prio 2 " E4 "meta.len=34-65535 -> pass\n",
	  "prio 1 " E4 "-> pass\n" },
	/* nft validates the IP header before its L4 keys */
	{ "legal-nft-hole", "legalise", &nftish3, 0,
	  "prio 1 " T4 "l4.dport=80 meta.len=38-65535 -> pass\n"
	  "prio 2 " E4 "-> drop\n",
	  "prio 1 " T4 "l4.dport=80 meta.len=38-65535 -> pass\n"
	  "prio 2 " T4 "meta.len=38-65535 -> slowpath\n"
	  "prio 3 " E4 "-> drop\n" },
	/* ... a slowpath rule's frames too: a frame nft cannot parse must
	 * not fall through to a later catch-all (lb_hash) */
	{ "legal-nft-hole-slowpath", "legalise", &nftish3, 0,
	  "prio 1 " T4 "ip4.dst=10.0.0.1 l4.dport=80 meta.len=38-65535 "
	  "-> slowpath\n"
	  "prio 2 meta.len=14-65535 -> pass\n", NULL },
	{ "legal-nft-hole-ip6", "legalise", &nftish3, 0,
	  "prio 1 eth.type=0x86dd ip.proto=58 icmp.type=128 "
	  "meta.len=62-65535 -> drop\n"
	  "prio 2 eth.type=0x86dd meta.len=54-65535 -> pass\n", NULL },
	/* nft reads the tag behind a VLAN TPID: the rule stays */
	{ "legal-nft-vlan", "legalise", &nftish3, 0,
	  "prio 1 eth.type=0x8100 vlan.id=10 vlan.type=0x0806 "
	  "meta.len=18-65535 -> pass\n"
	  "prio 2 meta.len=14-65535 -> drop\n",
	  "prio 1 eth.type=0x8100 vlan.id=10 vlan.type=0x0806 "
	  "meta.len=18-65535 -> pass\n"
	  "prio 2 meta.len=14-65535 -> drop\n" },
	{ "legal-nft-vlan-wf", "legalise", &nftish3, IR_ASSUME_WELL_FORMED,
	  "prio 1 eth.type=0x8100 vlan.id=10 vlan.type=0x0800 "
	  "ip4.dst=10.0.0.0/24 meta.len=38-65535 -> pass\n"
	  "prio 2 meta.len=14-65535 -> drop\n", NULL },
};

static void run_case(const struct pass_case *c)
{
	struct lift_opts opts = { .caps = c->caps, .assume = c->assume };
	struct lift_stats st = { 0 };
	struct ir_ruleset *before = parse(c->in), *after;
	char err[512] = "", *got, *want;
	int ret;

	after = ir_ruleset__clone(before);
	ck_assert_ptr_nonnull(after);
	ret = lift_run_pass(c->pass, after, &opts, &st, err, sizeof(err));
	if (c->ret) {
		ck_assert_msg(ret == c->ret, "%s: got %d (%s), want %d",
			      c->name, ret, err, c->ret);
		ck_assert_msg(strlen(err) > 0, "%s: no message", c->name);
		goto out;
	}
	ck_assert_msg(ret == 0, "%s: %s (%d)", c->name, err, ret);
	ck_assert_msg(!ir_ruleset__check(after, err, sizeof(err)), "%s: %s",
		      c->name, err);
	if (c->out) {
		struct ir_ruleset *exp = parse(c->out);

		got = rules_text(after);
		want = rules_text(exp);
		ck_assert_msg(!strcmp(got, want), "%s:\ngot:\n%swant:\n%s",
			      c->name, got, want);
		free(got);
		free(want);
		ir_ruleset__free(exp);
	}
	check_equiv(before, after, c->caps, c->assume);
out:
	ir_ruleset__free(before);
	ir_ruleset__free(after);
}

START_TEST(test_case)
{
	srand(1000 + _i);
	run_case(&cases[_i]);
}
END_TEST

/* A rule with two contradicting matches on one field (only the API can
 * build it) matches nothing: normalise removes it. */
START_TEST(test_normalise_unsat)
{
	struct lift_opts opts = { 0 };
	struct ir_ruleset *rs = ir_ruleset__new();
	struct ir_rule r;
	char err[256];

	ir_rule__init(&r);
	ir_match__exact(&r.matches[0], IR_F_IP_PROTO, 6);
	ir_match__exact(&r.matches[1], IR_F_IP_PROTO, 17);
	r.n_matches = 2;
	r.action.verdict = IR_ACT_DROP;
	ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	r.n_matches = 1;
	r.prio = 1;
	ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	ck_assert_int_eq(lift_run_pass("normalise", rs, &opts, NULL, err,
				       sizeof(err)), 0);
	ck_assert_uint_eq(ir_ruleset__count(rs), 1);
	ck_assert_uint_eq(ir_ruleset__rule_c(rs, 0)->prio, 1);
	ir_ruleset__free(rs);
}
END_TEST

/* The pipeline: dumps after every pass, counts, notes. */
START_TEST(test_pipeline_dump)
{
	struct ir_ruleset *before = parse(
		"prio 1 " T4 "ip4.src=10.0.0.0/25 l4.dport=80 meta.len=38-65535"
		" -> drop\n"
		"prio 2 " T4 "ip4.src=10.0.0.128/25 l4.dport=80 "
		"meta.len=38-65535 -> drop\n"
		"prio 3 " T4 "ip4.src=10.0.0.0/24 l4.dport=80 -> pass\n"
		"prio 4 " T4 "ip4.ihl=6 -> pass\n"
		"prio 5 " E4 "ip4.src=10.9.0.0/16 -> slowpath\n");
	struct ir_ruleset *after = ir_ruleset__clone(before);
	struct lift_stats st = { 0 };
	struct lift_opts opts = { .caps = &flowerish, .dump_after = "all" };
	char err[256] = "", *buf = NULL;
	size_t len = 0;
	int ret;

	opts.dump_file = open_memstream(&buf, &len);
	ret = lift_run_passes(after, &opts, &st, err, sizeof(err));
	fclose(opts.dump_file);
	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_ptr_nonnull(strstr(buf, "# after normalise\n"));
	ck_assert_ptr_nonnull(strstr(buf, "# after shadow\n"));
	ck_assert_ptr_nonnull(strstr(buf, "# after merge\n"));
	ck_assert_ptr_nonnull(strstr(buf, "# after prio\n"));
	ck_assert_ptr_nonnull(strstr(buf, "# after legalise\n"));
	/* The /25s merge into one /24 (its length guard implied by the
	 * port), the slowpath tail goes, the ihl rule is carved out and,
	 * with no rule after it, dropped as redundant. */
	ck_assert_uint_eq(ir_ruleset__count(after), 2);
	ck_assert_uint_eq(st.rules, 2);
	ck_assert_uint_eq(st.withheld, 1);
	ck_assert_uint_eq(st.prios, 2);
	ck_assert_ptr_nonnull(ir_ruleset__meta(after, "withheld"));
	check_equiv(before, after, &flowerish, 0);
	free(buf);
	ir_ruleset__free(before);
	ir_ruleset__free(after);
}
END_TEST

/* The checker itself can fail: a changed verdict and a dropped length
 * guard are both caught. */
START_TEST(test_negative_control)
{
	static const char *const pairs[][2] = {
		{ "prio 1 " T4 "l4.dport=80 -> drop\n",
		  "prio 1 " T4 "l4.dport=80 -> pass\n" },
		{ "prio 1 " T4 "l4.dport=0 meta.len=38-65535 -> drop\n",
		  "prio 1 " T4 "l4.dport=0 -> drop\n" },
		{ "prio 1 " E4 "ip4.src=10.0.0.0/24 -> drop\n"
		  "prio 2 " E4 "ip4.src=10.0.0.1 -> pass\n",
		  "prio 1 " E4 "ip4.src=10.0.0.1 -> pass\n"
		  "prio 2 " E4 "ip4.src=10.0.0.0/24 -> drop\n" },
		/* ihl dropped where no key implies the header: no guard */
		{ "prio 1 " E4 "ip4.ihl=5-15 meta.len=34-65535 -> drop\n",
		  "prio 1 " E4 "-> drop\n" },
		/* the guard after its rule instead of before */
		{ "prio 1 " E4 "ip4.ihl=5-15 meta.len=34-65535 -> drop\n",
		  "prio 1 " E4 "-> drop\n"
		  "prio 2 " E4 "ip.proto=0 -> slowpath\n" },
		/* a rule moved above a carve-out whose region it meets */
		{ "prio 1 " E4 "ip4.ihl=0-4 meta.len=34-65535 -> slowpath\n"
		  "prio 2 " E4 "ip.tos=0 meta.len=34-65535 -> pass\n",
		  "prio 1 " E4 "ip.tos=0 -> pass\n"
		  "prio 2 " E4 "-> slowpath\n" },
		/* a short-frame carve-out dropped though a later rule
		 * (accepting absent keys) meets its region */
		{ "prio 1 " E4 "meta.len=14-33 -> slowpath\n"
		  "prio 2 " E4 "ip.tos=0 -> pass\n",
		  "prio 1 " E4 "ip.tos=0 -> pass\n" },
	};
	struct ir_ruleset *a = parse(pairs[_i][0]), *b = parse(pairs[_i][1]);
	int bad = 0;

	srand(7);
	check_equiv_dis(a, b, IR_DIS_FLOWER, 0, &bad);
	ck_assert_int_gt(bad, 0);
	if (_i == 6) { /* and nft's L4 hole, without its carve-out */
		ir_ruleset__free(a);
		ir_ruleset__free(b);
		a = parse("prio 1 " T4 "l4.dport=80 meta.len=38-65535 -> pass\n"
			  "prio 2 " E4 "-> drop\n");
		b = parse("prio 1 " T4 "l4.dport=80 meta.len=38-65535 -> pass\n"
			  "prio 2 " E4 "-> drop\n");
		bad = 0;
		check_equiv_dis(a, b, IR_DIS_NFT, 0, &bad);
		ck_assert_int_eq(bad, 0); /* the input itself is unsound */
		ir_ruleset__free(b);
		b = parse("prio 1 " T4 "l4.dport=80 meta.len=38-65535 -> pass\n"
			  "prio 2 " T4 "meta.len=38-65535 -> slowpath\n"
			  "prio 3 " E4 "-> drop\n");
		check_equiv_dis(b, a, IR_DIS_NFT, 0, &bad);
	}
	ck_assert_int_gt(bad, 0);
	ir_ruleset__free(a);
	ir_ruleset__free(b);
}
END_TEST

/* The raw-bytes oracle catches what the plain check cannot: a rule set
 * whose frames fall through a rule nft cannot parse them for (the input
 * judged against itself), and legalise without its hole; and the plain
 * check catches a tagged rule dropped under nft. */
START_TEST(test_raw_control)
{
	static const char *const sets[] = {
		"prio 1 " T4 "ip4.dst=10.0.0.1 l4.dport=80 meta.len=38-65535 "
		"-> slowpath\n"
		"prio 2 meta.len=14-65535 -> pass\n",
		"prio 1 " T4 "l4.dport=80 meta.len=38-65535 -> pass\n"
		"prio 2 " E4 "-> drop\n",
	};
	struct ir_ruleset *a, *b;
	int bad = 0;

	srand(11);
	if (_i == 2) {
		a = parse("prio 1 eth.type=0x8100 vlan.id=10 vlan.type=0x0806 "
			  "meta.len=18-65535 -> pass\n"
			  "prio 2 meta.len=14-65535 -> drop\n");
		b = parse("prio 1 meta.len=14-65535 -> drop\n");
		check_equiv_dis(a, b, IR_DIS_NFT, 0, &bad);
	} else {
		a = parse(sets[_i]);
		b = parse(sets[_i]);
		check_equiv_dis(a, b, IR_DIS_NFT, 0, &bad);
		ck_assert_int_eq(bad, 0); /* same rules, same dissector */
		check_equiv_raw(a, b, IR_DIS_NFT, 0, true, &bad);
	}
	ck_assert_int_gt(bad, 0);
	ir_ruleset__free(a);
	ir_ruleset__free(b);
}
END_TEST

START_TEST(test_bad_dump_name)
{
	struct ir_ruleset *rs = parse("prio 1 " E4 "-> drop\n");
	struct lift_opts opts = { .dump_after = "nope" };
	char err[256] = "";

	ck_assert_int_eq(lift_run_passes(rs, &opts, NULL, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "nope"));
	ir_ruleset__free(rs);
}
END_TEST

/* 100k disjoint exact-match rules through every pass: completes, keeps
 * the verdicts, and needs few priorities. */
static struct ir_ruleset *big_set(size_t n, int n_actions)
{
	struct ir_ruleset *rs = ir_ruleset__new();
	struct ir_rule r;
	size_t i;

	for (i = 0; i < n; i++) {
		ir_rule__init(&r);
		ir_match__exact(&r.matches[0], IR_F_ETH_TYPE, 0x0800);
		ir_match__exact(&r.matches[1], IR_F_IP_PROTO, 6);
		ir_match__exact(&r.matches[2], IR_F_IP4_SRC,
				0x0a000000 + i * 7 % n);
		ir_match__exact(&r.matches[3], IR_F_L4_DPORT, 80 + i % 3);
		r.n_matches = 4;
		r.prio = i;
		r.action.verdict = i % n_actions ? IR_ACT_PASS : IR_ACT_DROP;
		ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	}
	return rs;
}

static void spot_check(const struct ir_ruleset *before,
		       const struct ir_ruleset *after)
{
	struct ir_keys k;
	size_t i, n = ir_ruleset__count(before);

	for (i = 0; i < n; i += 97) {
		const struct ir_rule *r = ir_ruleset__rule_c(before, i), *a, *b;
		uint32_t j;

		memset(&k, 0, sizeof(k));
		for (j = 0; j < r->n_matches; j++) {
			k.v[r->matches[j].field] = r->matches[j].key;
			k.present[r->matches[j].field] = true;
		}
		a = ir_ruleset__eval(before, IR_DIS_FLOWER, &k);
		b = ir_ruleset__eval(after, IR_DIS_FLOWER, &k);
		ck_assert_ptr_nonnull(b);
		ck_assert(pass_action_eq(&a->action, &b->action));
	}
}

START_TEST(test_scale)
{
	static const int actions[] = { 1, 3 };
	struct ir_ruleset *before = big_set(100000, actions[_i]), *after;
	struct lift_opts opts = { .caps = &flowerish };
	struct lift_stats st = { 0 };
	char err[256] = "";
	int ret;

	after = ir_ruleset__clone(before);
	ret = lift_run_passes(after, &opts, &st, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_uint_le(st.prios, 3);
	ck_assert_uint_gt(st.rules, 0);
	ck_assert_uint_le(st.rules, 100000);
	spot_check(before, after);
	ir_ruleset__free(before);
	ir_ruleset__free(after);
}
END_TEST

static Suite *passes_suite(void)
{
	Suite *s = suite_create("passes");
	TCase *tc = tcase_create("cases");

	tcase_add_loop_test(tc, test_case, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_normalise_unsat);
	tcase_add_test(tc, test_pipeline_dump);
	tcase_add_test(tc, test_bad_dump_name);
	tcase_add_loop_test(tc, test_raw_control, 0, 3);
	tcase_add_loop_test(tc, test_negative_control, 0, 7);
	suite_add_tcase(s, tc);
	tc = tcase_create("scale");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_scale, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(passes_suite());
	int failed;

	init_caps();
	failed = fl_check_runner(sr) != EXIT_SUCCESS;
	return failed ? 1 : 0;
}
