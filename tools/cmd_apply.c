// SPDX-License-Identifier: Apache-2.0
/* cmd_apply.c - flowlift apply: not implemented yet (issue 11). */
#include <stdio.h>

#include "tools/cmds.h"

int do_apply(int argc, char **argv, struct fl_ctx *ctx)
{
	if (fl_wants_help(argc, argv)) {
		printf("flowlift apply: not implemented yet\n");
		return FL_EXIT_OK;
	}
	fl_error(ctx, "apply", "not implemented yet");
	return FL_EXIT_USAGE;
}
