// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz_ir_text.c - the IR text parser. Property: whatever it accepts
 * prints as text that parses back to the same print (print -> parse ->
 * print is the identity), and the printed form passes the consistency
 * check when the parsed one did.
 */
#include <string.h>

#include "fuzz/fuzz.h"
#include "ir/ir.h"

static char *print(const struct ir_ruleset *rs, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	FUZZ_ASSERT(!ir_ruleset__print(rs, f), "print failed");
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size);
	struct ir_ruleset *rs, *rs2;
	char err[512] = "", err2[512] = "";
	char *p1, *p2;
	size_t n1, n2;
	bool ok;

	rs = ir_ruleset__parse_str(text, err, sizeof(err));
	free(text);
	if (!rs) {
		FUZZ_ASSERT(err[0], "rejected without a message");
		return 0;
	}
	ok = !ir_ruleset__check(rs, err, sizeof(err));
	p1 = print(rs, &n1);
	rs2 = ir_ruleset__parse_str(p1, err2, sizeof(err2));
	FUZZ_ASSERT(rs2, "printed form does not parse: %s\n%s", err2, p1);
	FUZZ_ASSERT(!ok || !ir_ruleset__check(rs2, err2, sizeof(err2)),
		    "check passes before printing, fails after: %s", err2);
	p2 = print(rs2, &n2);
	FUZZ_ASSERT(n1 == n2 && !memcmp(p1, p2, n1),
		    "print -> parse -> print differs:\n%s---\n%s", p1, p2);
	free(p1);
	free(p2);
	ir_ruleset__free(rs);
	ir_ruleset__free(rs2);
	return 0;
}
