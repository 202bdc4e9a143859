// SPDX-License-Identifier: Apache-2.0
/* cmd_explain.c - flowlift explain: not implemented yet (issue 8). */
#include <stdio.h>

#include "tools/cmds.h"

int do_explain(int argc, char **argv, struct fl_ctx *ctx)
{
	if (fl_wants_help(argc, argv)) {
		printf("flowlift explain: not implemented yet\n");
		return FL_EXIT_OK;
	}
	fl_error(ctx, "explain", "not implemented yet");
	return FL_EXIT_USAGE;
}
