// SPDX-License-Identifier: Apache-2.0
/* test_vf_pcap.c - the classic pcap reader. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_verify.h"
#include "verify/verify.h"

static char path[64];

static void setup(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/vf_pcap_XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void teardown(void)
{
	unlink(path);
}

static void write_bytes(const void *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b, 1, n, f), n);
	fclose(f);
}

START_TEST(round_trip)
{
	struct vf_frames in = { 0 }, out = { 0 };
	struct vf_pkt p;
	char err[256] = "";
	FILE *f;

	for (int i = 0; i < 5; i++) {
		vf_pkt__init(&p, i & 1 ? 6 : 4, VF_L4_UDP);
		p.dport = (uint16_t)(1000 + i);
		p.trunc = i == 4 ? 20 : 0;
		ck_assert_int_eq(vf_frames__add_spec(&in, &p, "t"), 0);
	}
	f = fopen(path, "wb");
	ck_assert_int_eq(vf_pcap__write(f, &in), 0);
	fclose(f);
	ck_assert_int_eq(vf_pcap__read(path, &out, err, sizeof(err)), 0);
	ck_assert_uint_eq(out.n, in.n);
	for (size_t i = 0; i < in.n; i++) {
		ck_assert_uint_eq(out.v[i].len, in.v[i].len);
		ck_assert_mem_eq(out.v[i].data, in.v[i].data, in.v[i].len);
		ck_assert(!out.v[i].has_spec);
	}
	vf_frames__fini(&in);
	vf_frames__fini(&out);
}
END_TEST

/* A big-endian, nanosecond file with one 14-byte frame, snapped from 60. */
START_TEST(big_endian_ns)
{
	static const uint8_t file[] = {
		0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 14, 0, 0, 0, 1,
		0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 14, 0, 0, 0, 60,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00,
	};
	struct vf_frames fs = { 0 };
	char err[256] = "";

	write_bytes(file, sizeof(file));
	ck_assert_int_eq(vf_pcap__read(path, &fs, err, sizeof(err)), 0);
	ck_assert_uint_eq(fs.n, 1);
	ck_assert_uint_eq(fs.v[0].len, 14);
	ck_assert_uint_eq(fs.v[0].data[12], 0x08);
	ck_assert_str_eq(fs.v[0].kind, "pcap (snapped)");
	vf_frames__fini(&fs);
}
END_TEST

static const struct {
	uint8_t bytes[48];
	size_t len;
	int err;
	const char *says;
} bad[] = {
	{ { 0xd4, 0xc3, 0xb2, 0xa1 }, 4, -EINVAL, "too short" },
	{ { 0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a,
	    1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 24,
	  -EOPNOTSUPP, "pcapng" },
	{ { 1, 2, 3, 4 }, 24, -EINVAL, "not a pcap file" },
	{ { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff, 0, 0, 113, 0, 0, 0 }, 24, -EOPNOTSUPP,
	  "link type 113" },
	{ { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0 }, 30, -EINVAL,
	  "truncated record header" },
	{ { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
	    20, 0, 0, 0, 20, 0, 0, 0, 1, 2, 3 }, 43, -EINVAL,
	  "truncated packet data" },
};

START_TEST(rejects)
{
	struct vf_frames fs = { 0 };
	char err[256] = "";

	write_bytes(bad[_i].bytes, bad[_i].len);
	ck_assert_int_eq(vf_pcap__read(path, &fs, err, sizeof(err)),
			 bad[_i].err);
	ck_assert_msg(strstr(err, bad[_i].says), "message '%s'", err);
	ck_assert_msg(strstr(err, path), "message names the file: '%s'", err);
	vf_frames__fini(&fs);
}
END_TEST

START_TEST(missing_file)
{
	struct vf_frames fs = { 0 };
	char err[256] = "";

	ck_assert_int_eq(vf_pcap__read("/nonexistent/x.pcap", &fs, err,
				       sizeof(err)), -ENOENT);
	ck_assert(strstr(err, "/nonexistent/x.pcap"));
}
END_TEST

Suite *vf_pcap_suite(void)
{
	Suite *s = suite_create("vf_pcap");
	TCase *tc = tcase_create("read");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, big_endian_ns);
	tcase_add_loop_test(tc, rejects, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, missing_file);
	suite_add_tcase(s, tc);
	return s;
}
