/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fl_check.h - the end that every Check suite's main() shares: run the
 * suite, free the runner, turn the failures into the exit status.
 */
#ifndef FL_CHECK_H
#define FL_CHECK_H

#include <check.h>
#include <stdlib.h>

/* Run the suites of sr, then free it; main()'s exit status. */
static inline int fl_check_runner(SRunner *sr)
{
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Run s (the runner takes it over); main()'s exit status. */
static inline int fl_check_run(Suite *s)
{
	return fl_check_runner(srunner_create(s));
}

#endif
