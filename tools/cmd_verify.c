// SPDX-License-Identifier: Apache-2.0
/* cmd_verify.c - flowlift verify: not implemented yet (issue 5). */
#include <stdio.h>

#include "tools/cmds.h"

int do_verify(int argc, char **argv, struct fl_ctx *ctx)
{
	if (fl_wants_help(argc, argv)) {
		printf("flowlift verify: not implemented yet\n");
		return FL_EXIT_OK;
	}
	fl_error(ctx, "verify", "not implemented yet");
	return FL_EXIT_USAGE;
}
