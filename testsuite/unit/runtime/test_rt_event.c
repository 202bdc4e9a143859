// SPDX-License-Identifier: Apache-2.0
/* test_rt_event.c - validating ring buffer records. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "rt_test.h"
#include "testsuite/fl_check.h"

enum mutation {
	M_NONE,
	M_V6,
	M_VLAN,
	M_REDIRECT,
	M_TRUNCATED,  /* the record is shorter than the event */
	M_TINY,       /* not even version + size */
	M_VERSION,    /* an unknown layout version */
	M_SIZE,       /* the size field disagrees */
	M_VERDICT0,   /* slowpath is never reported */
	M_VERDICT_BIG,
	M_REDIRECT_NO_IF,
	M_IF_NO_REDIRECT,
	M_HOOK,
	M_FAMILY,
	M_V4_HIGH_BYTES, /* garbage past the IPv4 address */
	M_VLAN_NO_FLAG,
	M_VLAN_BIG,
	M_FLAGS,
	M_LONGER,     /* a longer record is fine: version says the layout */
};

static const struct {
	enum mutation m;
	int want;
} cases[] = {
	{ M_NONE, 0 },           { M_V6, 0 },
	{ M_VLAN, 0 },           { M_REDIRECT, 0 },
	{ M_TRUNCATED, -EINVAL }, { M_TINY, -EINVAL },
	{ M_VERSION, -EPROTO },  { M_SIZE, -EINVAL },
	{ M_VERDICT0, -EINVAL }, { M_VERDICT_BIG, -EINVAL },
	{ M_REDIRECT_NO_IF, -EINVAL }, { M_IF_NO_REDIRECT, -EINVAL },
	{ M_HOOK, -EINVAL },     { M_FAMILY, -EINVAL },
	{ M_V4_HIGH_BYTES, -EINVAL }, { M_VLAN_NO_FLAG, -EINVAL },
	{ M_VLAN_BIG, -EINVAL }, { M_FLAGS, -EINVAL },
	{ M_LONGER, 0 },
};

START_TEST(parse)
{
	uint8_t buf[sizeof(struct flowlift_event) + 8] = { 0 };
	struct flowlift_event ev, out;
	size_t len = sizeof(ev);

	rt_test_event(&ev, 42, FLOWLIFT_DROP);
	switch (cases[_i].m) {
	case M_V6:
		rt_test_key(&ev.key, 43, true);
		break;
	case M_VLAN:
		ev.key.flags = FLOWLIFT_KEY_VLAN;
		ev.key.vlan_id = 4095;
		break;
	case M_REDIRECT:
		ev.verdict = FLOWLIFT_REDIRECT;
		ev.redirect_ifindex = 3;
		ev.flags = FLOWLIFT_REDIRECT_INGRESS;
		break;
	case M_TRUNCATED:
		len = sizeof(ev) - 1;
		break;
	case M_TINY:
		len = 3;
		break;
	case M_VERSION:
		ev.version = 2;
		break;
	case M_SIZE:
		ev.size = sizeof(ev) - 8;
		break;
	case M_VERDICT0:
		ev.verdict = 0;
		break;
	case M_VERDICT_BIG:
		ev.verdict = FLOWLIFT_VERDICT__COUNT;
		break;
	case M_REDIRECT_NO_IF:
		ev.verdict = FLOWLIFT_REDIRECT;
		break;
	case M_IF_NO_REDIRECT:
		ev.redirect_ifindex = 3;
		break;
	case M_HOOK:
		ev.key.hook = FLOWLIFT_HOOK__COUNT;
		break;
	case M_FAMILY:
		ev.key.family = 5;
		break;
	case M_V4_HIGH_BYTES:
		ev.key.dst[9] = 1;
		break;
	case M_VLAN_NO_FLAG:
		ev.key.vlan_id = 5;
		break;
	case M_VLAN_BIG:
		ev.key.flags = FLOWLIFT_KEY_VLAN;
		ev.key.vlan_id = 4096;
		break;
	case M_FLAGS:
		ev.flags = 0x80;
		break;
	case M_LONGER:
		len = sizeof(buf);
		break;
	case M_NONE:
		break;
	}
	memcpy(buf, &ev, sizeof(ev));
	memset(&out, 0xa5, sizeof(out));
	ck_assert_int_eq(rt_event__parse(buf, len, &out), cases[_i].want);
	if (!cases[_i].want)
		ck_assert_mem_eq(&out, &ev, sizeof(ev));
}
END_TEST

START_TEST(print_key)
{
	struct flowlift_flow_key k;
	char buf[128];

	rt_test_key(&k, 2, false);
	ck_assert_int_gt(rt_key__snprint(&k, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "proto 6 10.0.0.1:1026 -> 192.168.0.1:80 "
			      "dev 7 tc-ingress");
	rt_test_key(&k, 3, true);
	k.flags = FLOWLIFT_KEY_VLAN;
	k.vlan_id = 12;
	ck_assert_int_gt(rt_key__snprint(&k, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "proto 6 [fd00::300:0]:1027 -> [fd00::1]:80 "
			      "dev 7 tc-ingress vlan 12");
	ck_assert_int_eq(rt_key__snprint(&k, buf, 8), -ENOSPC);
	ck_assert_str_eq(rt_verdict__name(FLOWLIFT_TX), "tx");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rt_event");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, parse, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, print_key);
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
