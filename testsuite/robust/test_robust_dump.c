// SPDX-License-Identifier: Apache-2.0
/*
 * test_robust_dump.c - hostile map dumps: ten million entries (streamed:
 * peak memory is the contents, not a DOM of the file), ten million
 * entries for a map of 1024 (refused at the first one too many), dumps of
 * another map (sizes differ), truncated and oversized documents. Dumps
 * come from a child writing into a pipe, so no gigabyte file is written.
 *
 * FL_ROBUST_DUMP_ENTRIES overrides the ten million (for quick runs).
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compiler/compiler.h"
#include "testsuite/fl_check.h"

static struct lift_object *obj;
static char err[1024];

static void setup(void)
{
	obj = lift_object__open(ROBUST_OBJ_DIR "/robust_maps.bpf.o", err,
				sizeof(err));
	ck_assert_msg(obj, "%s", err);
	err[0] = 0;
}

static void teardown(void)
{
	lift_object__free(obj);
}

static size_t entries(void)
{
	const char *s = getenv("FL_ROBUST_DUMP_ENTRIES");

	return s ? strtoul(s, NULL, 0) : 10000000;
}

/* Peak resident set of this process, bytes. */
static size_t peak_rss(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (size_t)ru.ru_maxrss * 1024;
}

enum gen_kind {
	GEN_U32,       /* n entries, 4-byte keys and values, as bpftool */
	GEN_WIDE,      /* n entries of 'wide': 4-byte keys, 8-byte values */
	GEN_LONG_KEY,  /* 8-byte keys */
	GEN_TRUNCATED, /* n entries, then the file stops mid-entry */
	GEN_HUGE_ELEM, /* one entry padded with 65 MB of spaces */
};

static void gen(FILE *f, enum gen_kind kind, size_t n)
{
	fputs("[", f);
	for (size_t i = 0; i < n; i++) {
		uint32_t k = (uint32_t)i;

		fprintf(f, "%s{\n        \"key\": [\"0x%02x\",\"0x%02x\","
			"\"0x%02x\",\"0x%02x\"", i ? ",\n" : "", k & 0xff,
			k >> 8 & 0xff, k >> 16 & 0xff, k >> 24);
		if (kind == GEN_LONG_KEY)
			fputs(",\"0x00\",\"0x00\",\"0x00\",\"0x00\"", f);
		fprintf(f, "],\n        \"value\": [\"0x%02x\",\"0x00\","
			"\"0x00\",\"0x01\"", k & 0xff);
		if (kind == GEN_WIDE)
			fputs(",\"0x00\",\"0x00\",\"0x00\",\"0x00\"", f);
		fputs("]\n    }", f);
	}
	if (kind == GEN_TRUNCATED) {
		fputs(",{\"key\": [\"0x01\",", f);
		return;
	}
	if (kind == GEN_HUGE_ELEM) {
		fputs("{\"key\": [\"0x01\",\"0x00\",\"0x00\",\"0x00\"],", f);
		for (size_t i = 0; i < (65u << 20) / 64; i++)
			fputs("                                "
			      "                                ", f);
		fputs("\"value\": [\"0x01\",\"0x00\",\"0x00\",\"0x00\"]}", f);
	}
	fputs("]\n", f);
}

/* A child writes the dump into a pipe; *path names the read end. */
static pid_t spawn(enum gen_kind kind, size_t n, char *path, size_t size,
		   int *rfd)
{
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		FILE *f;

		close(p[0]);
		signal(SIGPIPE, SIG_DFL); /* a reader that stops kills us */
		f = fdopen(p[1], "w");
		gen(f, kind, n);
		fclose(f);
		_exit(0);
	}
	close(p[1]);
	*rfd = p[0];
	snprintf(path, size, "/proc/self/fd/%d", p[0]);
	return pid;
}

static int load(const char *map, enum gen_kind kind, size_t n)
{
	char path[64];
	pid_t pid;
	int fd, ret, st;

	pid = spawn(kind, n, path, sizeof(path), &fd);
	ret = lift_object__load_dump(obj, map, path, err, sizeof(err));
	close(fd);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return ret;
}

START_TEST(ten_million_entries)
{
	size_t n = entries(), before = peak_rss(), after, per;
	struct lift_map *m = lift_object__find_map(obj, "big");
	uint8_t key[4] = { 0x40, 0x42, 0x0f, 0 }; /* 1000000 */
	const uint8_t *v;

	ck_assert_int_eq(load("big", GEN_U32, n), 0);
	after = peak_rss();
	ck_assert_uint_eq(m->n_ents, n);
	ck_assert_int_eq(m->src, LIFT_SRC_DUMP);
	if (n > 1000000) {
		v = lift_map__lookup(m, key);
		ck_assert_ptr_nonnull(v);
		ck_assert_uint_eq(v[0], 0x40);
		ck_assert_uint_eq(v[3], 1);
	}
	per = (after - before) / (n ? n : 1);
	fprintf(stderr, "ten_million_entries: %zu entries, peak RSS %zu MB "
		"(+%zu MB, %zu bytes/entry)\n", n, after >> 20,
		(after - before) >> 20, per);
	/* The contents themselves: an entry, a key and a value allocation
	 * and the sort's scratch, about 100 bytes (more with ASan's
	 * redzones). A DOM of the file needed over 1 KB per entry. */
	ck_assert_msg(per < 400, "%zu bytes per entry", per);
}
END_TEST

START_TEST(more_than_max_entries)
{
	struct lift_map *m = lift_object__find_map(obj, "small");
	size_t before = peak_rss();

	ck_assert_int_eq(load("small", GEN_U32, entries()), -E2BIG);
	ck_assert_msg(strstr(err, "map 'small': more than max_entries (1024)"
			     " entries"), "%s", err);
	/* line of the entry one too many: 4 lines per entry */
	ck_assert_msg(strstr(err, ":4097: "), "%s", err);
	ck_assert_int_eq(m->src, LIFT_SRC_NONE);
	ck_assert_uint_eq(m->n_ents, 0);
	/* stopped at the 1025th entry, not after reading the whole dump */
	ck_assert_uint_lt(peak_rss() - before, 64u << 20);
}
END_TEST

static const struct {
	const char *map;
	enum gen_kind kind;
	int ret;
	const char *msg;
} bad_dumps[] = {
	{ "small", GEN_WIDE, -EINVAL, "map 'small': entry 0: value is 8 "
	  "bytes, map value_size is 4" },
	{ "wide", GEN_U32, -EINVAL, "map 'wide': entry 0: value is 4 bytes, "
	  "map value_size is 8" },
	{ "small", GEN_LONG_KEY, -EINVAL, "map 'small': entry 0: key is 8 "
	  "bytes, map key_size is 4" },
	{ "small", GEN_TRUNCATED, -EINVAL, "unterminated array" },
	{ "small", GEN_HUGE_ELEM, -E2BIG, "element larger than the "
	  "streaming limit" },
	{ "nosuchmap", GEN_U32, -ENOENT, "no map 'nosuchmap'" },
};

START_TEST(bad_dump)
{
	struct lift_map *m = lift_object__find_map(obj, "small");

	ck_assert_int_eq(load("small", GEN_U32, 3), 0);
	ck_assert_uint_eq(m->n_ents, 3);
	ck_assert_int_eq(load(bad_dumps[_i].map, bad_dumps[_i].kind, 10),
			 bad_dumps[_i].ret);
	ck_assert_msg(strstr(err, bad_dumps[_i].msg), "%s", err);
	ck_assert_ptr_null(strchr(err, '\n'));
	/* the map keeps what it had */
	ck_assert_uint_eq(m->n_ents, 3);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("robust_dump");
	TCase *tc = tcase_create("dump");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, ten_million_entries);
	tcase_add_test(tc, more_than_max_entries);
	tcase_add_loop_test(tc, bad_dump, 0, sizeof(bad_dumps) /
					     sizeof(bad_dumps[0]));
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
