// SPDX-License-Identifier: Apache-2.0
/*
 * load_reloc.c - each program's image: the main function, then the .text
 * subprograms it reaches, relocated.
 *
 * Subprograms are appended depth-first in the order their first call site
 * is met, exactly as libbpf's bpf_object__reloc_code() does, so that the
 * instruction stream (and so the tag the kernel computes over it) is the
 * one a libbpf-based loader (bpftool, tc, ip) hands to the kernel.
 * Relocation kinds follow libbpf's bpf_program__record_reloc(): calls to
 * .text, ldimm64 of .maps definitions, of global data, and of .text
 * functions (callbacks). Anything else is refused by name and offset.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "compiler/load_internal.h"

#define INSN_SZ sizeof(struct bpf_insn)
#define LDIMM64 (BPF_LD | BPF_IMM | BPF_DW)

struct reloc_ctx {
	struct load_object *lo;
	struct lift_prog *prog;
	size_t main;           /* func index of the main program */
	struct load_seg *segs; /* one per appended function */
	size_t n_segs, cap_segs;
	char *err;
	size_t errsz;
	int depth;
};

static bool insn_is_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) &&
	       in->src_reg == BPF_PSEUDO_CALL;
}

static bool insn_is_func_addr(const struct bpf_insn *in)
{
	return in->code == LDIMM64 && in->src_reg == BPF_PSEUDO_FUNC;
}

static size_t seg_start(const struct reloc_ctx *c, size_t f)
{
	return f == c->main ? 0 : c->lo->funcs[f].sub_off;
}

/* The relocation entry of section 'sec' at insn 'idx', if any. */
static int find_rel(const struct load_object *lo, size_t sec, size_t idx,
		    GElf_Rel *out)
{
	size_t rs = load_elf__rel_sec(lo, sec), i, n;
	Elf_Data *d;

	if (!rs || !lo->secs[rs].data)
		return 0;
	d = lo->secs[rs].data;
	n = d->d_size / sizeof(Elf64_Rel);
	for (i = 0; i < n; i++) {
		if (!gelf_getrel(d, (int)i, out))
			return -EINVAL;
		if (out->r_offset == idx * INSN_SZ)
			return 1;
	}
	return 0;
}

static int rel_err(struct reloc_ctx *c, size_t sec, const GElf_Rel *r,
		   const char *sym, const char *why)
{
	const struct load_object *lo = c->lo;

	return fl_err(c->err, c->errsz, -EOPNOTSUPP,
		      "%s: section '%s': relocation at offset %llu (insn %llu) "
		      "against '%s': %s",
		      lo->obj.path, lo->secs[sec].name,
		      (unsigned long long)r->r_offset,
		      (unsigned long long)(r->r_offset / INSN_SZ), sym, why);
}

static int find_map_at(const struct load_object *lo, size_t sec, size_t off)
{
	size_t i;

	for (i = 0; i < lo->obj.n_maps; i++)
		if (lo->lmaps[i].sec == sec &&
		    (lo->obj.maps[i].kind != LIFT_MAP_USER ||
		     lo->lmaps[i].sec_off == off))
			return (int)i;
	return -1;
}

/* ldimm64 against a map definition or global data. */
static int reloc_data(struct reloc_ctx *c, size_t sec, const GElf_Rel *r,
		      struct bpf_insn *in, size_t left)
{
	const struct load_object *lo = c->lo;
	const char *name;
	GElf_Sym sym;
	int mi;

	if (load_elf__sym(lo, GELF_R_SYM(r->r_info), &sym))
		return rel_err(c, sec, r, "?", "bad symbol index");
	name = load_elf__sym_name(lo, &sym);
	if (in->code != LDIMM64 || left < 2)
		return rel_err(c, sec, r, name, "not on an ldimm64 insn");
	if (sym.st_shndx == SHN_UNDEF)
		return rel_err(c, sec, r, name,
			       "extern (kconfig/ksym) needs the kernel");
	if (sym.st_shndx >= lo->n_secs)
		return rel_err(c, sec, r, name, "symbol in a special section");
	mi = find_map_at(lo, sym.st_shndx, sym.st_value);
	if (mi < 0)
		return rel_err(c, sec, r, name,
			       "not a map or global data in a known section");
	if (lo->obj.maps[mi].kind == LIFT_MAP_USER) {
		in[0].src_reg = BPF_PSEUDO_MAP_FD;
		in[0].imm = mi;
		return 0;
	}
	if ((uint64_t)(uint32_t)in[0].imm + sym.st_value >
	    lo->obj.maps[mi].value_size)
		return rel_err(c, sec, r, name, "offset past the section end");
	in[1].imm = (int32_t)(in[0].imm + sym.st_value);
	in[0].src_reg = BPF_PSEUDO_MAP_VALUE;
	in[0].imm = mi;
	return 0;
}

static int func_at(const struct load_object *lo, size_t sec, size_t idx)
{
	size_t i;

	for (i = 0; i < lo->n_funcs; i++) {
		const struct load_func *f = &lo->funcs[i];

		if (f->sec == sec && f->off <= idx && idx < f->off + f->n)
			return (int)i;
	}
	return -1;
}

static int append(struct reloc_ctx *c, size_t f);

/* A call or callback address at image insn 'at' (insn 'i' of function f):
 * find the .text subprogram, append it if new, point the imm at it. */
static int reloc_call(struct reloc_ctx *c, size_t f, size_t i)
{
	struct load_object *lo = c->lo;
	struct load_func *fn = &lo->funcs[f];
	size_t at = seg_start(c, f) + i;
	struct bpf_insn *in = &c->prog->insns[at];
	const char *name = fn->name;
	long long target;
	GElf_Rel r;
	GElf_Sym sym;
	int ret, sub;

	ret = find_rel(lo, fn->sec, fn->off + i, &r);
	if (ret < 0)
		return fl_err(c->err, c->errsz, -EINVAL,
			      "%s: section '%s': bad relocation table",
			      lo->obj.path, lo->secs[fn->sec].name);
	if (ret) {
		if (load_elf__sym(lo, GELF_R_SYM(r.r_info), &sym))
			return rel_err(c, fn->sec, &r, "?", "bad symbol");
		name = load_elf__sym_name(lo, &sym);
		if (sym.st_shndx != lo->text_sec || sym.st_value % INSN_SZ)
			return rel_err(c, fn->sec, &r, name,
				       "call target not in .text");
		if (insn_is_call(in))
			target = (long long)(sym.st_value / INSN_SZ) +
				 in->imm + 1;
		else
			target = ((long long)sym.st_value + in->imm) /
				 (long long)INSN_SZ;
	} else if (insn_is_func_addr(in)) {
		return fl_err(c->err, c->errsz, -EINVAL,
			      "%s: section '%s': insn %zu: function address "
			      "without relocation",
			      lo->obj.path, lo->secs[fn->sec].name,
			      fn->off + i);
	} else {
		target = (long long)(fn->off + i) + in->imm + 1;
	}
	sub = target < 0 || !lo->text_sec ? -1 :
		func_at(lo, lo->text_sec, (size_t)target);
	if (sub < 0)
		return fl_err(c->err, c->errsz, -EINVAL,
			      "%s: section '%s': insn %zu: call to '%s' (insn "
			      "%lld of .text) that is no .text function",
			      lo->obj.path, lo->secs[fn->sec].name,
			      fn->off + i, name, target);
	if (!lo->funcs[sub].sub_off) {
		ret = append(c, (size_t)sub);
		if (ret)
			return ret;
		in = &c->prog->insns[at];
	}
	in->imm = (int32_t)((long long)lo->funcs[sub].sub_off - (long long)at -
			    1);
	return 0;
}

static int apply_data_relocs(struct reloc_ctx *c, size_t f)
{
	struct load_object *lo = c->lo;
	const struct load_func *fn = &lo->funcs[f];
	size_t rs = load_elf__rel_sec(lo, fn->sec), i, n, idx;
	struct bpf_insn *base = c->prog->insns + seg_start(c, f);
	GElf_Rel r;
	GElf_Sym sym;
	int ret;

	if (!rs || !lo->secs[rs].data)
		return 0;
	n = lo->secs[rs].data->d_size / sizeof(Elf64_Rel);
	for (i = 0; i < n; i++) {
		if (!gelf_getrel(lo->secs[rs].data, (int)i, &r))
			return fl_err(c->err, c->errsz, -EINVAL,
				      "%s: section '%s': relocation %zu "
				      "unreadable", lo->obj.path,
				      lo->secs[rs].name, i);
		if (r.r_offset % INSN_SZ)
			return rel_err(c, fn->sec, &r, "?", "misaligned");
		idx = r.r_offset / INSN_SZ;
		if (idx < fn->off || idx >= fn->off + fn->n)
			continue;
		idx -= fn->off;
		if (insn_is_call(&base[idx]) || insn_is_func_addr(&base[idx]))
			continue; /* handled by reloc_call */
		if (load_elf__sym(lo, GELF_R_SYM(r.r_info), &sym))
			return rel_err(c, fn->sec, &r, "?", "bad symbol index");
		if (base[idx].code == LDIMM64 && lo->text_sec &&
		    sym.st_shndx == lo->text_sec) {
			/* a callback's address: libbpf marks it first */
			if (sym.st_value % INSN_SZ || base[idx].imm % INSN_SZ ||
			    idx + 1 >= fn->n)
				return rel_err(c, fn->sec, &r,
					       load_elf__sym_name(lo, &sym),
					       "misaligned function address");
			base[idx].src_reg = BPF_PSEUDO_FUNC;
			continue;
		}
		ret = reloc_data(c, fn->sec, &r, &base[idx], fn->n - idx);
		if (ret)
			return ret;
	}
	return 0;
}

static int relocate_func(struct reloc_ctx *c, size_t f)
{
	size_t i, n = c->lo->funcs[f].n;
	int ret;

	if (++c->depth > 256)
		return fl_err(c->err, c->errsz, -ELOOP,
			      "%s: subprogram calls nest too deep",
			      c->lo->obj.path);
	ret = apply_data_relocs(c, f);
	for (i = 0; !ret && i < n; i++) {
		struct bpf_insn *in = &c->prog->insns[seg_start(c, f) + i];

		if (insn_is_call(in) || insn_is_func_addr(in))
			ret = reloc_call(c, f, i);
		else if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg)
			ret = fl_err(c->err, c->errsz, -EOPNOTSUPP,
				     "%s: section '%s': insn %zu: call with "
				     "src_reg %u (kfunc) is not supported",
				     c->lo->obj.path,
				     c->lo->secs[c->lo->funcs[f].sec].name,
				     c->lo->funcs[f].off + i, in->src_reg);
	}
	c->depth--;
	return ret;
}

static int add_seg(struct reloc_ctx *c, size_t f, size_t off)
{
	if (c->n_segs == c->cap_segs) {
		size_t ncap = c->cap_segs ? 2 * c->cap_segs : 4;
		struct load_seg *s = realloc(c->segs, ncap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		c->segs = s;
		c->cap_segs = ncap;
	}
	c->segs[c->n_segs].func = f;
	c->segs[c->n_segs++].img_off = off;
	return 0;
}

/* Append .text function f at the end of the image and relocate it. */
static int append(struct reloc_ctx *c, size_t f)
{
	struct load_object *lo = c->lo;
	struct load_func *fn = &lo->funcs[f];
	struct lift_prog *p = c->prog;
	const struct bpf_insn *src;
	struct bpf_insn *ni;

	ni = realloc(p->insns, (p->n_insns + fn->n) * sizeof(*ni));
	if (!ni)
		return -ENOMEM;
	p->insns = ni;
	src = (const struct bpf_insn *)lo->secs[fn->sec].data->d_buf;
	memcpy(p->insns + p->n_insns, src + fn->off, fn->n * sizeof(*ni));
	fn->sub_off = p->n_insns;
	p->n_insns += fn->n;
	if (add_seg(c, f, fn->sub_off))
		return -ENOMEM;
	return relocate_func(c, f);
}

static int build_prog(struct load_object *lo, size_t main,
		      struct lift_prog *p, char *err, size_t errsz)
{
	struct reloc_ctx c = {
		.lo = lo, .prog = p, .main = main, .err = err, .errsz = errsz,
	};
	const struct load_func *fn = &lo->funcs[main];
	const struct bpf_insn *src;
	size_t i;
	int ret;

	for (i = 0; i < lo->n_funcs; i++)
		lo->funcs[i].sub_off = 0;
	p->name = strdup(fn->name);
	p->sec = strdup(lo->secs[fn->sec].name);
	p->insns = malloc(fn->n * sizeof(*p->insns));
	if (!p->name || !p->sec || !p->insns)
		return -ENOMEM;
	src = (const struct bpf_insn *)lo->secs[fn->sec].data->d_buf;
	memcpy(p->insns, src + fn->off, fn->n * sizeof(*p->insns));
	p->n_insns = p->n_main = fn->n;
	p->type = load_tag__prog_type(p->sec);
	ret = add_seg(&c, main, 0);
	if (!ret)
		ret = relocate_func(&c, main);
	if (!ret)
		ret = load_lines__fill(lo, p, c.segs, c.n_segs, err, errsz);
	free(c.segs);
	if (ret)
		return ret;
	load_tag__compute(p->insns, p->n_insns, true, p->tag);
	load_tag__compute(p->insns, p->n_insns, false, p->tag_sha1);
	return 0;
}

int load_reloc__progs(struct load_object *lo, char *err, size_t errsz)
{
	struct lift_object *obj = &lo->obj;
	size_t i, n = 0;
	int ret;

	for (i = 0; i < lo->n_funcs; i++)
		n += lo->funcs[i].is_prog;
	if (!n)
		return fl_err(err, errsz, -ENOENT,
			      "%s: no programs (no global functions in "
			      "executable sections other than .text)",
			      obj->path);
	obj->progs = calloc(n, sizeof(*obj->progs));
	if (!obj->progs)
		return -ENOMEM;
	for (i = 0; i < lo->n_funcs; i++) {
		if (!lo->funcs[i].is_prog)
			continue;
		ret = build_prog(lo, i, &obj->progs[obj->n_progs++], err,
				 errsz);
		if (ret)
			return ret == -ENOMEM ?
				fl_err(err, errsz, ret, "out of memory") : ret;
	}
	return 0;
}
