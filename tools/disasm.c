// SPDX-License-Identifier: Apache-2.0
/*
 * disasm.c - see disasm.h. Our decoder prints the kernel verifier's syntax
 * ("r1 = *(u32 *)(r2 + 12)", "if r1 != 0x800 goto +5"), which is also what
 * LLVM prints for BPF, so the two read alike in one listing.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Disassembler.h>

#include "tools/disasm.h"

/*
 * libLLVM is ~110 MB; it is opened when explain asks for it, not linked,
 * so that flowlift itself (compile, apply, the agent on a node or in a
 * test guest) does not carry it.
 */
static const char *const llvm_libs[] = {
	"libLLVM-14.so.1",
	"libLLVM-14.so",
	"/usr/lib/llvm-14/lib/libLLVM-14.so",
};

struct fl_disasm {
	void *lib;
	LLVMDisasmContextRef dc;
	size_t (*disasm)(LLVMDisasmContextRef, uint8_t *, uint64_t, uint64_t,
			 char *, size_t);
	void (*dispose)(LLVMDisasmContextRef);
};

struct fl_disasm *fl_disasm__new(void)
{
	static const char *const inits[] = {
		"LLVMInitializeBPFTargetInfo",
		"LLVMInitializeBPFTargetMC",
		"LLVMInitializeBPFDisassembler",
	};
	LLVMDisasmContextRef (*create)(const char *, void *, int,
				       LLVMOpInfoCallback,
				       LLVMSymbolLookupCallback);
	struct fl_disasm *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	for (size_t i = 0; i < sizeof(llvm_libs) / sizeof(llvm_libs[0]); i++) {
		d->lib = dlopen(llvm_libs[i], RTLD_NOW | RTLD_LOCAL);
		if (d->lib)
			break;
	}
	if (!d->lib)
		goto fail;
	for (size_t i = 0; i < sizeof(inits) / sizeof(inits[0]); i++) {
		void (*init)(void) = (void (*)(void))dlsym(d->lib, inits[i]);

		if (!init)
			goto fail;
		init();
	}
	create = (LLVMDisasmContextRef(*)(const char *, void *, int,
					  LLVMOpInfoCallback,
					  LLVMSymbolLookupCallback))
		dlsym(d->lib, "LLVMCreateDisasm");
	d->disasm = (size_t(*)(LLVMDisasmContextRef, uint8_t *, uint64_t,
			       uint64_t, char *, size_t))
		dlsym(d->lib, "LLVMDisasmInstruction");
	d->dispose = (void (*)(LLVMDisasmContextRef))dlsym(d->lib,
							   "LLVMDisasmDispose");
	if (!create || !d->disasm || !d->dispose)
		goto fail;
	d->dc = create("bpfel", NULL, 0, NULL, NULL);
	if (!d->dc)
		goto fail;
	return d;
fail:
	if (d->lib)
		dlclose(d->lib);
	free(d);
	return NULL;
}

void fl_disasm__free(struct fl_disasm *d)
{
	if (!d)
		return;
	d->dispose(d->dc);
	dlclose(d->lib);
	free(d);
}

static const char *const alu_ops[16] = {
	[BPF_ADD >> 4] = "+=", [BPF_SUB >> 4] = "-=", [BPF_MUL >> 4] = "*=",
	[BPF_DIV >> 4] = "/=", [BPF_OR >> 4] = "|=",  [BPF_AND >> 4] = "&=",
	[BPF_LSH >> 4] = "<<=", [BPF_RSH >> 4] = ">>=", [BPF_NEG >> 4] = "neg",
	[BPF_MOD >> 4] = "%=", [BPF_XOR >> 4] = "^=", [BPF_MOV >> 4] = "=",
	[BPF_ARSH >> 4] = "s>>=", [BPF_END >> 4] = "end",
};

static const char *const jmp_ops[16] = {
	[BPF_JEQ >> 4] = "==", [BPF_JGT >> 4] = ">",  [BPF_JGE >> 4] = ">=",
	[BPF_JSET >> 4] = "&", [BPF_JNE >> 4] = "!=", [BPF_JSGT >> 4] = "s>",
	[BPF_JSGE >> 4] = "s>=", [BPF_JLT >> 4] = "<", [BPF_JLE >> 4] = "<=",
	[BPF_JSLT >> 4] = "s<", [BPF_JSLE >> 4] = "s<=",
};

static const char *const size_names[4] = {
	[BPF_W >> 3] = "u32", [BPF_H >> 3] = "u16", [BPF_B >> 3] = "u8",
	[BPF_DW >> 3] = "u64",
};

static int own_alu(const struct bpf_insn *in, char *buf, size_t size)
{
	bool is64 = BPF_CLASS(in->code) == BPF_ALU64;
	char r = is64 ? 'r' : 'w';
	unsigned int op = BPF_OP(in->code) >> 4;
	char src[32];

	if (BPF_OP(in->code) == BPF_END)
		return snprintf(buf, size, "r%u = %s%d r%u", in->dst_reg,
				BPF_SRC(in->code) == BPF_TO_BE ? "be" : "le",
				in->imm, in->dst_reg);
	if (BPF_OP(in->code) == BPF_NEG)
		return snprintf(buf, size, "%c%u = -%c%u", r, in->dst_reg, r,
				in->dst_reg);
	if (!alu_ops[op])
		return -EINVAL;
	if (BPF_SRC(in->code) == BPF_X)
		snprintf(src, sizeof(src), "%c%u", r, in->src_reg);
	else
		snprintf(src, sizeof(src), "%d", in->imm);
	return snprintf(buf, size, "%c%u %s %s", r, in->dst_reg, alu_ops[op],
			src);
}

static int own_jmp(const struct bpf_insn *in, char *buf, size_t size)
{
	bool is32 = BPF_CLASS(in->code) == BPF_JMP32;
	char r = is32 ? 'w' : 'r';
	unsigned int op = BPF_OP(in->code) >> 4;
	char src[32];

	switch (BPF_OP(in->code)) {
	case BPF_JA:
		return snprintf(buf, size, "goto %+d", in->off);
	case BPF_EXIT:
		return snprintf(buf, size, "exit");
	case BPF_CALL:
		if (in->src_reg == BPF_PSEUDO_CALL)
			return snprintf(buf, size, "call pc%+d", in->imm);
		if (in->src_reg == BPF_PSEUDO_KFUNC_CALL)
			return snprintf(buf, size, "call kfunc %d", in->imm);
		return snprintf(buf, size, "call %d", in->imm);
	default:
		break;
	}
	if (!jmp_ops[op])
		return -EINVAL;
	if (BPF_SRC(in->code) == BPF_X)
		snprintf(src, sizeof(src), "%c%u", r, in->src_reg);
	else
		snprintf(src, sizeof(src), "%#x", (unsigned int)in->imm);
	return snprintf(buf, size, "if %c%u %s %s goto %+d", r, in->dst_reg,
			jmp_ops[op], src, in->off);
}

static int own_mem(const struct bpf_insn *in, char *buf, size_t size)
{
	const char *sz = size_names[BPF_SIZE(in->code) >> 3];

	switch (BPF_CLASS(in->code)) {
	case BPF_LDX:
		if (BPF_MODE(in->code) != BPF_MEM)
			return -EINVAL;
		return snprintf(buf, size, "r%u = *(%s *)(r%u %+d)",
				in->dst_reg, sz, in->src_reg, in->off);
	case BPF_ST:
		if (BPF_MODE(in->code) != BPF_MEM)
			return -EINVAL;
		return snprintf(buf, size, "*(%s *)(r%u %+d) = %d", sz,
				in->dst_reg, in->off, in->imm);
	case BPF_STX:
		if (BPF_MODE(in->code) == BPF_ATOMIC)
			return snprintf(buf, size,
					"atomic(%#x) *(%s *)(r%u %+d), r%u",
					(unsigned int)in->imm, sz, in->dst_reg,
					in->off, in->src_reg);
		if (BPF_MODE(in->code) != BPF_MEM)
			return -EINVAL;
		return snprintf(buf, size, "*(%s *)(r%u %+d) = r%u", sz,
				in->dst_reg, in->off, in->src_reg);
	case BPF_LD:
		if (BPF_MODE(in->code) == BPF_ABS)
			return snprintf(buf, size, "r0 = *(%s *)skb[%d]", sz,
					in->imm);
		if (BPF_MODE(in->code) == BPF_IND)
			return snprintf(buf, size, "r0 = *(%s *)skb[r%u + %d]",
					sz, in->src_reg, in->imm);
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

static int own_ldimm64(const struct bpf_insn *in, size_t avail, char *buf,
		       size_t size)
{
	unsigned long long v;

	if (avail < 2 || in[1].code)
		return -EINVAL;
	v = (unsigned long long)(unsigned int)in[1].imm << 32 |
	    (unsigned int)in[0].imm;
	switch (in->src_reg) {
	case BPF_PSEUDO_MAP_FD:
		return snprintf(buf, size, "r%u = map[%d] ll", in->dst_reg,
				in->imm);
	case BPF_PSEUDO_MAP_VALUE:
		return snprintf(buf, size, "r%u = &map[%d] + %d ll",
				in->dst_reg, in->imm, in[1].imm);
	case BPF_PSEUDO_FUNC:
		return snprintf(buf, size, "r%u = func pc%+d ll", in->dst_reg,
				in->imm);
	default:
		return snprintf(buf, size, "r%u = %#llx ll", in->dst_reg, v);
	}
}

int fl_disasm__own(const struct bpf_insn *insns, size_t n, size_t i,
		   char *buf, size_t size)
{
	const struct bpf_insn *in = &insns[i];
	int ret;

	if (i >= n)
		return -EINVAL;
	if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
		ret = own_ldimm64(in, n - i, buf, size);
		if (ret >= 0)
			return 2;
		snprintf(buf, size, "<invalid opcode %#04x>", in->code);
		return 1;
	}
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		ret = own_alu(in, buf, size);
		break;
	case BPF_JMP:
	case BPF_JMP32:
		ret = own_jmp(in, buf, size);
		break;
	default:
		ret = own_mem(in, buf, size);
		break;
	}
	if (ret < 0)
		snprintf(buf, size, "<invalid opcode %#04x>", in->code);
	return 1;
}

/* LLVM prints a tab first and decodes relocated pseudo insns as plain
 * immediates; we keep ours for ldimm64 and calls, which carry map indexes
 * and relative calls that LLVM cannot name. */
static bool own_is_better(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW) ||
	       in->code == (BPF_JMP | BPF_CALL);
}

int fl_disasm__insn(struct fl_disasm *d, const struct bpf_insn *insns,
		    size_t n, size_t i, char *buf, size_t size, bool *by_llvm)
{
	char tmp[256];
	size_t len;
	char *p;

	*by_llvm = false;
	if (i >= n)
		return -EINVAL;
	if (!d || own_is_better(&insns[i]))
		return fl_disasm__own(insns, n, i, buf, size);
	len = d->disasm(d->dc, (uint8_t *)&insns[i],
				    sizeof(insns[0]), i * sizeof(insns[0]),
				    tmp, sizeof(tmp));
	if (len != sizeof(insns[0]))
		return fl_disasm__own(insns, n, i, buf, size);
	for (p = tmp; *p == '\t' || *p == ' '; p++)
		;
	for (char *q = p; *q; q++)
		if (*q == '\t')
			*q = ' ';
	snprintf(buf, size, "%s", p);
	*by_llvm = true;
	return 1;
}
