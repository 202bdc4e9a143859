// SPDX-License-Identifier: Apache-2.0
/* test_vf_pkt.c - the frame builder: fields at their offsets, valid
 * checksums, exact truncation. */
#include <errno.h>
#include <string.h>

#include "test_verify.h"
#include "verify/verify.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

enum shape {
	V4_TCP,
	V4_UDP_VLAN,
	V4_TCP_QINQ,
	V4_TCP_IHL7,
	V6_TCP,
	V6_UDP_HBH_FRAG,
	V6_ICMP6,
	V4_ICMP,
};

static void make(enum shape s, struct vf_pkt *p)
{
	switch (s) {
	case V4_TCP:
		vf_pkt__init(p, 4, VF_L4_TCP);
		break;
	case V4_UDP_VLAN:
		vf_pkt__init(p, 4, VF_L4_UDP);
		p->n_vlans = 1;
		p->vlans[0] = (struct vf_vlan){ 0x8100, 0x2000 | 100 };
		break;
	case V4_TCP_QINQ:
		vf_pkt__init(p, 4, VF_L4_TCP);
		p->n_vlans = 2;
		p->vlans[0] = (struct vf_vlan){ 0x88a8, 300 };
		p->vlans[1] = (struct vf_vlan){ 0x8100, 10 };
		break;
	case V4_TCP_IHL7:
		vf_pkt__init(p, 4, VF_L4_TCP);
		p->ihl = 7;
		break;
	case V6_TCP:
		vf_pkt__init(p, 6, VF_L4_TCP);
		break;
	case V6_UDP_HBH_FRAG:
		vf_pkt__init(p, 6, VF_L4_UDP);
		p->n_exts = 2;
		p->exts[0] = (struct vf_ip6_ext){ .type = 0, .len8 = 1 };
		p->exts[1] = (struct vf_ip6_ext){ .type = 44, .frag_off = 0,
						  .more = true };
		break;
	case V6_ICMP6:
		vf_pkt__init(p, 6, VF_L4_ICMP6);
		break;
	case V4_ICMP:
		vf_pkt__init(p, 4, VF_L4_ICMP);
		break;
	}
	p->sport = 1234;
	p->dport = 53;
	p->payload_len = 11; /* odd, to exercise checksum padding */
}

/* Offsets and bytes expected for each shape. */
static const struct {
	enum shape s;
	uint32_t l3_off, l4_off, len;
	uint32_t at;         /* one more byte offset to check */
	uint8_t want;
	uint16_t ethertype;  /* at l3_off - 2 */
} cases[] = {
	{ V4_TCP, 14, 34, 65, 23, 6, 0x0800 },
	{ V4_UDP_VLAN, 18, 38, 57, 27, 17, 0x0800 },
	{ V4_TCP_QINQ, 22, 42, 73, 12, 0x88, 0x0800 },
	{ V4_TCP_IHL7, 14, 42, 73, 34, 0x94, 0x0800 },
	{ V6_TCP, 14, 54, 85, 20, 6, 0x86dd },
	{ V6_UDP_HBH_FRAG, 14, 78, 97, 20, 0, 0x86dd },
	{ V6_ICMP6, 14, 54, 73, 20, 58, 0x86dd },
	{ V4_ICMP, 14, 34, 53, 23, 1, 0x0800 },
};

/* Sum of the pseudo-header and the L4 bytes must fold to 0xffff. */
static void check_l4_csum(const uint8_t *f, const struct vf_layout *l,
			  bool v6, uint8_t proto)
{
	uint8_t ph[40] = { 0 };
	uint32_t sum = 0, l4len = l->full_len - l->l4_off;

	if (proto == 1) {
		sum = 0;
	} else if (v6) {
		memcpy(ph, f + l->l3_off + 8, 32);
		sum = vf_csum_add(0, ph, 32);
		memset(ph, 0, 8);
		ph[2] = (uint8_t)(l4len >> 8), ph[3] = (uint8_t)l4len;
		ph[7] = proto;
		sum = vf_csum_add(sum, ph, 8);
	} else {
		memcpy(ph, f + l->l3_off + 12, 8);
		ph[9] = proto;
		ph[10] = (uint8_t)(l4len >> 8), ph[11] = (uint8_t)l4len;
		sum = vf_csum_add(0, ph, 12);
	}
	sum = vf_csum_add(sum, f + l->l4_off, l4len);
	ck_assert_uint_eq(vf_csum_fold(sum), 0xffff);
}

START_TEST(layout_and_csums)
{
	struct vf_pkt p;
	struct vf_layout l;
	uint8_t f[VF_FRAME_MAX];
	int n;
	bool v6;

	make(cases[_i].s, &p);
	n = vf_pkt__build(&p, f, sizeof(f), &l);
	ck_assert_int_eq(n, (int)cases[_i].len);
	ck_assert_uint_eq(l.l3_off, cases[_i].l3_off);
	ck_assert_uint_eq(l.l4_off, cases[_i].l4_off);
	ck_assert_uint_eq(f[cases[_i].at], cases[_i].want);
	ck_assert_uint_eq(be16(f + l.l3_off - 2), cases[_i].ethertype);
	ck_assert_mem_eq(f, p.dmac, 6);
	ck_assert_mem_eq(f + 6, p.smac, 6);
	v6 = cases[_i].ethertype == 0x86dd;
	if (!v6) {
		uint32_t hl = 4 * (f[l.l3_off] & 0xf);

		ck_assert_uint_eq(f[l.l3_off] >> 4, 4);
		ck_assert_uint_eq(hl, l.l4_off - l.l3_off);
		ck_assert_uint_eq(be16(f + l.l3_off + 2), n - l.l3_off);
		ck_assert_mem_eq(f + l.l3_off + 12, p.saddr4, 4);
		ck_assert_mem_eq(f + l.l3_off + 16, p.daddr4, 4);
		ck_assert_uint_eq(vf_csum_fold(vf_csum_add(0, f + l.l3_off, hl)),
				  0xffff);
	} else {
		ck_assert_uint_eq(f[l.l3_off] >> 4, 6);
		ck_assert_uint_eq(be16(f + l.l3_off + 4), n - l.l3_off - 40);
		ck_assert_mem_eq(f + l.l3_off + 8, p.saddr6, 16);
		ck_assert_mem_eq(f + l.l3_off + 24, p.daddr6, 16);
	}
	if (p.l4 == VF_L4_TCP || p.l4 == VF_L4_UDP) {
		ck_assert_uint_eq(be16(f + l.l4_off), 1234);
		ck_assert_uint_eq(be16(f + l.l4_off + 2), 53);
	}
	if (p.l4 == VF_L4_UDP)
		ck_assert_uint_eq(be16(f + l.l4_off + 4), n - l.l4_off);
	if (p.l4 == VF_L4_TCP)
		ck_assert_uint_eq(be16(f + l.l4_off + 12) & 0xfff, 0x002);
	check_l4_csum(f, &l, v6, p.proto);
}
END_TEST

START_TEST(ip6_ext_chain)
{
	struct vf_pkt p;
	struct vf_layout l;
	uint8_t f[VF_FRAME_MAX];

	make(V6_UDP_HBH_FRAG, &p);
	vf_pkt__build(&p, f, sizeof(f), &l);
	ck_assert_uint_eq(f[14 + 6], 0);       /* fixed header -> HBH */
	ck_assert_uint_eq(f[54], 44);          /* HBH -> fragment */
	ck_assert_uint_eq(f[55], 1);           /* HBH length: 16 bytes */
	ck_assert_uint_eq(f[70], 17);          /* fragment -> UDP */
	ck_assert_uint_eq(be16(f + 72), 1);    /* offset 0, M */
	ck_assert_uint_eq(l.l4_off, 78);
}
END_TEST

START_TEST(ip4_frag_and_ttl)
{
	struct vf_pkt p;
	uint8_t f[VF_FRAME_MAX];

	vf_pkt__init(&p, 4, VF_L4_UDP);
	p.frag = 0x2000 | 185;
	p.ttl = 1;
	p.tos = 0xb8;
	vf_pkt__build(&p, f, sizeof(f), NULL);
	ck_assert_uint_eq(be16(f + 20), 0x2000 | 185);
	ck_assert_uint_eq(f[22], 1);
	ck_assert_uint_eq(f[15], 0xb8);
}
END_TEST

START_TEST(truncation_exact)
{
	struct vf_pkt p;
	struct vf_layout l;
	uint8_t full[VF_FRAME_MAX], f[VF_FRAME_MAX];
	int n;

	make(cases[_i].s, &p);
	n = vf_pkt__build(&p, full, sizeof(full), &l);
	for (int t = 1; t < n; t++) {
		struct vf_layout lt;

		p.trunc = (uint32_t)t;
		ck_assert_int_eq(vf_pkt__build(&p, f, sizeof(f), &lt), t);
		ck_assert_uint_eq(lt.len, (uint32_t)t);
		ck_assert_uint_eq(lt.full_len, (uint32_t)n);
		ck_assert_mem_eq(f, full, (size_t)t);
	}
	p.trunc = (uint32_t)n + 5; /* past the end: whole frame */
	ck_assert_int_eq(vf_pkt__build(&p, f, sizeof(f), NULL), n);
}
END_TEST

START_TEST(too_big)
{
	struct vf_pkt p;
	uint8_t f[64];

	vf_pkt__init(&p, 4, VF_L4_TCP);
	ck_assert_int_eq(vf_pkt__build(&p, f, 20, NULL), -ENOSPC);
	p.payload_len = 2000;
	ck_assert_int_eq(vf_pkt__build(&p, f, sizeof(f), NULL), -ENOSPC);
}
END_TEST

START_TEST(describe)
{
	struct vf_pkt p;
	uint8_t f[VF_FRAME_MAX];
	char d[160];
	int n;

	make(V4_UDP_VLAN, &p);
	n = vf_pkt__build(&p, f, sizeof(f), NULL);
	vf_frame__describe(f, (size_t)n, d, sizeof(d));
	ck_assert_str_eq(d, "vlan 100 ip4 192.0.2.1 > 198.51.100.2 ttl 64 "
			    "tos 0x00 udp 1234 > 53 len 57");
	vf_frame__describe(f, 10, d, sizeof(d));
	ck_assert_str_eq(d, "runt (10 bytes)");
}
END_TEST

/* Which frames each assumption excludes. */
static const struct {
	const char *what;
	int ver;
	uint8_t ihl, n_exts, ext;
	uint32_t trunc;
	uint16_t frag;
	unsigned int assume;
	bool breaks;
} assume_cases[] = {
	{ "plain v4, none", 4, 0, 0, 0, 0, 0, 0, false },
	{ "plain v4, both", 4, 0, 0, 0, 0, 0, 3, false },
	{ "v4 options, no-ip-options", 4, 6, 0, 0, 0, 0, 1, true },
	{ "v4 options, well-formed", 4, 6, 0, 0, 0, 0, 2, false },
	{ "v4 options, none", 4, 6, 0, 0, 0, 0, 0, false },
	{ "v6 hbh, no-ip-options", 6, 0, 1, 0, 0, 0, 1, true },
	{ "v6 frag, no-ip-options", 6, 0, 1, 44, 0, 0, 1, true },
	{ "v6 hbh, well-formed", 6, 0, 1, 0, 0, 0, 2, false },
	{ "v4 cut in l4, well-formed", 4, 0, 0, 0, 40, 0, 2, true },
	{ "v4 cut in l4, no-ip-options", 4, 0, 0, 0, 40, 0, 1, false },
	{ "v4 cut in payload, well-formed", 4, 0, 0, 0, 60, 0, 2, true },
	{ "v4 cut in l3, well-formed", 4, 0, 0, 0, 20, 0, 2, true },
	{ "runt, well-formed", 4, 0, 0, 0, 10, 0, 2, true },
	{ "v4 middle fragment, well-formed", 4, 0, 0, 0, 0, 185, 2, false },
	{ "v6 cut in l4, well-formed", 6, 0, 0, 0, 60, 0, 2, true },
	{ "v6 whole, well-formed", 6, 0, 0, 0, 0, 0, 2, false },
};

START_TEST(assumptions)
{
	struct vf_pkt p;
	uint8_t f[VF_FRAME_MAX];
	int n;

	vf_pkt__init(&p, assume_cases[_i].ver, VF_L4_TCP);
	p.ihl = assume_cases[_i].ihl;
	p.n_exts = assume_cases[_i].n_exts;
	p.exts[0] = (struct vf_ip6_ext){ .type = assume_cases[_i].ext };
	p.trunc = assume_cases[_i].trunc;
	p.frag = assume_cases[_i].frag;
	n = vf_pkt__build(&p, f, sizeof(f), NULL);
	ck_assert_msg(vf_frame__breaks(f, (size_t)n, assume_cases[_i].assume) ==
		      assume_cases[_i].breaks, "%s", assume_cases[_i].what);
}
END_TEST

Suite *vf_pkt_suite(void)
{
	Suite *s = suite_create("vf_pkt");
	TCase *tc = tcase_create("build");
	size_t n = sizeof(cases) / sizeof(cases[0]);

	tcase_add_loop_test(tc, layout_and_csums, 0, (int)n);
	tcase_add_loop_test(tc, truncation_exact, 0, (int)n);
	tcase_add_test(tc, ip6_ext_chain);
	tcase_add_test(tc, ip4_frag_and_ttl);
	tcase_add_test(tc, too_big);
	tcase_add_test(tc, describe);
	tcase_add_loop_test(tc, assumptions, 0,
			    sizeof(assume_cases) / sizeof(assume_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}
