// SPDX-License-Identifier: Apache-2.0
/*
 * vf_verdict.c - what a program's return code does to the packet, as an IR
 * verdict, per hook. Tables, following the kernel:
 *  - tc (cls_bpf direct-action): cls_bpf_exec_opcode() keeps OK, SHOT,
 *    STOLEN, TRAP and REDIRECT and turns every other code into UNSPEC,
 *    which (as the only filter) lets the packet go on: pass. STOLEN and
 *    TRAP consume the packet: to the network that is a drop.
 *  - XDP: ABORTED and DROP drop, PASS passes, TX bounces, REDIRECT
 *    redirects; an unknown code is bpf_warn_invalid_xdp_action() and a
 *    drop.
 */
#include <errno.h>
#include <stdio.h>

#include <linux/pkt_cls.h>

#include "verify/verify.h"

struct code {
	int64_t code;
	enum ir_verdict verdict;
	const char *name;
};

static const struct code tc_codes[] = {
	{ TC_ACT_UNSPEC, IR_ACT_PASS, "TC_ACT_UNSPEC" },
	{ TC_ACT_OK, IR_ACT_PASS, "TC_ACT_OK" },
	{ TC_ACT_RECLASSIFY, IR_ACT_PASS, "TC_ACT_RECLASSIFY" },
	{ TC_ACT_SHOT, IR_ACT_DROP, "TC_ACT_SHOT" },
	{ TC_ACT_PIPE, IR_ACT_PASS, "TC_ACT_PIPE" },
	{ TC_ACT_STOLEN, IR_ACT_DROP, "TC_ACT_STOLEN" },
	{ TC_ACT_QUEUED, IR_ACT_PASS, "TC_ACT_QUEUED" },
	{ TC_ACT_REPEAT, IR_ACT_PASS, "TC_ACT_REPEAT" },
	{ TC_ACT_REDIRECT, IR_ACT_REDIRECT, "TC_ACT_REDIRECT" },
	{ TC_ACT_TRAP, IR_ACT_DROP, "TC_ACT_TRAP" },
};

static const struct code xdp_codes[] = {
	{ XDP_ABORTED, IR_ACT_DROP, "XDP_ABORTED" },
	{ XDP_DROP, IR_ACT_DROP, "XDP_DROP" },
	{ XDP_PASS, IR_ACT_PASS, "XDP_PASS" },
	{ XDP_TX, IR_ACT_TX, "XDP_TX" },
	{ XDP_REDIRECT, IR_ACT_REDIRECT, "XDP_REDIRECT" },
};

static const struct code *find(const struct code *t, size_t n, int64_t c)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == c)
			return &t[i];
	return NULL;
}

int vf_verdict__map(enum bpf_prog_type type, int64_t retval,
		    struct vf_kverdict *out)
{
	const struct code *c;
	static __thread char unknown[24];

	switch (type) {
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		/* test_run reports the program's u32 return value. */
		c = find(tc_codes, FL_ARRAY_SIZE(tc_codes), (int32_t)retval);
		out->verdict = c ? c->verdict : IR_ACT_PASS;
		break;
	case BPF_PROG_TYPE_XDP:
		c = find(xdp_codes, FL_ARRAY_SIZE(xdp_codes), retval);
		out->verdict = c ? c->verdict : IR_ACT_DROP;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (c) {
		out->name = c->name;
	} else {
		snprintf(unknown, sizeof(unknown), "unknown %lld",
			 (long long)(int32_t)retval);
		out->name = unknown;
	}
	return 0;
}

bool vf_verdict__agrees(enum ir_verdict rule, enum ir_verdict kernel)
{
	return rule == IR_ACT_SLOWPATH || rule == kernel;
}
