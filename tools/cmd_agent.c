// SPDX-License-Identifier: Apache-2.0
/* cmd_agent.c - flowlift agent: not implemented yet (issue 7). */
#include <stdio.h>

#include "tools/cmds.h"

int do_agent(int argc, char **argv, struct fl_ctx *ctx)
{
	if (fl_wants_help(argc, argv)) {
		printf("flowlift agent: not implemented yet\n");
		return FL_EXIT_OK;
	}
	fl_error(ctx, "agent", "not implemented yet");
	return FL_EXIT_USAGE;
}
