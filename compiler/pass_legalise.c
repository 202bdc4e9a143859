// SPDX-License-Identifier: Apache-2.0
/*
 * pass_legalise.c - make every rule expressible on the target, soundly.
 *
 * For each rule, in order, what the target (ir_caps) cannot express is
 * rewritten only where the rewrite has the same meaning under the target's
 * dissector (or the user's assumptions):
 *  - ranges and masks the target lacks are split into prefixes or values;
 *  - a meta.len >= N guard goes when the rule's keys already imply it: a key
 *    the rule needs present (under flower a key matched against a value
 *    that is not zero, since a missing key reads as zero) exists only in
 *    frames of ir_dissect__min_len() bytes or more; or, assuming
 *    well-formed traffic, when N ends within the deepest header matched;
 *  - ip4.ihl=5 goes, and ip6.nexthdr=X becomes ip.proto=X, only under
 *    no-ip-options;
 *  - a missing ip.proto / eth.type prerequisite is added (or the rule split
 *    by it) when the rule's keys can only be present for those values.
 * Anything else turns the rule into a slowpath carve-out: the same matches
 * minus those the target cannot express (a superset of its packets, sent
 * to the slow path), with a "withheld" note. At one priority a carve-out
 * and other rules never disagree on a non-slowpath verdict, so the target
 * may order them as it likes. A tail past caps->max_rules is withheld.
 *
 * Absent keys (nft, rte_flow): there a key the target's parser does not
 * yield never matches, so a frame whose key a rule needs is absent falls
 * through that rule to later ones, although the program, which reads raw
 * bytes, decided it on the rule's path. Every rule R, whatever its verdict
 * (slowpath included: a later rule must not decide R's frames either),
 * is followed by a hole "R without the keys the parser may withhold ->
 * slowpath" (l4_holes() has the argument), and a rule the dissector
 * facts (pass_dis.c) call empty is emitted as nothing only when no frame
 * can match it under that parser. The ordering below then moves holes
 * past what they cannot meet and drops those no later rule can meet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/pass.h"

#define MAX_PIECES 256
#define MAX_VARIANTS 4

/* An output rule that stands for more than it matches exactly. */
enum src_kind {
	SRC_EXACT,   /* its matches are what it stands for */
	SRC_CARVE,   /* slowpath carve-out widened from input rule 'pos' */
	SRC_GUARDED, /* a piece of input rule 'pos' minus "IP header parsed",
		      * behind its ip.proto=0 guard: stands for that rule */
	SRC_GUARD,   /* a piece of that guard */
	SRC_HOLE,    /* slowpath after a rule, for its frames in which the
		      * dissector yields none of the keys in 'hole' */
};

struct src {
	size_t pos;
	enum src_kind kind;
	uint32_t hole;
};

struct legal {
	const struct ir_caps *caps;
	unsigned int assume;
	enum ir_dissector d;
	struct ir_ruleset *rs;
	struct lift_stats *st;
	struct pass_rvec out;
	/* Per output rule: where it came from, for the dissector-aware
	 * ordering (struct src). */
	struct src *from;
	size_t n_from, cap_from;
	struct ir_match (*alts)[MAX_PIECES]; /* per match: its pieces */
	bool guard;  /* special_fields() wants an ip.proto=0 guard first */
	uint64_t retype_visits; /* retype_conflict()'s work so far */
	char why[200];
};

/* Bytes of a field's header after the field itself (smallest over the
 * header kinds it occurs in): where "the deepest header" ends. */
static const uint8_t hdr_tail[IR_F__COUNT] = {
	[IR_F_ETH_DST] = 8,   [IR_F_ETH_SRC] = 2,    [IR_F_VLAN_ID] = 2,
	[IR_F_VLAN_PCP] = 3,  [IR_F_IP_PROTO] = 10,  [IR_F_IP_TOS] = 18,
	[IR_F_IP_TTL] = 11,   [IR_F_IP4_IHL] = 19,   [IR_F_IP4_SRC] = 4,
	[IR_F_IP6_SRC] = 16,  [IR_F_IP6_NEXTHDR] = 33, [IR_F_L4_SPORT] = 6,
	[IR_F_L4_DPORT] = 4,  [IR_F_TCP_FLAGS] = 6,  [IR_F_ICMP_TYPE] = 3,
	[IR_F_ICMP_CODE] = 2,
};

static bool is_meta(enum ir_field_id f)
{
	return ir_field__get(f)->layer == IR_LAYER_META;
}

static bool is_l4(enum ir_field_id f)
{
	return ir_field__get(f)->layer == IR_LAYER_L4;
}

static bool is_l3(enum ir_field_id f)
{
	return ir_field__get(f)->layer == IR_LAYER_L3;
}

/* Does the rule need key f present in every packet it matches? */
static bool needs_present(const struct legal *lg, const struct ir_match *m)
{
	return lg->d != IR_DIS_FLOWER || !pass_match_accepts_zero(m);
}

static void keys_of(const struct ir_rule *r, struct ir_keys *k)
{
	uint32_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];

		if (m->kind != IR_MATCH_MASK || !pass_match_is_exact(m))
			continue;
		k->v[m->field] = m->key;
		k->present[m->field] = true;
	}
}

static void key_set(struct ir_keys *k, enum ir_field_id f, uint64_t v)
{
	ir_val__from_u64(&k->v[f], f, v);
	k->present[f] = true;
}

static bool exact_is(const struct ir_rule *r, enum ir_field_id f,
		     uint64_t v)
{
	const struct ir_match *m = ir_rule__find(r, f);

	return m && m->kind == IR_MATCH_MASK && pass_match_is_exact(m) &&
	       ir_val__u64(&m->key, f) == v;
}

/* Is meta.len >= n implied for every packet r matches? */
static bool len_implied(const struct legal *lg, const struct ir_rule *r,
			uint32_t n)
{
	uint32_t i, len, hdr_end = 0;
	struct ir_keys k;

	keys_of(r, &k);
	for (i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];

		if (is_meta(m->field))
			continue;
		len = ir_dissect__min_len(lg->d, &k, m->field);
		if (len >= n && needs_present(lg, m))
			return true;
		if (len && len + hdr_tail[m->field] > hdr_end)
			hdr_end = len + hdr_tail[m->field];
	}
	if (!(lg->assume & IR_ASSUME_WELL_FORMED))
		return false;
	return n <= hdr_end || n <= pass_dis_wf_floor(r);
}

static bool ext_header(uint64_t nh)
{
	static const uint8_t ext[] = { 0, 43, 44, 50, 51, 60, 135, 139, 140,
				       253, 254 };
	size_t i;

	for (i = 0; i < sizeof(ext); i++)
		if (ext[i] == nh)
			return true;
	return false;
}

static bool accepts(const struct ir_rule *r, enum ir_field_id f, uint64_t x)
{
	const struct ir_match *m = ir_rule__find(r, f);
	struct ir_match v;

	if (!m)
		return true;
	ir_match__exact(&v, f, x);
	return pass_match_overlap(m, &v);
}

/* The field by which r pins an IP ethertype (eth.type, or vlan.type
 * behind a tag), or IR_F__COUNT. */
static enum ir_field_id ip_type_field(const struct ir_rule *r)
{
	static const enum ir_field_id fs[] = { IR_F_ETH_TYPE, IR_F_VLAN_TYPE };

	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		if (exact_is(r, fs[i], 0x0800) || exact_is(r, fs[i], 0x86dd))
			return fs[i];
	return IR_F__COUNT;
}

#define RETYPE_BUDGET (64ull << 20)

/* Does an output rule so far take every re-typed frame of e (e pins its
 * IP type by field t) before the rule being legalised can, and act as e
 * does or send it to the slow path? Such a rule leaves t open and matches
 * no L3/L4 key, and each of its other matches contains e's. */
static bool caught_first(struct legal *lg, const struct ir_rule *e,
			 enum ir_field_id t)
{
	for (size_t i = 0; i < lg->out.n; i++) {
		const struct ir_rule *o = &lg->out.r[i];
		bool all = true;

		if (++lg->retype_visits > RETYPE_BUDGET)
			return false;
		if (o->action.verdict != IR_ACT_SLOWPATH &&
		    !ir_action__equal(&o->action, &e->action))
			continue;
		for (size_t k = 0; k < o->n_matches && all; k++) {
			const struct ir_match *mo = &o->matches[k];
			const struct ir_match *me = ir_rule__find(e, mo->field);

			if (mo->field == t)
				all = !pass_dis_needs(lg->d, mo);
			else if (is_l3(mo->field) || is_l4(mo->field))
				all = false;
			else
				all = me && pass_match_contains(mo, me);
		}
		if (all)
			return true;
	}
	return false;
}

/*
 * Flower re-types an IPv4 or IPv6 frame whose ip proto is 137 (MPLS in
 * IP): the kernel's flow dissector goes on into the MPLS header and reports
 * the frame's protocol as MPLS (the model: ir_dissect.c), so no filter
 * that pins protocol ip or ipv6 (or vlan_ethtype behind a tag) matches it,
 * and it reaches the first filter that does not pin the type. The program,
 * which reads the bytes, decided it on an IP path: if an earlier IP rule
 * that such a frame can meet acts otherwise than rule pos, and no rule
 * emitted so far takes those frames first (caught_first), rule pos must
 * not decide them (withheld: the slow path is always right). Past the work
 * budget the answer is "conflict", which is sound.
 */
/* Can e match a frame the dissector re-types: an unfragmented IP packet
 * with protocol 137 whose header is complete (e pins the type by t)? */
static bool can_retype(const struct ir_rule *e, enum ir_field_id t)
{
	bool v6 = exact_is(e, t, 0x86dd);
	uint64_t hdr = 14 + (t == IR_F_VLAN_TYPE ? 4 : 0) + (v6 ? 40 : 20);
	struct ir_match len, ihl;

	ir_match__range(&len, IR_F_META_LEN, hdr, 65535);
	ir_match__range(&ihl, IR_F_IP4_IHL, 5, 15);
	return accepts(e, IR_F_IP_PROTO, 137) && accepts(e, IR_F_IP_FRAG, 0) &&
	       (!ir_rule__find(e, IR_F_META_LEN) ||
		pass_match_overlap(ir_rule__find(e, IR_F_META_LEN), &len)) &&
	       (!ir_rule__find(e, IR_F_IP4_IHL) ||
		pass_match_overlap(ir_rule__find(e, IR_F_IP4_IHL), &ihl));
}

/* The first earlier rule that conflicts (*t: the type field it pins), or
 * NULL; past the budget, r itself (a conflict nothing can resolve). */
static const struct ir_rule *retype_conflict(struct legal *lg,
					     const struct ir_rule *r,
					     size_t pos, enum ir_field_id *t)
{
	const struct ir_match *et = ir_rule__find(r, IR_F_ETH_TYPE);
	const struct ir_match *vt = ir_rule__find(r, IR_F_VLAN_TYPE);
	bool open[IR_F__COUNT] = { false };

	if (lg->d != IR_DIS_FLOWER || r->action.verdict == IR_ACT_SLOWPATH)
		return NULL;
	/* The type fields r leaves open: a type r needs present is not the
	 * re-typed frame's, whose key is missing (and reads as zero). */
	open[IR_F_ETH_TYPE] = !et || !pass_dis_needs(lg->d, et);
	open[IR_F_VLAN_TYPE] = (!vt || !pass_dis_needs(lg->d, vt)) &&
			       (accepts(r, IR_F_ETH_TYPE, 0x8100) ||
				accepts(r, IR_F_ETH_TYPE, 0x88a8));
	if (!open[IR_F_ETH_TYPE] && !open[IR_F_VLAN_TYPE])
		return NULL;
	for (size_t i = 0; i < pos; i++) {
		const struct ir_rule *e = ir_ruleset__rule_c(lg->rs, i);

		if (++lg->retype_visits > RETYPE_BUDGET) {
			*t = IR_F__COUNT;
			return r;
		}
		*t = ip_type_field(e);
		if (*t == IR_F__COUNT || !open[*t] || !can_retype(e, *t) ||
		    ir_action__equal(&e->action, &r->action) ||
		    !pass_rules_overlap(r, e) || caught_first(lg, e, *t))
			continue;
		return e;
	}
	return NULL;
}

static int sync_from(struct legal *lg);

/* Before r: r's expressible matches behind the tag type 'tpid', to the
 * slow path. It takes the re-typed frames of tagged IP rules (their
 * vlan_ethtype reads MPLS) that r would otherwise decide, and only those
 * of r's frames that carry that tag. */
static int retype_guard(struct legal *lg, const struct ir_rule *r,
			size_t pos, uint64_t tpid)
{
	const struct ir_caps *c = lg->caps;
	struct ir_rule g = *r;
	struct ir_match m;
	int ret;

	g.n_matches = 0;
	for (uint32_t i = 0; i < r->n_matches; i++)
		if (!is_l3(r->matches[i].field) &&
		    !is_l4(r->matches[i].field) &&
		    pass_match_expressible(&r->matches[i],
					   c->field_match[r->matches[i].field]))
			g.matches[g.n_matches++] = r->matches[i];
	ir_match__exact(&m, IR_F_ETH_TYPE, tpid);
	ret = ir_rule__and(&g, &m);
	if (ret)
		return ret < 0 ? ret : 0;
	memset(&g.action, 0, sizeof(g.action));
	g.action.verdict = IR_ACT_SLOWPATH;
	ret = pass_rvec__push(&lg->out, &g) ?: sync_from(lg);
	if (!ret)
		lg->from[lg->out.n - 1] = (struct src){ pos, SRC_CARVE, 0 };
	return ret;
}

/* 0 when no MPLS-in-IP frame can reach r against the program's verdict
 * (guards emitted where a tag type can take them), -1 with lg->why when r
 * must be withheld, or -errno. */
static int retype_check(struct legal *lg, const struct ir_rule *r,
			size_t pos)
{
	enum ir_field_id t;
	const struct ir_rule *e;
	uint64_t tpid;
	int ret;

	while ((e = retype_conflict(lg, r, pos, &t))) {
		tpid = exact_is(e, IR_F_ETH_TYPE, 0x8100)   ? 0x8100
		       : exact_is(e, IR_F_ETH_TYPE, 0x88a8) ? 0x88a8
							    : 0;
		if (e != r && t == IR_F_VLAN_TYPE && tpid) {
			ret = retype_guard(lg, r, pos, tpid);
			if (ret)
				return ret;
			if (caught_first(lg, e, t))
				continue;
		}
		if (e == r)
			snprintf(lg->why, sizeof(lg->why),
				 "%s sees IP frames with ip proto 137 (MPLS "
				 "in IP) as MPLS, and there were too many "
				 "earlier rules to check", lg->caps->name);
		else
			snprintf(lg->why, sizeof(lg->why),
				 "%s sees IP frames with ip proto 137 (MPLS "
				 "in IP) as MPLS: they skip rule %zu, which "
				 "acts otherwise, and would reach this one",
				 lg->caps->name,
				 (size_t)(e - ir_ruleset__rule_c(lg->rs, 0)));
		return -1;
	}
	return 0;
}

/* Can an ip.proto=0 slowpath guard stand in for "the IP header was
 * parsed" (and so for a frame length up to where that needs)? Under
 * flower an untagged IPv4/IPv6 frame has ip.proto present exactly when
 * its IP header was parsed, and a missing key reads as zero: a guard
 * "R's matches + ip.proto=0 -> slowpath" right before R takes every frame
 * of R whose header was not parsed (and the rare real protocol 0). */
static bool guard_ok(const struct legal *lg, const struct ir_rule *r,
		     uint64_t need_len)
{
	struct ir_keys k;

	if (lg->d != IR_DIS_FLOWER ||
	    !(lg->caps->field_match[IR_F_IP_PROTO] & IR_CAP_EXACT) ||
	    !(lg->caps->verdicts & (1u << IR_ACT_SLOWPATH)) ||
	    ir_rule__find(r, IR_F_IP_PROTO) ||
	    (!exact_is(r, IR_F_ETH_TYPE, 0x0800) &&
	     !exact_is(r, IR_F_ETH_TYPE, 0x86dd)))
		return false;
	memset(&k, 0, sizeof(k));
	k.v[IR_F_ETH_TYPE] = ir_rule__find(r, IR_F_ETH_TYPE)->key;
	k.present[IR_F_ETH_TYPE] = true;
	return need_len <= ir_dissect__min_len(lg->d, &k, IR_F_IP_PROTO);
}

/* Does m accept every value of [lo, hi]? */
static bool accepts_all(const struct ir_match *m, uint64_t lo, uint64_t hi)
{
	struct ir_match iv;

	pass_match_from_interval(&iv, m->field, lo, hi);
	return pass_match_contains(m, &iv);
}

/* Can r match only frames whose ihl key, surely present, is outside what
 * a parsed header has ([5, 15], or 5 under no-ip-options)? */
static bool ihl_impossible(const struct legal *lg, const struct ir_rule *r,
			   const struct ir_match *m)
{
	const struct ir_match *len = ir_rule__find(r, IR_F_META_LEN);
	uint64_t lo, hi, hi5 = lg->assume & IR_ASSUME_NO_IP_OPTIONS ? 5 : 15;
	struct ir_match iv;

	pass_match_from_interval(&iv, IR_F_IP4_IHL, 5, hi5);
	if (pass_match_overlap(m, &iv))
		return false;
	if (pass_dis_needs(lg->d, m) ||
	    pass_dis_ip4_parsed(lg->d, lg->assume, r, IR_F_IP4_IHL))
		return true;
	/* A whole untagged IPv4 header: parsed unless ihl < 5. */
	return (lg->assume & IR_ASSUME_NO_IP_OPTIONS) &&
	       exact_is(r, IR_F_ETH_TYPE, 0x0800) && len &&
	       pass_match_interval(len, &lo, &hi) && lo >= 14 + 20;
}

static int legal_ihl(struct legal *lg, struct ir_rule *r,
		     const struct ir_match *m)
{
	/* Where the key is present it is in [5, 15] (the models parse no
	 * IPv4 header below 5), or 5 under no-ip-options. */
	uint64_t hi = lg->assume & IR_ASSUME_NO_IP_OPTIONS ? 5 : 15;

	if (ihl_impossible(lg, r, m))
		return 1;
	if (!accepts_all(m, 5, hi)) {
		snprintf(lg->why, sizeof(lg->why),
			 "%s cannot match ip4.ihl (see --assume no-ip-options)",
			 lg->caps->name);
		return -1;
	}
	if (pass_dis_ip4_parsed(lg->d, lg->assume, r, IR_F_IP4_IHL)) {
		pass_rule_drop_match(r, IR_F_IP4_IHL);
		return 0;
	}
	if (guard_ok(lg, r, 0)) {
		lg->guard = true;
		pass_rule_drop_match(r, IR_F_IP4_IHL);
		return 0;
	}
	snprintf(lg->why, sizeof(lg->why),
		 "%s cannot match ip4.ihl and the rule's keys do not imply "
		 "an IPv4 header", lg->caps->name);
	return -1;
}

/* Fields with special rules when the target cannot match them. Returns 0,
 * 1 if the rule matches nothing (under the assumptions), -1 with lg->why
 * when the rule must be carved out. */
static int special_fields(struct legal *lg, struct ir_rule *r)
{
	const unsigned int *fm = lg->caps->field_match;
	const bool no_opts = lg->assume & IR_ASSUME_NO_IP_OPTIONS;
	const struct ir_match *m;
	struct ir_match pm;
	uint64_t lo, hi, x;
	int ret;

	m = ir_rule__find(r, IR_F_IP4_IHL);
	if (m && !fm[IR_F_IP4_IHL] && ihl_impossible(lg, r, m))
		return 1;
	m = ir_rule__find(r, IR_F_META_LEN);
	if (m && !fm[IR_F_META_LEN]) {
		if (!pass_match_interval(m, &lo, &hi) ||
		    hi < pass_field_max(IR_F_META_LEN)) {
			snprintf(lg->why, sizeof(lg->why),
				 "%s cannot match the frame length bound",
				 lg->caps->name);
			return -1;
		}
		if (!len_implied(lg, r, lo)) {
			if (!guard_ok(lg, r, lo)) {
				snprintf(lg->why, sizeof(lg->why),
					 "%s cannot match meta.len >= %llu "
					 "and the rule's keys do not imply it",
					 lg->caps->name,
					 (unsigned long long)lo);
				return -1;
			}
			lg->guard = true;
		}
		pass_rule_drop_match(r, IR_F_META_LEN);
	}
	m = ir_rule__find(r, IR_F_IP4_IHL);
	if (m && !fm[IR_F_IP4_IHL]) {
		ret = legal_ihl(lg, r, m);
		if (ret)
			return ret;
	}
	m = ir_rule__find(r, IR_F_IP6_NEXTHDR);
	if (m && !fm[IR_F_IP6_NEXTHDR]) {
		x = ir_val__u64(&m->key, IR_F_IP6_NEXTHDR);
		if (!no_opts || !pass_match_is_exact(m) || ext_header(x) ||
		    !fm[IR_F_IP_PROTO]) {
			snprintf(lg->why, sizeof(lg->why),
				 "%s cannot match ip6.nexthdr (ip.proto "
				 "stands for it only under --assume "
				 "no-ip-options)", lg->caps->name);
			return -1;
		}
		pass_rule_drop_match(r, IR_F_IP6_NEXTHDR);
		ir_match__exact(&pm, IR_F_IP_PROTO, x);
		return ir_rule__and(r, &pm) ? 1 : 0;
	}
	return 0;
}

static bool has_layer(const struct ir_rule *r, bool (*pred)(enum ir_field_id))
{
	uint32_t i;

	for (i = 0; i < r->n_matches; i++)
		if (pred(r->matches[i].field))
			return true;
	return false;
}

static bool exact_on(const struct ir_rule *r, enum ir_field_id f)
{
	const struct ir_match *m = ir_rule__find(r, f);

	return m && m->kind == IR_MATCH_MASK && pass_match_is_exact(m);
}

static bool is_l3l4(enum ir_field_id f)
{
	return is_l3(f) || is_l4(f);
}

/* Can every key of r in 'pred' (but 'skip') be present in a frame shaped
 * like k? */
static bool keys_possible(const struct legal *lg, const struct ir_rule *r,
			  const struct ir_keys *k,
			  bool (*pred)(enum ir_field_id), enum ir_field_id skip)
{
	uint32_t i;

	for (i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];

		if (pred(m->field) && m->field != skip &&
		    !ir_dissect__min_len(lg->d, k, m->field))
			return false;
	}
	return true;
}

/* Does any match in 'pred' also accept an absent key (flower)? */
static bool absent_ok(const struct legal *lg, const struct ir_rule *r,
		      bool (*pred)(enum ir_field_id), enum ir_field_id skip)
{
	uint32_t i;

	for (i = 0; i < r->n_matches; i++)
		if (pred(r->matches[i].field) && r->matches[i].field != skip &&
		    !needs_present(lg, &r->matches[i]))
			return true;
	return false;
}

/* Split r by the values of field f (eth.type or ip.proto) for which its
 * keys can be present: 'cands' to try; out gets one rule per value. Returns
 * the count or -1 with lg->why. */
static int split_by(struct legal *lg, const struct ir_rule *r,
		    enum ir_field_id f, const uint64_t *cands, size_t nc,
		    bool (*pred)(enum ir_field_id), struct ir_rule *out)
{
	const struct ir_field *fd = ir_field__get(f);
	size_t i, n = 0;
	struct ir_keys k;
	struct ir_match m;

	if (absent_ok(lg, r, pred, f))
		goto fail;
	for (i = 0; i < nc; i++) {
		keys_of(r, &k);
		key_set(&k, f, cands[i]);
		if (f == IR_F_ETH_TYPE && cands[i] == 0x8100) {
			key_set(&k, IR_F_VLAN_TYPE, 0x0800);
			key_set(&k, IR_F_NUM_VLANS, 1);
		}
		if (!accepts(r, f, cands[i]) ||
		    !keys_possible(lg, r, &k, pred, f))
			continue;
		if (n == MAX_VARIANTS || cands[i] == 0x8100)
			goto fail; /* tagged frames too: no one ethertype */
		out[n] = *r;
		ir_match__exact(&m, f, cands[i]);
		if (ir_rule__and(&out[n], &m))
			goto fail;
		n++;
	}
	if (n)
		return n;
fail:
	snprintf(lg->why, sizeof(lg->why),
		 "%s needs %s pinned and the rule's keys do not imply it",
		 lg->caps->name, fd->name);
	return -1;
}

static const uint64_t eth_cands[] = { 0x0800, 0x86dd, 0x8100 };

static bool is_l4_only(enum ir_field_id f)
{
	return is_l4(f);
}

/* Prerequisites: eth.type for L3/L4 keys, ip.proto for L4 keys. Fills
 * out[] with the variants of r; returns their count or -1. */
static int prerequisites(struct legal *lg, const struct ir_rule *r,
			 struct ir_rule *out)
{
	struct ir_rule eth[MAX_VARIANTS];
	uint64_t protos[256];
	size_t i, n = 0, ne = 1;
	int k;

	eth[0] = *r;
	if (lg->caps->l3_needs_ethtype && has_layer(r, is_l3l4) &&
	    !exact_on(r, IR_F_ETH_TYPE)) {
		k = split_by(lg, r, IR_F_ETH_TYPE, eth_cands, 3, is_l3l4, eth);
		if (k < 0)
			return -1;
		ne = k;
	}
	for (i = 0; i < 256; i++)
		protos[i] = i;
	for (i = 0; i < ne; i++) {
		if (!lg->caps->l4_needs_proto || !has_layer(&eth[i], is_l4) ||
		    exact_on(&eth[i], IR_F_IP_PROTO)) {
			if (n == MAX_VARIANTS)
				return -1;
			out[n++] = eth[i];
			continue;
		}
		k = split_by(lg, &eth[i], IR_F_IP_PROTO, protos, 256,
			     is_l4_only, out + n);
		if (k < 0 || n + k > MAX_VARIANTS)
			return -1;
		n += k;
	}
	return n;
}

/* Emit r split into expressible pieces; -1 with lg->why if it cannot. */
static int emit_pieces(struct legal *lg, const struct ir_rule *r)
{
	struct ir_match (*alts)[MAX_PIECES] = lg->alts;
	size_t cnt[IR_MAX_MATCHES], idx[IR_MAX_MATCHES] = { 0 };
	size_t total = 1, i, p;
	struct ir_rule piece;
	int n, err;

	for (i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];
		unsigned int cap = lg->caps->field_match[m->field];

		n = pass_expand_match(m, cap, alts[i], MAX_PIECES);
		if (n < 0 || total * n > MAX_PIECES) {
			snprintf(lg->why, sizeof(lg->why),
				 n == -EOPNOTSUPP ? "%s cannot match %s"
						  : "%s: %s needs too many "
						    "rules to express",
				 lg->caps->name, ir_field__get(m->field)->name);
			return -1;
		}
		cnt[i] = n;
		total *= n;
	}
	for (p = 0; p < total; p++) {
		piece = *r;
		for (i = 0; i < r->n_matches; i++)
			piece.matches[i] = alts[i][idx[i]];
		for (i = r->n_matches; i-- > 0;) {
			if (++idx[i] < cnt[i])
				break;
			idx[i] = 0;
		}
		err = pass_rvec__push(&lg->out, &piece);
		if (err)
			return err;
	}
	return 0;
}

/* The carve-out: r's expressible matches, action slowpath. */
static int carve(struct legal *lg, const struct ir_rule *r, size_t pos)
{
	const struct ir_caps *c = lg->caps;
	struct ir_rule co = *r;
	char note[320];
	uint32_t i;

	co.n_matches = 0;
	for (i = 0; i < r->n_matches; i++)
		if (pass_match_expressible(&r->matches[i],
					   c->field_match[r->matches[i].field]))
			co.matches[co.n_matches++] = r->matches[i];
	if (c->l3_needs_ethtype && !exact_on(&co, IR_F_ETH_TYPE))
		for (i = 0; i < IR_F__COUNT; i++)
			if (is_l3l4(i))
				pass_rule_drop_match(&co, i);
	if (c->l4_needs_proto && !exact_on(&co, IR_F_IP_PROTO))
		for (i = 0; i < IR_F__COUNT; i++)
			if (is_l4(i))
				pass_rule_drop_match(&co, i);
	memset(&co.action, 0, sizeof(co.action));
	co.action.verdict = IR_ACT_SLOWPATH;
	snprintf(note, sizeof(note), "rule %zu (path %d): %s", pos,
		 (int)r->prov.path, lg->why);
	lg->st->withheld++;
	return ir_ruleset__add_meta(lg->rs, "withheld", note) ?:
	       pass_rvec__push(&lg->out, &co);
}

/* Guards the target cannot match but the rule's own keys imply go before
 * the rules are merged again: rules that differed only in them (one per
 * ihl value, each with its own length guard) then merge into one, whose
 * ihl range the keys imply in turn. Each drop keeps the rule's meaning
 * under the target's dissector (and the assumptions); merge keeps it under
 * every dissector. */
static int strip_implied(struct legal *lg, const struct lift_opts *opts,
			 char *err, size_t errsz)
{
	const unsigned int *fm = lg->caps->field_match;
	uint64_t hi5 = lg->assume & IR_ASSUME_NO_IP_OPTIONS ? 5 : 15;
	size_t i, n = ir_ruleset__count(lg->rs);
	const struct ir_match *m;
	bool changed = false;
	uint64_t lo, hi;
	int ret;

	for (i = 0; i < n; i++) {
		struct ir_rule *r = ir_ruleset__rule(lg->rs, i);

		m = ir_rule__find(r, IR_F_META_LEN);
		if (m && !fm[IR_F_META_LEN] && pass_match_interval(m, &lo, &hi) &&
		    hi >= pass_field_max(IR_F_META_LEN) &&
		    len_implied(lg, r, lo)) {
			pass_rule_drop_match(r, IR_F_META_LEN);
			changed = true;
		}
		m = ir_rule__find(r, IR_F_IP4_IHL);
		if (m && !fm[IR_F_IP4_IHL] && accepts_all(m, 5, hi5) &&
		    pass_dis_ip4_parsed(lg->d, lg->assume, r, IR_F_IP4_IHL)) {
			pass_rule_drop_match(r, IR_F_IP4_IHL);
			changed = true;
		}
	}
	if (!changed)
		return 0;
	ret = lift_pass_merge(lg->rs, opts, NULL, err, errsz);
	return ret < 0 ? ret : 0;
}

/* Keep lg->from[] as long as lg->out, new entries "not a carve-out". */
static int sync_from(struct legal *lg)
{
	struct src *p;
	size_t cap;

	if (lg->n_from > lg->out.n)
		lg->n_from = lg->out.n;
	if (lg->out.n > lg->cap_from) {
		cap = lg->out.n * 2 + 16;
		p = realloc(lg->from, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		lg->from = p;
		lg->cap_from = cap;
	}
	while (lg->n_from < lg->out.n)
		lg->from[lg->n_from++] = (struct src){ SIZE_MAX, SRC_EXACT, 0 };
	return 0;
}

/* Keys r needs that the dissector may not yield in every frame r's other
 * matches and length guard admit, although the program read them from the
 * raw bytes: nft validates the IPv4/IPv6 header (version, total length)
 * before it reads any L4 field (and IPv6's ip.proto/ip.frag), rte_flow
 * needs the whole L4 header. An absent key never matches there, so such a
 * frame falls through r to later rules, while the program decided it on
 * r's path. The hole "r without those keys -> slowpath" right after r
 * takes it.
 *
 * Soundness: the lifter's rules are first-match in list order, and a
 * later rule L is right for a frame only if no earlier rule's path took
 * it. Let F be a frame that matches r in the IR (raw bytes) but not under
 * the target. F matches every match of r but the hole keys (they are the
 * only keys whose presence the raw bytes and guards do not imply), so the
 * hole, at r's place, sends F to the slow path before any L sees it. A
 * frame the hole takes that r does not match in the IR is sent to the
 * slow path: never wrong. This holds whatever r's verdict, a slowpath r
 * included: a slowpath rule's frames are as much the program's (its path
 * is merely not liftable) and a later rule must not decide them. The
 * ordering pass then moves the hole down past the rules that need a hole
 * key present (no frame of the hole's region has one) and drops it when
 * no later non-slowpath rule can meet it, so it costs coverage only where
 * a later rule could have caught the frame. (Flower's L4 keys need only
 * the bytes the lifter's length guards already cover; under well-formed
 * traffic every header the program reads is whole and validates.) */
static uint32_t l4_holes(const struct legal *lg, const struct ir_rule *in,
			 const struct ir_rule *r)
{
	const struct ir_match *len = ir_rule__find(in, IR_F_META_LEN);
	uint64_t lo = 0, hi;
	struct ir_keys k;
	uint32_t i, hole = 0;

	if (lg->d == IR_DIS_FLOWER || (lg->assume & IR_ASSUME_WELL_FORMED))
		return 0;
	if (len && !pass_match_interval(len, &lo, &hi))
		lo = 0;
	keys_of(r, &k);
	for (i = 0; i < r->n_matches; i++) {
		enum ir_field_id f = r->matches[i].field;

		/* nft's IPv6 ip.proto and ip.frag are "meta l4proto" and
		 * the fragment header as validation finds them. */
		if (lg->d == IR_DIS_NFT &&
		    (f == IR_F_IP_PROTO || f == IR_F_IP_FRAG) &&
		    !exact_is(r, IR_F_ETH_TYPE, 0x0800)) {
			hole |= 1u << f;
			continue;
		}
		if (!is_l4(f))
			continue;
		if (lg->d == IR_DIS_NFT || lo < ir_dissect__min_len(lg->d, &k, f))
			hole |= 1u << f;
	}
	return hole;
}

/* The hole carve-out after r's pieces: r without the keys in 'hole'. */
static int emit_hole(struct legal *lg, const struct ir_rule *r,
		     uint32_t hole, size_t pos)
{
	struct ir_rule h = *r;
	size_t mark = lg->out.n;
	enum ir_field_id f;
	int ret;

	memset(&h.action, 0, sizeof(h.action));
	h.action.verdict = IR_ACT_SLOWPATH;
	for (f = 0; f < IR_F__COUNT; f++)
		if (hole & (1u << f))
			pass_rule_drop_match(&h, f);
	ret = emit_pieces(lg, &h) ?: sync_from(lg);
	for (; !ret && mark < lg->out.n; mark++)
		lg->from[mark] = (struct src){ pos, SRC_HOLE, hole };
	return ret;
}

/* The guard before a rule whose "IP header parsed" it stands for. */
static int emit_guard(struct legal *lg, const struct ir_rule *work)
{
	struct ir_rule g = *work;
	struct ir_match pm;

	memset(&g.action, 0, sizeof(g.action));
	g.action.verdict = IR_ACT_SLOWPATH;
	ir_match__exact(&pm, IR_F_IP_PROTO, 0);
	if (ir_rule__and(&g, &pm))
		return -1;
	return emit_pieces(lg, &g);
}

static int legalise_rule(struct legal *lg, const struct ir_rule *r,
			 size_t pos)
{
	const struct ir_caps *c = lg->caps;
	struct ir_rule work = *r, vars[MAX_VARIANTS];
	size_t start = lg->out.n, mark;
	struct pass_dis_info info;
	uint32_t hole;
	int ret = 0, n, i;

	lg->why[0] = 0;
	lg->guard = false;
	pass_dis__info(lg->d, lg->assume, r, &info);
	if (info.empty)
		return 0; /* no frame matches it under the dissector */
	if (!(c->verdicts & (1u << r->action.verdict))) {
		snprintf(lg->why, sizeof(lg->why), "%s has no such verdict",
			 c->name);
		ret = -1;
	} else if (r->action.n_rewrites && !c->rewrites) {
		snprintf(lg->why, sizeof(lg->why),
			 "%s cannot rewrite packets", c->name);
		ret = -1;
	} else {
		ret = retype_check(lg, r, pos);
		if (ret < -1)
			return ret;
	}
	if (!ret)
		ret = special_fields(lg, &work);
	if (ret == 1)
		return 0; /* matches nothing: nothing to emit */
	n = ret ? -1 : prerequisites(lg, &work, vars);
	if (n < 0 && !lg->why[0])
		snprintf(lg->why, sizeof(lg->why),
			 "%s: too many variants for its prerequisites",
			 c->name);
	if (n >= 0 && lg->guard) {
		ret = emit_guard(lg, &work) ?: sync_from(lg);
		if (ret < -1)
			return ret;
		if (ret < 0)
			n = -1;
		for (mark = start; !ret && mark < lg->out.n; mark++)
			lg->from[mark] = (struct src){ pos, SRC_GUARD, 0 };
	}
	mark = lg->out.n;
	for (i = 0; i < n; i++) {
		ret = emit_pieces(lg, &vars[i]);
		if (ret < -1)
			return ret;
		if (ret < 0)
			n = -1;
	}
	if (n >= 0) {
		ret = sync_from(lg);
		for (; !ret && lg->guard && mark < lg->out.n; mark++)
			lg->from[mark] = (struct src){ pos, SRC_GUARDED, 0 };
		hole = l4_holes(lg, r, &work);
		if (!ret && hole)
			ret = emit_hole(lg, &work, hole, pos);
		return ret < -1 ? ret : 0;
	}
	while (lg->out.n > start)
		ir_rule__fini(&lg->out.r[--lg->out.n]);
	if (!(c->verdicts & (1u << IR_ACT_SLOWPATH)))
		return -EOPNOTSUPP;
	ret = carve(lg, r, pos) ?: sync_from(lg);
	if (!ret)
		lg->from[lg->out.n - 1] = (struct src){ pos, SRC_CARVE, 0 };
	return ret;
}

static int check_prios(struct legal *lg, char *err, size_t errsz)
{
	const struct ir_caps *c = lg->caps;
	size_t n = ir_ruleset__count(lg->rs);
	uint32_t lo, hi;

	if (!n)
		return 0;
	lo = ir_ruleset__rule_c(lg->rs, 0)->prio;
	hi = ir_ruleset__rule_c(lg->rs, n - 1)->prio;
	if (lo >= c->prio_min && (!c->prio_max || hi <= c->prio_max))
		return 0;
	snprintf(err, errsz,
		 "legalise: the rules need priorities %u..%u (%u levels); "
		 "%s allows %u..%u", lo, hi, hi - lo + 1, c->name, c->prio_min,
		 c->prio_max);
	return -E2BIG;
}

/*
 * Ordering under the target's dissector.
 *
 * Each output rule is tested for overlap by the region it stands for: a
 * carve-out C' (C widened to what the target can match, sent to the slow
 * path) by C when it is the earlier rule of a pair and by C' when it is the
 * later one; a guarded piece R' by its input rule R in both roles (its
 * guard takes every frame of R' outside R, and always stays before it).
 * Think of the list L'' in which every carve-out is C itself and every
 * guarded piece is R behind its guard: it is what legalisation means, and
 * each step below changes it soundly:
 *  - move: C' goes down past later rules that no frame of C can match
 *    (disjoint under the dissector, or with the same verdict), to just
 *    after the last of them that C' overlaps, so that they are tried first;
 *    it never passes a rule that overlaps C with another verdict. In L''
 *    the move crosses only rules C cannot meet: the same verdicts.
 *  - drop: a slowpath rule whose region no later non-slowpath rule can
 *    meet goes; its frames reach the slow path anyway.
 *  - priorities: a rule comes after every earlier one its region meets
 *    with another verdict (pass_prio_assign); any order that keeps those
 *    pairs gives L'' its exact meaning, and widening each C back to C' then
 *    only sends more frames to the slow path.
 */
struct order {
	struct ir_rule **narrow;    /* per output rule: what it stands for,
				     * when not itself (SRC_CARVE, SRC_GUARDED;
				     * NULL otherwise), in pool */
	struct ir_rule *pool;
	struct src *src;
	struct pass_dis_info *wide, *nar;
	bool *keep;
	const struct ir_rule *r;    /* the slowpath rule asked about */
	const struct pass_dis_info *ri;
	const struct ir_ruleset *rs;
	uint64_t budget;
	size_t cut, queries; /* over budget, of all (moves and drops) */
};

/* The rule and facts to test rule i by, as the earlier or later one. */
static const struct ir_rule *test_rule(const struct order *o,
				       const struct ir_rule *actual, size_t i,
				       bool earlier,
				       const struct pass_dis_info **info)
{
	if (o->src[i].kind == SRC_GUARDED ||
	    (o->src[i].kind == SRC_CARVE && earlier)) {
		*info = &o->nar[i];
		return o->narrow[i];
	}
	*info = &o->wide[i];
	return actual;
}

static bool meets(const struct order *o, const struct ir_rule *re, size_t e,
		  const struct ir_rule *rl, size_t l)
{
	const struct pass_dis_info *ie, *il;

	re = test_rule(o, re, e, true, &ie);
	rl = test_rule(o, rl, l, false, &il);
	return pass_dis__overlap(re, ie, rl, il);
}

static bool dis_conflict(const struct ir_ruleset *rs, size_t e, size_t l,
			 void *arg)
{
	const struct order *o = arg;
	const struct ir_rule *re = ir_ruleset__rule_c(rs, e);
	const struct ir_rule *rl = ir_ruleset__rule_c(rs, l);

	if (o->src[l].kind == SRC_GUARDED && o->src[e].kind == SRC_GUARD &&
	    o->src[l].pos == o->src[e].pos)
		return true; /* the guard stays before its rule */
	if (pass_action_eq(&re->action, &rl->action))
		return false;
	return meets(o, re, e, rl, l);
}

static int later_cb(size_t pos, void *arg)
{
	const struct order *o = arg;
	const struct ir_rule *c = ir_ruleset__rule_c(o->rs, pos);
	const struct pass_dis_info *ic;

	if (!o->keep[pos] || c->action.verdict == IR_ACT_SLOWPATH)
		return 0;
	c = test_rule(o, c, pos, false, &ic);
	return pass_dis__overlap(o->r, o->ri, c, ic);
}

static void compact(struct order *o, size_t n)
{
	size_t i, j;

	for (i = j = 0; i < n; i++) {
		if (!o->keep[i])
			continue;
		o->narrow[j] = o->narrow[i];
		o->src[j] = o->src[i];
		o->wide[j] = o->wide[i];
		o->nar[j++] = o->nar[i];
	}
}

/* Slowpath rules whose region no later non-slowpath rule can meet under
 * the dissector go: their frames reach the slow path anyway. */
static int drop_redundant(struct order *o, struct ir_ruleset *rs)
{
	size_t i, n = ir_ruleset__count(rs);
	uint64_t total = pass_index__budget(n), budget;
	uint64_t query = n > 4096 ? n : 4096;
	struct pass_index *idx = pass_index__new(rs);
	bool changed = false;
	int ret;

	if (!idx)
		return -ENOMEM;
	o->rs = rs;
	for (i = n; i-- > 0;) {
		const struct ir_rule *r = ir_ruleset__rule_c(rs, i);

		if (r->action.verdict != IR_ACT_SLOWPATH)
			continue;
		budget = total < query ? total : query;
		total -= budget;
		o->r = test_rule(o, r, i, true, &o->ri);
		ret = pass_index__foreach(idx, r, i + 1, n, later_cb, o,
					  &budget);
		total += budget;
		o->queries++;
		o->cut += ret == -E2BIG;
		if (ret == 0) {
			o->keep[i] = false;
			changed = true;
		}
	}
	pass_index__free(idx);
	if (!changed)
		return 0;
	compact(o, n);
	return pass_keep(rs, o->keep);
}

/* Where carve-out ord[k] should go: the last position p of ord it should
 * follow (k if none). */
static size_t move_target(struct order *o, const struct ir_rule *out,
			  const size_t *ord, size_t k, size_t n)
{
	size_t x = ord[k], p, target = k;
	const struct ir_rule *c = &out[x];

	for (p = k + 1; p < n && o->budget; p++, o->budget--) {
		size_t y = ord[p];
		const struct ir_rule *ry = &out[y];
		const struct pass_dis_info *iy;

		if (pass_action_eq(&c->action, &ry->action))
			continue;
		if (meets(o, c, x, ry, y))
			break; /* C meets it: C' stays before */
		ry = test_rule(o, ry, y, false, &iy);
		if (pass_dis__overlap(c, &o->wide[x], ry, iy))
			target = p;
	}
	o->queries++;
	o->cut += p < n && !o->budget;
	return target;
}

/* Move carve-outs down (see above), last first; returns the new order. */
static size_t *move_carves(struct order *o, const struct ir_rule *out,
			   size_t n)
{
	size_t *ord = malloc((n + 1) * sizeof(*ord)), k, t, x;

	if (!ord)
		return NULL;
	for (k = 0; k < n; k++)
		ord[k] = k;
	o->budget = pass_index__budget(n);
	for (k = n; k-- > 0;) {
		x = ord[k];
		if (o->src[x].kind != SRC_CARVE)
			continue;
		t = move_target(o, out, ord, k, n);
		if (t == k)
			continue;
		memmove(ord + k, ord + k + 1, (t - k) * sizeof(*ord));
		ord[t] = x;
	}
	return ord;
}

/* One output rule and its facts, as permute() moves them. */
struct slot {
	struct ir_rule r;
	struct ir_rule *narrow;
	struct src src;
	struct pass_dis_info wide, nar;
};

static void slot_get(const struct legal *lg, const struct order *o,
		     size_t i, struct slot *s)
{
	s->r = lg->out.r[i];
	s->narrow = o->narrow[i];
	s->src = o->src[i];
	s->wide = o->wide[i];
	s->nar = o->nar[i];
}

static void slot_put(struct legal *lg, struct order *o, size_t i,
		     const struct slot *s)
{
	lg->out.r[i] = s->r;
	o->narrow[i] = s->narrow;
	o->src[i] = s->src;
	o->wide[i] = s->wide;
	o->nar[i] = s->nar;
}

/* Put lg->out and the facts into the order ord (entry i becomes ord[i]),
 * in place: each cycle of the permutation is followed once, so the rules
 * (1.2 KiB each) are never held twice. */
static int permute(struct legal *lg, struct order *o, const size_t *ord)
{
	size_t i, j, n = lg->out.n;
	bool *done = calloc(n + 1, sizeof(*done));
	struct slot first, s;

	if (!done)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		slot_get(lg, o, i, &first);
		for (j = i; ord[j] != i; j = ord[j]) {
			slot_get(lg, o, ord[j], &s);
			slot_put(lg, o, j, &s);
			done[j] = true;
		}
		slot_put(lg, o, j, &first);
		done[j] = true;
	}
	free(done);
	return 0;
}

/* Does an output rule stand for another rule than itself? */
static bool needs_narrow(const struct src *f)
{
	return f->kind == SRC_HOLE || f->kind == SRC_CARVE ||
	       f->kind == SRC_GUARDED;
}

/* Facts for every output rule. */
static void facts(struct legal *lg, struct order *o)
{
	size_t i, k = 0;

	for (i = 0; i < lg->out.n; i++) {
		const struct src *f = &lg->from[i];

		o->keep[i] = true;
		o->src[i] = *f;
		if (needs_narrow(f))
			o->narrow[i] = &o->pool[k++];
		pass_dis__info(lg->d, lg->assume, &lg->out.r[i], &o->wide[i]);
		if (f->kind == SRC_HOLE) {
			/* stands for its frames without the hole keys */
			o->src[i].kind = SRC_CARVE;
			*o->narrow[i] = lg->out.r[i];
			memset(&o->narrow[i]->prov, 0,
			       sizeof(o->narrow[i]->prov));
			o->nar[i] = o->wide[i];
			o->nar[i].absent |= f->hole;
			o->nar[i].empty |= !!(o->nar[i].needs & f->hole);
			continue;
		}
		if (f->kind != SRC_CARVE && f->kind != SRC_GUARDED)
			continue;
		*o->narrow[i] = *ir_ruleset__rule_c(lg->rs, f->pos);
		memset(&o->narrow[i]->prov, 0, sizeof(o->narrow[i]->prov));
		pass_dis__info(lg->d, lg->assume, o->narrow[i], &o->nar[i]);
	}
}

/* Install the output in its order, drop what is redundant under the
 * dissector, and assign priorities by the dissector's conflicts. */
static int order_output(struct legal *lg, char *err, size_t errsz)
{
	size_t i, k = 0, n = lg->out.n, *ord = NULL;
	struct order o = { 0 };
	int ret = -ENOMEM;

	o.narrow = calloc(n + 1, sizeof(*o.narrow));
	o.src = calloc(n + 1, sizeof(*o.src));
	o.wide = calloc(n + 1, sizeof(*o.wide));
	o.nar = calloc(n + 1, sizeof(*o.nar));
	o.keep = calloc(n + 1, sizeof(*o.keep));
	if (!o.narrow || !o.src || !o.wide || !o.nar || !o.keep ||
	    sync_from(lg))
		goto out;
	for (i = 0; i < n; i++)
		k += needs_narrow(&lg->from[i]);
	/* A rule per output rule that stands for another (1.2 KiB each):
	 * only those get one. */
	o.pool = calloc(k + 1, sizeof(*o.pool));
	if (!o.pool)
		goto out;
	facts(lg, &o);
	ord = move_carves(&o, lg->out.r, n);
	if (!ord)
		goto out;
	ret = permute(lg, &o, ord);
	ret = ret ?: pass_rvec__install(&lg->out, lg->rs);
	ret = ret ?: drop_redundant(&o, lg->rs);
	ret = ret ?: pass_note_budget(lg->rs, "legalise", o.cut, o.queries,
				      "those slow-path rules were kept where "
				      "they are");
	ret = ret ?: pass_prio_assign(lg->rs, lg->caps, dis_conflict, &o,
				      lg->st, err, errsz);
	if (ret > 0)
		ret = 0;
out:
	if (ret == -ENOMEM)
		snprintf(err, errsz, "legalise: %s", strerror(-ret));
	free(ord);
	free(o.narrow);
	free(o.pool);
	free(o.src);
	free(o.wide);
	free(o.nar);
	free(o.keep);
	return ret;
}

static int withhold_rs_tail(struct legal *lg, size_t keep, const char *why)
{
	size_t n = ir_ruleset__count(lg->rs);
	char note[512];

	snprintf(note, sizeof(note), "%zu rules from rule %zu on: %s",
		 n - keep, keep, why);
	lg->st->withheld += n - keep;
	while (ir_ruleset__count(lg->rs) > keep)
		ir_ruleset__remove(lg->rs, ir_ruleset__count(lg->rs) - 1);
	return ir_ruleset__add_meta(lg->rs, "withheld", note);
}

int lift_pass_legalise(struct ir_ruleset *rs, const struct lift_opts *opts,
		       struct lift_stats *st, char *err, size_t errsz)
{
	struct lift_stats dummy = { 0 };
	struct legal lg = { .caps = opts->caps, .assume = opts->assume,
			    .rs = rs, .st = st ? st : &dummy };
	size_t i, n;
	char why[400];
	int ret;

	lg.d = lg.caps->dissector;
	lg.alts = malloc(IR_MAX_MATCHES * sizeof(*lg.alts));
	ret = lg.alts ? strip_implied(&lg, opts, err, errsz) : -ENOMEM;
	n = ir_ruleset__count(rs);
	for (i = 0; i < n && !ret; i++) {
		ret = legalise_rule(&lg, ir_ruleset__rule_c(rs, i), i);
		if (ret != -EOPNOTSUPP)
			continue;
		/* No carve-out possible: withholding the tail is sound. */
		snprintf(why, sizeof(why), "%zu rules from rule %zu on: %s; "
			 "%s cannot send packets to the slow path", n - i, i,
			 lg.why, lg.caps->name);
		lg.st->withheld += n - i;
		ret = ir_ruleset__add_meta(rs, "withheld", why);
		break;
	}
	if (ret)
		snprintf(err, errsz, "legalise: %s", strerror(-ret));
	ret = ret ?: order_output(&lg, err, errsz);
	if (!ret && lg.caps->max_rules &&
	    ir_ruleset__count(rs) > lg.caps->max_rules) {
		snprintf(why, sizeof(why), "past %s's limit of %u rules",
			 lg.caps->name, lg.caps->max_rules);
		ret = withhold_rs_tail(&lg, lg.caps->max_rules, why);
	}
	ret = ret ?: check_prios(&lg, err, errsz);
	pass_rvec__fini(&lg.out);
	free(lg.alts);
	free(lg.from);
	return ret ?: 1;
}
