/* SPDX-License-Identifier: Apache-2.0 */
/*
 * disasm.h - BPF instructions as text for explain: through LLVM's BPF
 * disassembler where it decodes them, else our own decoder (which knows
 * the instructions LLVM 14 does not, and the pseudo sources of ldimm64 and
 * calls that only make sense after relocation).
 */
#ifndef FLOWLIFT_DISASM_H
#define FLOWLIFT_DISASM_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/bpf.h>

struct fl_disasm;

/* NULL if LLVM's BPF disassembler is unavailable (fallback still works). */
struct fl_disasm *fl_disasm__new(void);
void fl_disasm__free(struct fl_disasm *d);

/* Text of insns[i] into buf; returns how many insns it took (2 for
 * ldimm64), or -EINVAL past the end. 'd' may be NULL (own decoder only).
 * *by_llvm says which decoder produced it. */
int fl_disasm__insn(struct fl_disasm *d, const struct bpf_insn *insns,
		    size_t n, size_t i, char *buf, size_t size, bool *by_llvm);

/* Our own decoder, always available. */
int fl_disasm__own(const struct bpf_insn *insns, size_t n, size_t i,
		   char *buf, size_t size);

#endif /* FLOWLIFT_DISASM_H */
