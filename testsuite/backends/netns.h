/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netns.h - helpers for the backend tool tests: run as root in a private
 * network namespace with veth devices, or skip (exit 77) with a reason.
 */
#ifndef FLOWLIFT_TEST_NETNS_H
#define FLOWLIFT_TEST_NETNS_H

#include <stdbool.h>
#include <stdio.h>

/* Exit 77 with a reason unless root with the given tools on PATH. */
void tn_require(const char *const *tools);
/* Enter a new network namespace (this process) and run the shell setup
 * commands there; exit 77 if namespaces are not available. */
void tn_unshare(const char *setup);
/* Run a shell command, capture its stdout+stderr into *out (malloc'd);
 * returns the exit status. */
int tn_run(const char *cmd, char **out);
/* Write text to a new temporary file; returns its path (static buffer
 * per call index 0..3). */
const char *tn_tmpfile(const char *text, int slot);

#endif
