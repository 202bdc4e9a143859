// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz_rules.c - the rule file parsers `flowlift diff` reads: every
 * backend with a parse() (tc -batch flower text today; nft and rte_flow
 * have none). Whatever parses must print as IR and pass the check.
 */
#include "backends/backends.h"
#include "fuzz/fuzz.h"

static const char *const backends[] = { "flower", "nft", "rteflow" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct be_opts o = { .dev = "eth0" };

	for (size_t i = 0; i < sizeof(backends) / sizeof(*backends); i++) {
		const struct be_ops *be = be_find(backends[i]);
		struct ir_ruleset *rs;
		char err[512] = "";
		FILE *f, *null;

		if (!be || !be->parse)
			continue;
		f = fmemopen((void *)data, size ? size : 1, "r");
		if (!f)
			abort();
		if (!size)
			fgetc(f); /* fmemopen wants size > 0: read it empty */
		rs = be->parse(f, &o, err, sizeof(err));
		fclose(f);
		if (!rs) {
			FUZZ_ASSERT(err[0], "%s: rejected without a message",
				    be->name);
			continue;
		}
		null = fopen("/dev/null", "w");
		FUZZ_ASSERT(!ir_ruleset__print(rs, null), "print failed");
		fclose(null);
		ir_ruleset__free(rs);
	}
	return 0;
}
