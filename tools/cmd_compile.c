// SPDX-License-Identifier: Apache-2.0
/* cmd_compile.c - flowlift compile: not implemented yet (issue 4). */
#include <stdio.h>

#include "tools/cmds.h"

int do_compile(int argc, char **argv, struct fl_ctx *ctx)
{
	if (fl_wants_help(argc, argv)) {
		printf("flowlift compile: not implemented yet\n");
		return FL_EXIT_OK;
	}
	fl_error(ctx, "compile", "not implemented yet");
	return FL_EXIT_USAGE;
}
