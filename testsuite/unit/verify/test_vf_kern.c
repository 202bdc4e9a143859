// SPDX-License-Identifier: Apache-2.0
/*
 * test_vf_kern.c - vf_kern__restore_maps puts a map the program writes
 * back to its loaded contents, however many keys the program added: the
 * golden 'stateful' program counts packets per IPv4 source in a hash map
 * and drops a source's 101st packet. After a restore the count starts
 * again. Needs root (BPF_PROG_LOAD, BPF_PROG_TEST_RUN): exits 77 without.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testsuite/fl_check.h"
#include "verify/verify.h"

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

struct kern {
	struct lift_object *lo;
	struct vf_kern *k;
};

static void kern_open(struct kern *t)
{
	const char *build = getenv("FLOWLIFT_BUILD");
	char path[1024], err[512] = "";

	snprintf(path, sizeof(path), "%s/testsuite/golden/"
		 "golden_stateful.bpf.o", build ? build : ".");
	t->lo = lift_object__open(path, err, sizeof(err));
	ck_assert_msg(t->lo != NULL, "%s", err);
	t->k = vf_kern__open(path, t->lo, NULL, err, sizeof(err));
	ck_assert_msg(t->k != NULL, "%s", err);
}

static void kern_close(struct kern *t)
{
	vf_kern__free(t->k);
	lift_object__free(t->lo);
}

/* TCP over IPv4 from 10.0.src>>8.src, the program's verdict. */
static int64_t run_from(struct kern *t, uint32_t src)
{
	struct vf_kern_result res;
	uint8_t buf[VF_FRAME_MAX];
	struct vf_pkt p;
	int len;

	vf_pkt__init(&p, 4, VF_L4_TCP);
	p.saddr4[0] = 10;
	p.saddr4[1] = 0;
	p.saddr4[2] = (uint8_t)(src >> 8);
	p.saddr4[3] = (uint8_t)src;
	len = vf_pkt__build(&p, buf, sizeof(buf), NULL);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(vf_kern__run(t->k, buf, (size_t)len, 0, &res), 0);
	ck_assert_int_eq(res.err, 0);
	return res.retval;
}

/* How many sources the program has counted before the restore: the
 * restore must forget all of them, whatever their number. */
static const unsigned int sources[] = { 0, 1, 700, 1000 };

START_TEST(test_restore_forgets_state)
{
	struct kern t;
	char err[512] = "";

	kern_open(&t);
	/* source 0: 100 packets pass, the 101st is dropped */
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(run_from(&t, 0), TC_ACT_OK);
	ck_assert_int_eq(run_from(&t, 0), TC_ACT_SHOT);
	for (unsigned int s = 1; s <= sources[_i]; s++)
		ck_assert_int_eq(run_from(&t, s), TC_ACT_OK);
	ck_assert_int_eq(vf_kern__restore_maps(t.k, err, sizeof(err)), 0);
	/* counted from zero again */
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(run_from(&t, 0), TC_ACT_OK);
	ck_assert_int_eq(run_from(&t, 0), TC_ACT_SHOT);
	kern_close(&t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vf_kern");
	TCase *tc = tcase_create("restore");

	tcase_add_loop_test(tc, test_restore_forgets_state, 0,
			    sizeof(sources) / sizeof(sources[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "skip: BPF_PROG_TEST_RUN needs root\n");
		return 77;
	}
	return fl_check_run(suite());
}
