// SPDX-License-Identifier: Apache-2.0
/* test_vf_gen.c - the generator: pools from instructions and maps,
 * determinism, variants. */
#include <string.h>

#include "test_verify.h"
#include "verify/verify.h"

static bool in_frames(const struct vf_frames *fs, size_t off,
		      const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->v[i].len >= off + n &&
		    !memcmp(fs->v[i].data + off, b, n))
			return true;
	return false;
}

START_TEST(insn_constants)
{
	/* if r2 == 8080 goto; if w3 > 1023 goto; exit */
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = 2, .imm = 8080 },
		{ .code = BPF_JMP32 | BPF_JGT | BPF_K, .dst_reg = 3,
		  .imm = 1023 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct vf_pools *p = vf_pools__new();
	struct vf_gen_opts o = { .seed = 7, .n_packets = 400 };
	struct vf_frames fs = { 0 };
	const uint8_t port[] = { 0x1f, 0x90 }, swapped[] = { 0x90, 0x1f };
	const uint8_t p1024[] = { 0x04, 0x00 };

	vf_pools__scan_insns(p, insns, 3);
	ck_assert_int_eq(vf_gen__frames(p, &o, &fs), 0);
	ck_assert_uint_ge(fs.n, 400);
	/* the constant, its byte swap and the neighbour of 1023, as the
	 * destination port of an untagged IPv4 TCP/UDP frame */
	ck_assert(in_frames(&fs, 36, port, 2));
	ck_assert(in_frames(&fs, 36, swapped, 2));
	ck_assert(in_frames(&fs, 36, p1024, 2));
	vf_frames__fini(&fs);
	vf_pools__free(p);
}
END_TEST

START_TEST(lpm_boundaries)
{
	/* 10.1.0.0/16 */
	uint8_t key[8] = { 16, 0, 0, 0, 10, 1, 0, 0 }, val[4] = { 1 };
	struct lift_map_entry e = { key, val };
	struct lift_map m = { .name = "allow", .type = BPF_MAP_TYPE_LPM_TRIE,
			      .key_size = 8, .value_size = 4, .ents = &e,
			      .n_ents = 1, .kind = LIFT_MAP_USER };
	struct vf_pools *p = vf_pools__new();
	struct vf_gen_opts o = { .seed = 1, .n_packets = 200 };
	struct vf_frames fs = { 0 };
	const uint8_t first[] = { 10, 1, 0, 0 }, last[] = { 10, 1, 255, 255 };
	const uint8_t below[] = { 10, 0, 255, 255 }, above[] = { 10, 2, 0, 0 };

	vf_pools__scan_map(p, &m, NULL);
	ck_assert_uint_ge(vf_pools__count(p, VF_POOL_32), 4);
	ck_assert_int_eq(vf_gen__frames(p, &o, &fs), 0);
	/* each boundary as source (offset 26) and destination (30) */
	ck_assert(in_frames(&fs, 26, first, 4) && in_frames(&fs, 30, first, 4));
	ck_assert(in_frames(&fs, 26, last, 4) && in_frames(&fs, 30, last, 4));
	ck_assert(in_frames(&fs, 26, below, 4));
	ck_assert(in_frames(&fs, 30, above, 4));
	vf_frames__fini(&fs);
	vf_pools__free(p);
}
END_TEST

START_TEST(tuple_keys)
{
	/* struct { __be32 saddr, daddr; __be16 sport, dport; __u8 proto; } */
	uint8_t key[13] = { 10, 0, 0, 1, 10, 0, 0, 2, 0x30, 0x39, 0x01, 0xbb,
			    17 };
	struct lift_map_entry e = { key, NULL };
	struct lift_map m = { .name = "svc", .type = BPF_MAP_TYPE_HASH,
			      .key_size = 13, .value_size = 0, .ents = &e,
			      .n_ents = 1, .kind = LIFT_MAP_USER };
	struct vf_keyshape sh = { 5, {
		{ 0, 4, VF_ROLE_SADDR }, { 4, 4, VF_ROLE_DADDR },
		{ 8, 2, VF_ROLE_SPORT }, { 10, 2, VF_ROLE_DPORT },
		{ 12, 1, VF_ROLE_PROTO } } };
	struct vf_pools *p = vf_pools__new();
	struct vf_gen_opts o = { .seed = 3, .n_packets = 50 };
	struct vf_frames fs = { 0 };
	bool hit = false;

	vf_pools__scan_map(p, &m, &sh);
	ck_assert_int_eq(vf_gen__frames(p, &o, &fs), 0);
	for (size_t i = 0; i < fs.n; i++) {
		const uint8_t *f = fs.v[i].data;

		if (fs.v[i].len >= 38 && f[23] == 17 &&
		    !memcmp(f + 26, key, 8) && !memcmp(f + 34, key + 8, 4))
			hit = true;
	}
	ck_assert_msg(hit, "no frame carries the key's 5-tuple");
	vf_frames__fini(&fs);
	vf_pools__free(p);
}
END_TEST

START_TEST(deterministic)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = 2, .imm = 53 },
	};
	struct vf_frames a = { 0 }, b = { 0 }, c = { 0 };
	struct vf_gen_opts o = { .seed = 99, .n_packets = 300,
				 .with_mark = true };
	bool differs = false;

	for (int run = 0; run < 3; run++) {
		struct vf_pools *p = vf_pools__new();

		vf_pools__scan_insns(p, insns, 1);
		o.seed = run == 2 ? 100 : 99;
		ck_assert_int_eq(vf_gen__frames(p, &o, run == 0 ? &a :
						run == 1 ? &b : &c), 0);
		vf_pools__free(p);
	}
	ck_assert_uint_eq(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		ck_assert_uint_eq(a.v[i].len, b.v[i].len);
		ck_assert_mem_eq(a.v[i].data, b.v[i].data, a.v[i].len);
		ck_assert_uint_eq(a.v[i].mark, b.v[i].mark);
	}
	for (size_t i = 0; i < a.n && i < c.n; i++)
		differs |= a.v[i].len != c.v[i].len ||
			   memcmp(a.v[i].data, c.v[i].data, a.v[i].len);
	ck_assert_msg(differs, "another seed gives other frames");
	vf_frames__fini(&a);
	vf_frames__fini(&b);
	vf_frames__fini(&c);
}
END_TEST

static bool has_kind(const struct vf_frames *fs, const char *kind)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->v[i].kind, kind))
			return true;
	return false;
}

START_TEST(variants)
{
	struct vf_pkt p;
	struct vf_frames fs = { 0 };
	struct vf_layout l;
	uint8_t f[VF_FRAME_MAX];

	vf_pkt__init(&p, 4, VF_L4_TCP);
	vf_pkt__build(&p, f, sizeof(f), &l);
	ck_assert_int_eq(vf_gen__variants(&p, 5, &fs), 0);
	/* truncations at the L3 and L4 boundaries and ±1 */
	ck_assert(has_kind(&fs, "trunc 33") && has_kind(&fs, "trunc 34") &&
		  has_kind(&fs, "trunc 35") && has_kind(&fs, "trunc 13") &&
		  has_kind(&fs, "trunc 37") && has_kind(&fs, "trunc 38"));
	ck_assert(has_kind(&fs, "ip4 ihl 6") && has_kind(&fs, "ip4 ihl 15"));
	ck_assert(has_kind(&fs, "frag first") && has_kind(&fs, "frag middle") &&
		  has_kind(&fs, "frag last"));
	ck_assert(has_kind(&fs, "vlan") && has_kind(&fs, "qinq 88a8"));
	ck_assert(has_kind(&fs, "ethertype 0x86dd"));
	ck_assert(has_kind(&fs, "ttl 0") && has_kind(&fs, "ttl 255"));
	ck_assert(has_kind(&fs, "tcp flags 0x029"));
	for (size_t i = 0; i < fs.n; i++) {
		if (!strcmp(fs.v[i].kind, "trunc 34"))
			ck_assert_uint_eq(fs.v[i].len, 34);
		ck_assert_uint_le(fs.v[i].len, l.full_len + 60);
	}
	vf_frames__fini(&fs);

	vf_pkt__init(&p, 6, VF_L4_UDP);
	ck_assert_int_eq(vf_gen__variants(&p, 5, &fs), 0);
	ck_assert(has_kind(&fs, "ip6 hbh") && has_kind(&fs, "ip6 routing") &&
		  has_kind(&fs, "ip6 dstopt") && has_kind(&fs, "ip6 frag first") &&
		  has_kind(&fs, "ip6 frag middle") &&
		  has_kind(&fs, "ip6 frag last") && has_kind(&fs, "trunc 53"));
	vf_frames__fini(&fs);
}
END_TEST

Suite *vf_gen_suite(void)
{
	Suite *s = suite_create("vf_gen");
	TCase *tc = tcase_create("gen");

	tcase_add_test(tc, insn_constants);
	tcase_add_test(tc, lpm_boundaries);
	tcase_add_test(tc, tuple_keys);
	tcase_add_test(tc, deterministic);
	tcase_add_test(tc, variants);
	suite_add_tcase(s, tc);
	return s;
}
