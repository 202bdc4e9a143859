// SPDX-License-Identifier: Apache-2.0
/*
 * test_ir_index.c - the first-match index (ir/ir_index.c) against the
 * linear scan it stands in for (ir_ruleset__eval): the same rule, hence
 * the same verdict, for every key set under every dissector.
 *
 *  - random rule sets (exact, prefix, arbitrary mask, zero mask, range,
 *    overlapping values from small pools, runs of equal priorities, a
 *    field matched twice) x random key sets (present or absent, values
 *    from the same pools or random, stale values behind absent keys);
 *  - random rule sets x frames built and dissected by each model;
 *  - every IR file of the golden and unit suites x the frames verify's
 *    generator draws from the rules' own constants, with the malformed
 *    variants;
 *  - edge cases: an empty set, "any", a zero mask under nftables, a field
 *    out of range.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "testsuite/fl_check.h"
#include "verify/verify.h"

static const enum ir_dissector dissectors[] = {
	IR_DIS_FLOWER, IR_DIS_NFT, IR_DIS_RTEFLOW,
};

#define N_DIS (sizeof(dissectors) / sizeof(dissectors[0]))
#define POOL 4

static uint64_t rnd(uint64_t *s)
{
	return vf_rand(s);
}

static bool chance(uint64_t *s, unsigned int pct)
{
	return rnd(s) % 100 < pct;
}

/* Index and scan agree on k under d; returns whether some rule matched. */
static bool agree(const struct ir_ruleset *rs, const struct ir_index *ix,
		  enum ir_dissector d, const struct ir_keys *k)
{
	const struct ir_rule *lin = ir_ruleset__eval(rs, d, k);
	long got = ir_index__eval(ix, d, k);
	long want = lin ? (long)(lin - ir_ruleset__rule_c(rs, 0)) : -1;

	ck_assert_int_eq(got, want);
	if (lin)
		ck_assert_int_eq(ir_ruleset__rule_c(rs, got)->action.verdict,
				 lin->action.verdict);
	return lin != NULL;
}

/*
 * Random rule sets.
 */
/* The first five are a service table's. */
static const enum ir_field_id rfields[] = {
	IR_F_ETH_TYPE, IR_F_IP_PROTO, IR_F_IP4_SRC, IR_F_IP4_DST,
	IR_F_L4_DPORT, IR_F_META_LEN, IR_F_VLAN_ID, IR_F_IP_FRAG,
	IR_F_IP4_IHL, IR_F_IP6_SRC, IR_F_L4_SPORT, IR_F_TCP_FLAGS,
	IR_F_ICMP_TYPE, IR_F_META_MARK,
};

#define N_RF (sizeof(rfields) / sizeof(rfields[0]))

struct pools {
	struct ir_val v[IR_F__COUNT][POOL];
};

struct profile {
	const char *name;
	unsigned int n_rules;
	unsigned int n_fields;  /* of rfields[] (0: all) */
	unsigned int p_field;   /* % a rule matches each field */
	unsigned int p_prefix;  /* % of matches a prefix */
	unsigned int p_mask;    /* an arbitrary mask */
	unsigned int p_zero;    /* a zero mask */
	unsigned int p_range;   /* a range (fields <= 64 bits) */
	unsigned int p_twice;   /* % of rules with a field matched twice */
	unsigned int prio_step; /* priority grows by 0..step-1 a rule */
	unsigned int p_present; /* % of keys present */
	bool stale;             /* absent keys keep a value */
};

static const struct profile profiles[] = {
	{ "exact 5-tuple", 400, 5, 70, 0, 0, 0, 0, 0, 3, 90, false },
	{ "prefixes", 300, 0, 40, 60, 0, 0, 0, 0, 2, 90, false },
	{ "ranges", 300, 0, 40, 10, 0, 0, 50, 0, 2, 85, false },
	{ "mixed", 1000, 0, 35, 25, 10, 5, 20, 0, 4, 80, false },
	{ "one priority", 500, 0, 30, 20, 5, 5, 20, 0, 1, 85, false },
	{ "sparse, wildcards", 200, 0, 10, 20, 5, 10, 20, 0, 5, 70, false },
	{ "dense, few shapes", 2000, 5, 90, 0, 0, 0, 10, 0, 2, 95, false },
	{ "twice, stale keys", 300, 0, 40, 20, 10, 10, 20, 30, 3, 70, true },
};

static void rand_val(uint64_t *s, const struct pools *p, enum ir_field_id f,
		     struct ir_val *v)
{
	size_t n = ir_field__bytes(f);

	if (chance(s, 80)) {
		*v = p->v[f][rnd(s) % POOL];
		return;
	}
	memset(v, 0, sizeof(*v));
	if (n > 8) {
		for (size_t i = 0; i < n; i++)
			v->b[i] = (uint8_t)rnd(s);
		return;
	}
	ir_val__from_u64(v, f, rnd(s));
}

static void pools_init(uint64_t *s, struct pools *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < N_RF; i++) {
		enum ir_field_id f = rfields[i];
		size_t n = ir_field__bytes(f);

		for (int j = 0; j < POOL; j++) {
			struct ir_val *v = &p->v[f][j];

			if (n > 8) {
				for (size_t b = 0; b < n; b++)
					v->b[b] = (uint8_t)(b < 2 ? 0xfd
							   : rnd(s) % 3);
				continue;
			}
			/* small values collide across fields too */
			ir_val__from_u64(v, f, j == 0 ? 0 : rnd(s) % 4 ?
				rnd(s) % 64 : rnd(s));
		}
	}
}

static void rand_match(uint64_t *s, const struct profile *pr,
		       const struct pools *p, enum ir_field_id f,
		       struct ir_match *m)
{
	const unsigned int w = ir_field__get(f)->width;
	unsigned int roll = rnd(s) % 100;
	struct ir_val v;

	rand_val(s, p, f, &v);
	if (roll < pr->p_range && w <= 64) {
		uint64_t a = ir_val__u64(&v, f), b;

		rand_val(s, p, f, &v);
		b = ir_val__u64(&v, f);
		if (chance(s, 30))
			b = a + rnd(s) % 8;
		ir_match__range(m, f, a < b ? a : b, a < b ? b : a);
		return;
	}
	roll -= roll < pr->p_range ? 0 : pr->p_range;
	if (roll < pr->p_prefix) {
		ir_match__prefix(m, f, v.b, (unsigned int)(rnd(s) % (w + 1)));
		return;
	}
	roll -= roll < pr->p_prefix ? 0 : pr->p_prefix;
	ir_match__exact(m, f, 0);
	m->key = v;
	if (roll < pr->p_zero) {
		memset(&m->mask, 0, sizeof(m->mask));
	} else if (roll < pr->p_zero + pr->p_mask) {
		for (size_t i = 0; i < IR_VAL_MAX; i++)
			m->mask.b[i] &= (uint8_t)rnd(s);
	}
	for (size_t i = 0; i < IR_VAL_MAX; i++)
		m->key.b[i] &= m->mask.b[i];
}

static struct ir_ruleset *rand_rules(uint64_t *s, const struct profile *pr,
				     const struct pools *p)
{
	struct ir_ruleset *rs = ir_ruleset__new();
	struct ir_rule r;
	size_t nf = pr->n_fields ? pr->n_fields : N_RF;
	uint32_t prio = 1;

	ck_assert_ptr_nonnull(rs);
	for (unsigned int i = 0; i < pr->n_rules; i++) {
		ir_rule__init(&r);
		for (size_t j = 0; j < nf; j++)
			if (chance(s, pr->p_field))
				rand_match(s, pr, p, rfields[j],
					   &r.matches[r.n_matches++]);
		if (r.n_matches && r.n_matches < IR_MAX_MATCHES &&
		    chance(s, pr->p_twice))
			rand_match(s, pr, p, r.matches[0].field,
				   &r.matches[r.n_matches++]);
		prio += (uint32_t)(rnd(s) % pr->prio_step);
		r.prio = prio;
		r.action.verdict = (enum ir_verdict)(rnd(s) % IR_ACT__COUNT);
		ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	}
	return rs;
}

static void rand_keys(uint64_t *s, const struct profile *pr,
		      const struct pools *p, struct ir_keys *k)
{
	memset(k, 0, sizeof(*k));
	for (size_t j = 0; j < N_RF; j++) {
		enum ir_field_id f = rfields[j];

		k->present[f] = chance(s, pr->p_present);
		if (k->present[f] || (pr->stale && chance(s, 50)))
			rand_val(s, p, f, &k->v[f]);
	}
}

START_TEST(test_random_keys)
{
	const struct profile *pr = &profiles[_i];
	uint64_t s = 0x5eed0000u + (uint64_t)_i;
	unsigned int hits = 0, n = 0;

	for (int set = 0; set < 3; set++) {
		struct pools p;
		struct ir_ruleset *rs;
		struct ir_index *ix;

		pools_init(&s, &p);
		rs = rand_rules(&s, pr, &p);
		ix = ir_index__new(rs);
		ck_assert_ptr_nonnull(ix);
		ck_assert_uint_ge(ir_index__subtables(ix), 1);
		for (int i = 0; i < 4000; i++) {
			struct ir_keys k;

			rand_keys(&s, pr, &p, &k);
			for (size_t d = 0; d < N_DIS; d++, n++)
				hits += agree(rs, ix, dissectors[d], &k);
		}
		ir_index__free(ix);
		ir_ruleset__free(rs);
	}
	/* the sets and keys overlap: a test that never matches proves
	 * nothing */
	ck_assert_msg(hits * 10 >= n, "%s: %u of %u lookups matched",
		      pr->name, hits, n);
}
END_TEST

/* Frames built from the pools' values, some tagged, IPv6 or cut short,
 * dissected by each model. */
static int rand_frame(uint64_t *s, const struct pools *p, uint8_t *buf,
		      size_t size)
{
	static const uint8_t l4s[] = { VF_L4_TCP, VF_L4_UDP, VF_L4_ICMP,
				       VF_L4_NONE };
	struct vf_pkt pkt;
	struct vf_layout lay;
	struct ir_val v;
	int len;

	vf_pkt__init(&pkt, chance(s, 20) ? 6 : 4,
		     (enum vf_l4)l4s[rnd(s) % 4]);
	if (pkt.l3 == VF_L3_IP6 && pkt.l4 == VF_L4_ICMP)
		pkt.l4 = VF_L4_ICMP6;
	if (chance(s, 15)) {
		pkt.n_vlans = 1;
		pkt.vlans[0].tpid = 0x8100;
		rand_val(s, p, IR_F_VLAN_ID, &v);
		pkt.vlans[0].tci = (uint16_t)ir_val__u64(&v, IR_F_VLAN_ID);
	}
	rand_val(s, p, IR_F_IP_PROTO, &v);
	if (chance(s, 20))
		pkt.proto = (uint8_t)ir_val__u64(&v, IR_F_IP_PROTO);
	rand_val(s, p, IR_F_IP4_SRC, &v);
	memcpy(pkt.saddr4, v.b, 4);
	rand_val(s, p, IR_F_IP4_DST, &v);
	memcpy(pkt.daddr4, v.b, 4);
	rand_val(s, p, IR_F_IP6_SRC, &v);
	memcpy(pkt.saddr6, v.b, 16);
	rand_val(s, p, IR_F_L4_SPORT, &v);
	pkt.sport = (uint16_t)ir_val__u64(&v, IR_F_L4_SPORT);
	rand_val(s, p, IR_F_L4_DPORT, &v);
	pkt.dport = (uint16_t)ir_val__u64(&v, IR_F_L4_DPORT);
	rand_val(s, p, IR_F_TCP_FLAGS, &v);
	pkt.tcp_flags = (uint16_t)ir_val__u64(&v, IR_F_TCP_FLAGS);
	if (chance(s, 10))
		pkt.ihl = (uint8_t)(5 + rnd(s) % 11);
	if (chance(s, 10))
		pkt.frag = (uint16_t)(rnd(s) % 2 ? 0x2000 : 0x0010);
	pkt.payload_len = (uint16_t)(rnd(s) % 64);
	len = vf_pkt__build(&pkt, buf, size, &lay);
	ck_assert_int_gt(len, 0);
	if (chance(s, 15))
		len = (int)(rnd(s) % (uint64_t)(len + 1));
	return len;
}

START_TEST(test_random_frames)
{
	const struct profile *pr = &profiles[_i];
	uint64_t s = 0xf4a3e000u + (uint64_t)_i;
	struct pools p;
	struct ir_ruleset *rs;
	struct ir_index *ix;
	uint8_t buf[VF_FRAME_MAX];
	unsigned int hits = 0;

	pools_init(&s, &p);
	rs = rand_rules(&s, pr, &p);
	ix = ir_index__new(rs);
	ck_assert_ptr_nonnull(ix);
	for (int i = 0; i < 3000; i++) {
		int len = rand_frame(&s, &p, buf, sizeof(buf));
		struct ir_meta meta = { .ifindex = 1 };
		struct ir_keys k;
		struct ir_val mark;

		rand_val(&s, &p, IR_F_META_MARK, &mark);
		meta.mark = (uint32_t)ir_val__u64(&mark, IR_F_META_MARK);
		for (size_t d = 0; d < N_DIS; d++) {
			ir_dissect(dissectors[d], buf, (size_t)len, &meta, &k);
			hits += agree(rs, ix, dissectors[d], &k);
		}
	}
	ck_assert_msg(hits > 0, "%s: no frame matched a rule", pr->name);
	ir_index__free(ix);
	ir_ruleset__free(rs);
}
END_TEST

/*
 * Real rule sets: the golden and unit IR files.
 */
static void pool_rule(struct vf_pools *vp, const struct ir_rule *r)
{
	for (uint32_t i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];
		size_t n = ir_field__bytes(m->field);
		enum vf_pool_id id = n <= 1 ? VF_POOL_8 : n <= 2 ? VF_POOL_16
							       : VF_POOL_32;

		if (m->kind == IR_MATCH_RANGE) {
			vf_pools__add(vp, id, m->lo, true);
			vf_pools__add(vp, id, m->hi, true);
		} else if (n == 16) {
			vf_pools__add_ip6(vp, m->key.b);
		} else {
			vf_pools__add(vp, id, ir_val__u64(&m->key, m->field),
				      true);
		}
	}
}

static unsigned int check_file(const char *path)
{
	struct vf_gen_opts go = { .seed = 7, .n_packets = 1500,
				  .with_mark = true };
	struct vf_frames fs = { 0 };
	struct vf_pools *vp = vf_pools__new();
	struct ir_ruleset *rs;
	struct ir_index *ix;
	char err[256] = "";
	unsigned int n = 0;
	size_t n_gen;
	FILE *f = fopen(path, "r");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	rs = ir_ruleset__parse(f, path, err, sizeof(err));
	fclose(f);
	ck_assert_msg(rs != NULL, "%s", err);
	ck_assert_ptr_nonnull(vp);
	for (size_t i = 0; i < ir_ruleset__count(rs); i++)
		pool_rule(vp, ir_ruleset__rule_c(rs, i));
	ck_assert_int_eq(vf_gen__frames(vp, &go, &fs), 0);
	n_gen = fs.n;
	for (size_t i = 0; i < n_gen && i < 40; i++) {
		/* a copy: adding variants moves fs.v */
		struct vf_frame base = fs.v[i * (n_gen / 40 + 1) % n_gen];

		if (base.has_spec)
			ck_assert_int_eq(vf_gen__variants(&base.spec, i, &fs),
					 0);
	}
	ix = ir_index__new(rs);
	ck_assert_ptr_nonnull(ix);
	for (size_t i = 0; i < fs.n; i++) {
		struct ir_meta meta = { .ifindex = 1, .mark = fs.v[i].mark };
		struct ir_keys k;

		for (size_t d = 0; d < N_DIS; d++, n++) {
			ir_dissect(dissectors[d], fs.v[i].data, fs.v[i].len,
				   &meta, &k);
			agree(rs, ix, dissectors[d], &k);
		}
	}
	ir_index__free(ix);
	ir_ruleset__free(rs);
	vf_frames__fini(&fs);
	vf_pools__free(vp);
	return n;
}

static const char *const ir_dirs[] = {
	"testsuite/golden", "testsuite/unit/ir", "testsuite/verify",
};

START_TEST(test_ir_files)
{
	const char *src = getenv("FLOWLIFT_SRC");
	unsigned int files = 0, lookups = 0;
	char dir[1024], path[2048];
	struct dirent *e;
	DIR *dp;

	if (!src)
		src = ".";
	snprintf(dir, sizeof(dir), "%s/%s", src, ir_dirs[_i]);
	dp = opendir(dir);
	ck_assert_msg(dp != NULL, "%s: %s", dir, strerror(errno));
	while ((e = readdir(dp))) {
		size_t l = strlen(e->d_name);

		if (l < 4 || strcmp(e->d_name + l - 3, ".ir"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		lookups += check_file(path);
		files++;
	}
	closedir(dp);
	ck_assert_uint_ge(files, 1);
	ck_assert_uint_ge(lookups, files * 1000);
}
END_TEST

/*
 * Edge cases, one rule set each, with keys and the answer expected.
 */
struct ecase {
	const char *name;
	const char *rules;
	enum ir_dissector d;
	enum ir_field_id f;  /* one present key (IR_F__COUNT: none) */
	uint64_t v;
	long want;
};

static const struct ecase ecases[] = {
	{ "empty set", "", IR_DIS_FLOWER, IR_F__COUNT, 0, -1 },
	{ "any", "prio 1 any -> drop\n", IR_DIS_NFT, IR_F__COUNT, 0, 0 },
	{ "absent reads zero under flower",
	  "prio 1 l4.dport=0 -> drop\nprio 2 any -> pass\n", IR_DIS_FLOWER,
	  IR_F__COUNT, 0, 0 },
	{ "absent never matches under nft",
	  "prio 1 l4.dport=0 -> drop\nprio 2 any -> pass\n", IR_DIS_NFT,
	  IR_F__COUNT, 0, 1 },
	{ "zero mask needs the key under nft",
	  "prio 1 ip.proto=0x0/0x0 -> drop\nprio 2 any -> pass\n",
	  IR_DIS_NFT, IR_F__COUNT, 0, 1 },
	{ "zero mask with the key",
	  "prio 1 ip.proto=0x0/0x0 -> drop\nprio 2 any -> pass\n",
	  IR_DIS_RTEFLOW, IR_F_IP_PROTO, 17, 0 },
	{ "later shape, earlier rule wins",
	  "prio 1 l4.dport=80 -> drop\nprio 1 ip.proto=6 -> pass\n"
	  "prio 1 l4.dport=80 -> tx\n",
	  IR_DIS_FLOWER, IR_F_L4_DPORT, 80, 0 },
	{ "range checked on the candidate",
	  "prio 1 l4.dport=10-20 -> drop\nprio 2 l4.dport=21-30 -> pass\n",
	  IR_DIS_FLOWER, IR_F_L4_DPORT, 21, 1 },
	{ "range miss", "prio 1 l4.dport=10-20 -> drop\n", IR_DIS_FLOWER,
	  IR_F_L4_DPORT, 9, -1 },
};

START_TEST(test_edge)
{
	const struct ecase *c = &ecases[_i];
	char err[256] = "", text[512];
	struct ir_ruleset *rs;
	struct ir_index *ix;
	struct ir_keys k;

	snprintf(text, sizeof(text), "# flowlift-ir 1\n%s", c->rules);
	rs = ir_ruleset__parse_str(text, err, sizeof(err));
	ck_assert_msg(rs != NULL, "%s: %s", c->name, err);
	ix = ir_index__new(rs);
	ck_assert_ptr_nonnull(ix);
	memset(&k, 0, sizeof(k));
	if (c->f != IR_F__COUNT) {
		ir_val__from_u64(&k.v[c->f], c->f, c->v);
		k.present[c->f] = true;
	}
	ck_assert_msg(ir_index__eval(ix, c->d, &k) == c->want, "%s",
		      c->name);
	agree(rs, ix, c->d, &k);
	ir_index__free(ix);
	ir_ruleset__free(rs);
}
END_TEST

/* A rule on a field id out of range never matches, in both. */
START_TEST(test_bad_field)
{
	struct ir_ruleset *rs = ir_ruleset__new();
	struct ir_index *ix;
	struct ir_keys k;
	struct ir_rule r;

	ck_assert_ptr_nonnull(rs);
	ir_rule__init(&r);
	r.n_matches = 1;
	ir_match__exact(&r.matches[0], IR_F_IP_PROTO, 6);
	r.matches[0].field = IR_F__COUNT;
	r.action.verdict = IR_ACT_DROP;
	ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	ir_rule__init(&r);
	r.action.verdict = IR_ACT_PASS;
	ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	ix = ir_index__new(rs);
	ck_assert_ptr_nonnull(ix);
	memset(&k, 0, sizeof(k));
	ck_assert_int_eq(ir_index__eval(ix, IR_DIS_FLOWER, &k), 1);
	agree(rs, ix, IR_DIS_FLOWER, &k);
	ir_index__free(ix);
	ir_ruleset__free(rs);
	ir_index__free(NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ir_index");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_random_keys, 0,
			    sizeof(profiles) / sizeof(profiles[0]));
	tcase_add_loop_test(tc, test_random_frames, 0,
			    sizeof(profiles) / sizeof(profiles[0]));
	tcase_add_loop_test(tc, test_ir_files, 0,
			    sizeof(ir_dirs) / sizeof(ir_dirs[0]));
	tcase_add_loop_test(tc, test_edge, 0,
			    sizeof(ecases) / sizeof(ecases[0]));
	tcase_add_test(tc, test_bad_field);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fl_check_run(suite());
}
