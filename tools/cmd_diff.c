// SPDX-License-Identifier: Apache-2.0
/* cmd_diff.c - flowlift diff: not implemented yet (issue 8). */
#include <stdio.h>

#include "tools/cmds.h"

int do_diff(int argc, char **argv, struct fl_ctx *ctx)
{
	if (fl_wants_help(argc, argv)) {
		printf("flowlift diff: not implemented yet\n");
		return FL_EXIT_OK;
	}
	fl_error(ctx, "diff", "not implemented yet");
	return FL_EXIT_USAGE;
}
