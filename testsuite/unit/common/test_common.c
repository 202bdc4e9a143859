// SPDX-License-Identifier: Apache-2.0
/* test_common.c - SHA-1, hex, JSON reader/writer, atomic output files. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "testsuite/fl_check.h"

static const struct {
	const char *in;
	size_t repeat;
	const char *hex;
} sha1_cases[] = {
	{ "", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
	{ "abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	{ "a", 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
};

START_TEST(test_sha1)
{
	struct fl_sha1 s;
	uint8_t out[20];
	char hex[41];

	fl_sha1__init(&s);
	for (size_t i = 0; i < sha1_cases[_i].repeat; i++)
		fl_sha1__update(&s, sha1_cases[_i].in,
				strlen(sha1_cases[_i].in));
	fl_sha1__final(&s, out);
	fl_hex(out, 20, hex);
	ck_assert_str_eq(hex, sha1_cases[_i].hex);
}
END_TEST

static const struct {
	const char *in;
	size_t n;
	int ret;
	uint8_t out[4];
} unhex_cases[] = {
	{ "0a0b", 2, 0, { 0x0a, 0x0b } },
	{ "0x0a 0x0B", 2, 0, { 0x0a, 0x0b } },
	{ "0a0", 2, -22, { 0 } },
	{ "0a0b0c", 2, -22, { 0 } },
	{ "zz", 1, -22, { 0 } },
};

START_TEST(test_unhex)
{
	uint8_t out[4] = { 0 };
	int ret = fl_unhex(unhex_cases[_i].in, out, unhex_cases[_i].n);

	ck_assert_int_eq(ret, unhex_cases[_i].ret);
	if (!ret)
		ck_assert_mem_eq(out, unhex_cases[_i].out, unhex_cases[_i].n);
}
END_TEST

static const struct {
	const char *in;
	const char *err; /* NULL: must parse */
} json_cases[] = {
	{ "[{\"key\":[\"0x0a\",\"0x00\"],\"value\":[\"0x01\"]}]", NULL },
	{ "{\"a\": \"\\u00e9\\n\", \"b\": -1.5e3, \"c\": [true,false,null]}",
	  NULL },
	{ "  [ ]  ", NULL },
	{ "[1,]", "1:4: unexpected character" },
	{ "{\"a\" 1}", "1:6: expected ':'" },
	{ "[\n\"x\" \"y\"]", "2:5: expected ',' or ']'" },
	{ "\"abc", "1:1: unterminated string" },
	{ "[1] x", "1:5: trailing characters after the JSON value" },
	{ "", "1:1: unexpected end of input" },
	{ "{\"a\":1", "1:7: expected ',' or '}'" },
	{ "[1.2.3]", "1:2: malformed number" },
};

START_TEST(test_json_parse)
{
	char err[128] = "";
	const char *in = json_cases[_i].in;
	struct fl_jval *v = fl_json_parse(in, strlen(in), err, sizeof(err));

	if (!json_cases[_i].err) {
		ck_assert_msg(v, "parse failed: %s", err);
	} else {
		ck_assert_ptr_null(v);
		ck_assert_str_eq(err, json_cases[_i].err);
	}
	fl_jval__free(v);
}
END_TEST

/* An empty element of the streaming reader arrives without a buffer
 * (fuzz_dump found the NULL + 0 it used to compute). */
START_TEST(test_json_null_text)
{
	char err[128] = "";

	ck_assert_ptr_null(fl_json_parse_at(NULL, 0, 7, err, sizeof(err)));
	ck_assert_str_eq(err, "7:1: unexpected end of input");
}
END_TEST

START_TEST(test_json_deep)
{
	char err[128];
	size_t n = 100000;
	char *s = malloc(2 * n + 1);

	memset(s, '[', n);
	memset(s + n, ']', n);
	s[2 * n] = '\0';
	ck_assert_ptr_null(fl_json_parse(s, 2 * n, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "nesting too deep"));
	free(s);
}
END_TEST

START_TEST(test_json_roundtrip)
{
	char *buf = NULL, err[128];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fl_json *j = fl_json__new(f, _i);
	struct fl_jval *v;

	fl_json__obj_begin(j);
	fl_json__kstr(j, "name", "a \"q\"\n\x01");
	fl_json__ku64(j, "n", 18446744073709551615ull);
	fl_json__key(j, "list");
	fl_json__arr_begin(j);
	fl_json__i64(j, -3);
	fl_json__bool(j, true);
	fl_json__null(j);
	fl_json__arr_begin(j);
	fl_json__arr_end(j);
	fl_json__arr_end(j);
	fl_json__obj_end(j);
	fl_json__free(j);
	fclose(f);
	v = fl_json_parse(buf, len, err, sizeof(err));
	ck_assert_msg(v, "%s: %s", buf, err);
	ck_assert_str_eq(fl_jval__get(v, "name")->str, "a \"q\"\n\x01");
	ck_assert_str_eq(fl_jval__get(v, "n")->num_text,
			 "18446744073709551615");
	ck_assert_uint_eq(fl_jval__get(v, "list")->n, 4);
	ck_assert_int_eq(fl_jval__get(v, "list")->items[3].type, FL_JARR);
	fl_jval__free(v);
	free(buf);
}
END_TEST

START_TEST(test_outfile)
{
	char dir[] = "/tmp/fl-outXXXXXX", path[64];
	struct fl_outfile o;
	size_t len;
	char *got;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out", dir);
	/* Aborted: nothing is left behind. */
	ck_assert_int_eq(fl_open_outfile(&o, path), 0);
	fputs("partial", o.f);
	fl_abort_outfile(&o);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* Committed: the file appears whole. */
	ck_assert_int_eq(fl_open_outfile(&o, path), 0);
	fputs("whole\n", o.f);
	ck_assert_int_eq(fl_commit_outfile(&o), 0);
	got = fl_read_file(path, &len);
	ck_assert_str_eq(got, "whole\n");
	free(got);
	unlink(path);
	ck_assert_int_eq(rmdir(dir), 0);
	/* Unwritable directory: an error, no crash. */
	ck_assert_int_lt(fl_open_outfile(&o, "/nonexistent/dir/x"), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("common");
	TCase *tc = tcase_create("all");

	tcase_add_loop_test(tc, test_sha1, 0, FL_ARRAY_SIZE(sha1_cases));
	tcase_add_loop_test(tc, test_unhex, 0, FL_ARRAY_SIZE(unhex_cases));
	tcase_add_loop_test(tc, test_json_parse, 0, FL_ARRAY_SIZE(json_cases));
	tcase_add_test(tc, test_json_deep);
	tcase_add_test(tc, test_json_null_text);
	tcase_add_loop_test(tc, test_json_roundtrip, 0, 2);
	tcase_add_test(tc, test_outfile);
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
