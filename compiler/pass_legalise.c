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
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/pass.h"

#define MAX_PIECES 256
#define MAX_VARIANTS 4

struct legal {
	const struct ir_caps *caps;
	unsigned int assume;
	enum ir_dissector d;
	struct ir_ruleset *rs;
	struct lift_stats *st;
	struct pass_rvec out;
	struct ir_match (*alts)[MAX_PIECES]; /* per match: its pieces */
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
	return (lg->assume & IR_ASSUME_WELL_FORMED) && n <= hdr_end;
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
			snprintf(lg->why, sizeof(lg->why),
				 "%s cannot match meta.len >= %llu and the "
				 "rule's keys do not imply it", lg->caps->name,
				 (unsigned long long)lo);
			return -1;
		}
		pass_rule_drop_match(r, IR_F_META_LEN);
	}
	m = ir_rule__find(r, IR_F_IP4_IHL);
	if (m && !fm[IR_F_IP4_IHL]) {
		if (!no_opts || !pass_match_is_exact(m) ||
		    ir_val__u64(&m->key, IR_F_IP4_IHL) != 5) {
			snprintf(lg->why, sizeof(lg->why),
				 "%s cannot match ip4.ihl (see --assume "
				 "no-ip-options)", lg->caps->name);
			return -1;
		}
		pass_rule_drop_match(r, IR_F_IP4_IHL);
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

static bool accepts(const struct ir_rule *r, enum ir_field_id f, uint64_t x)
{
	const struct ir_match *m = ir_rule__find(r, f);
	struct ir_match v;

	if (!m)
		return true;
	ir_match__exact(&v, f, x);
	return pass_match_overlap(m, &v);
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

static int legalise_rule(struct legal *lg, const struct ir_rule *r,
			 size_t pos)
{
	const struct ir_caps *c = lg->caps;
	struct ir_rule work = *r, vars[MAX_VARIANTS];
	int ret = 0, n, i;

	lg->why[0] = 0;
	if (!(c->verdicts & (1u << r->action.verdict))) {
		snprintf(lg->why, sizeof(lg->why), "%s has no such verdict",
			 c->name);
		ret = -1;
	} else if (r->action.n_rewrites && !c->rewrites) {
		snprintf(lg->why, sizeof(lg->why),
			 "%s cannot rewrite packets", c->name);
		ret = -1;
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
	for (i = 0; i < n; i++) {
		size_t mark = lg->out.n;

		ret = emit_pieces(lg, &vars[i]);
		if (ret > 0 || ret < -1)
			return ret;
		if (ret < 0) {
			while (lg->out.n > mark)
				ir_rule__fini(&lg->out.r[--lg->out.n]);
			n = -1;
		}
	}
	if (n >= 0)
		return 0;
	if (!(c->verdicts & (1u << IR_ACT_SLOWPATH)))
		return -EOPNOTSUPP;
	return carve(lg, r, pos);
}

static int withhold_tail(struct legal *lg, size_t keep, const char *why)
{
	char note[512];

	snprintf(note, sizeof(note), "%zu rules from rule %zu on: %s",
		 lg->out.n - keep, keep, why);
	lg->st->withheld += lg->out.n - keep;
	while (lg->out.n > keep)
		ir_rule__fini(&lg->out.r[--lg->out.n]);
	return ir_ruleset__add_meta(lg->rs, "withheld", note);
}

static int check_prios(struct legal *lg, char *err, size_t errsz)
{
	const struct ir_caps *c = lg->caps;
	uint32_t lo, hi;

	if (!lg->out.n)
		return 0;
	lo = lg->out.r[0].prio;
	hi = lg->out.r[lg->out.n - 1].prio;
	if (lo >= c->prio_min && (!c->prio_max || hi <= c->prio_max))
		return 0;
	snprintf(err, errsz,
		 "legalise: the rules need priorities %u..%u (%u levels); "
		 "%s allows %u..%u", lo, hi, hi - lo + 1, c->name, c->prio_min,
		 c->prio_max);
	return -E2BIG;
}

int lift_pass_legalise(struct ir_ruleset *rs, const struct lift_opts *opts,
		       struct lift_stats *st, char *err, size_t errsz)
{
	struct lift_stats dummy = { 0 };
	struct legal lg = { .caps = opts->caps, .assume = opts->assume,
			    .rs = rs, .st = st ? st : &dummy };
	size_t i, n = ir_ruleset__count(rs);
	char why[400];
	int ret = 0;

	lg.d = lg.caps->dissector;
	lg.alts = malloc(IR_MAX_MATCHES * sizeof(*lg.alts));
	if (!lg.alts)
		ret = -ENOMEM;
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
	if (!ret && lg.caps->max_rules && lg.out.n > lg.caps->max_rules) {
		snprintf(why, sizeof(why), "past %s's limit of %u rules",
			 lg.caps->name, lg.caps->max_rules);
		ret = withhold_tail(&lg, lg.caps->max_rules, why);
	}
	if (ret)
		snprintf(err, errsz, "legalise: %s", strerror(-ret));
	ret = ret ?: check_prios(&lg, err, errsz);
	ret = ret ?: pass_rvec__install(&lg.out, rs);
	pass_rvec__fini(&lg.out);
	free(lg.alts);
	return ret ?: 1;
}
