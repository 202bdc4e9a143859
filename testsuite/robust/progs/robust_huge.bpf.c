// SPDX-License-Identifier: Apache-2.0
/* robust_huge: a program of over a million instructions (the assembler repeats
 * one move), far past the kernel's 1M processed-insn limit; the loader
 * must take it or refuse it cleanly, and the lifter must stop at its step
 * limit and say so. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int robust_huge(struct xdp_md *ctx)
{
	asm volatile(".rept 1048600\n\tr0 = r0\n\t.endr" ::: "r0");
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
