// SPDX-License-Identifier: Apache-2.0
/* test_verify.c - runs the verify module's suites. */
#include <stdlib.h>

#include "test_verify.h"
#include "testsuite/fl_check.h"

int main(void)
{
	SRunner *sr = srunner_create(vf_pkt_suite());
	int failed;

	srunner_add_suite(sr, vf_pcap_suite());
	srunner_add_suite(sr, vf_verdict_suite());
	srunner_add_suite(sr, vf_gen_suite());
	failed = fl_check_runner(sr) != EXIT_SUCCESS;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
