// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz_lift.c - the lifter on arbitrary instruction streams. The input is
 * one option byte (hook, target) and then instructions, lifted as a
 * program of a real object (so map references have maps with contents to
 * resolve to) under small limits. It must end in a clear rejection or a
 * rule set that passes the IR consistency check; never a crash or a hang.
 */
#include <string.h>

#include "backends/backends.h"
#include "compiler/compiler.h"
#include "fuzz/fuzz.h"

#define MAX_INSNS 512

static struct lift_object *obj;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bpf_insn insns[MAX_INSNS];
	struct lift_prog prog = { .name = "fuzz", .insns = insns };
	struct lift_opts o = { .max_paths = 64, .max_steps = 2048,
			       .max_unroll = 4 };
	struct ir_ruleset *rs = NULL;
	struct lift_stats st;
	char err[512] = "";
	uint8_t opt;
	int ret;

	if (!obj) {
		obj = lift_object__open(FUZZ_LIFT_OBJ, err, sizeof(err));
		if (!obj) {
			fprintf(stderr, "%s\n", err);
			abort();
		}
	}
	if (size < 1 + sizeof(struct bpf_insn))
		return 0;
	opt = data[0];
	prog.n_insns = (size - 1) / sizeof(struct bpf_insn);
	if (prog.n_insns > MAX_INSNS)
		prog.n_insns = MAX_INSNS;
	memcpy(insns, data + 1, prog.n_insns * sizeof(struct bpf_insn));
	prog.n_main = prog.n_insns;
	prog.type = opt & 1 ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS;
	prog.sec = opt & 1 ? "xdp" : "tc";
	if (opt & 2)
		o.caps = be_find(opt & 4 ? "nft" : "flower")->caps;
	if (opt & 8)
		o.assume = IR_ASSUME_NO_IP_OPTIONS;
	ret = lift_compile(obj, &prog, &o, &rs, &st, err, sizeof(err));
	if (ret) {
		FUZZ_ASSERT(err[0], "rejected (%d) without a message", ret);
		FUZZ_ASSERT(!rs, "rejected but returned a rule set");
		return 0;
	}
	FUZZ_ASSERT(rs, "success without a rule set");
	FUZZ_ASSERT(!ir_ruleset__check(rs, err, sizeof(err)),
		    "lifted rule set fails the check: %s", err);
	ir_ruleset__free(rs);
	return 0;
}
