/* SPDX-License-Identifier: Apache-2.0 */
/* test_verify.h - the Check suites of the verify module. */
#ifndef FLOWLIFT_TEST_VERIFY_H
#define FLOWLIFT_TEST_VERIFY_H

#include <check.h>

Suite *vf_pkt_suite(void);
Suite *vf_pcap_suite(void);
Suite *vf_verdict_suite(void);
Suite *vf_gen_suite(void);

#endif
