// SPDX-License-Identifier: Apache-2.0
/*
 * load_elf.c - the ELF side of the loader: checks that the file is a
 * little-endian relocatable BPF object, indexes its sections and symbols,
 * and finds the functions in executable sections.
 *
 * Functions are classified as libbpf does: global functions in executable
 * sections other than .text are programs, everything in .text is a
 * subprogram that programs may call. Every offset and size read from the
 * file is checked before use, so a truncated or corrupted object gives a
 * one-line error, never a crash.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "compiler/load_internal.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

#define INSN_SZ sizeof(struct bpf_insn)

static int elf_fail(struct load_object *lo, char *err, size_t errsz,
		    const char *what)
{
	return fl_err(err, errsz, -EINVAL, "%s: %s: %s", lo->obj.path, what,
		      elf_errmsg(-1));
}

static int check_header(struct load_object *lo, char *err, size_t errsz)
{
	const char *path = lo->obj.path;
	GElf_Ehdr eh;

	if (elf_kind(lo->elf) != ELF_K_ELF)
		return fl_err(err, errsz, -EINVAL, "%s: not an ELF file",
			      path);
	if (!gelf_getehdr(lo->elf, &eh))
		return elf_fail(lo, err, errsz, "bad ELF header");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return fl_err(err, errsz, -EINVAL,
			      "%s: not a 64-bit ELF object", path);
	if (eh.e_machine != EM_BPF)
		return fl_err(err, errsz, -EINVAL,
			      "%s: not a BPF object (e_machine %u, want %u)",
			      path, eh.e_machine, EM_BPF);
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return fl_err(err, errsz, -EINVAL,
			      "%s: big-endian BPF objects are not supported",
			      path);
	if (eh.e_type != ET_REL)
		return fl_err(err, errsz, -EINVAL,
			      "%s: not a relocatable object (e_type %u)", path,
			      eh.e_type);
	return 0;
}

static int index_section(struct load_object *lo, size_t i, char *err,
			 size_t errsz)
{
	struct load_sec *s = &lo->secs[i];
	Elf_Scn *scn = elf_getscn(lo->elf, i);

	s->map_idx = -1;
	if (!scn || !gelf_getshdr(scn, &s->shdr))
		return fl_err(err, errsz, -EINVAL,
			      "%s: section %zu: bad section header: %s",
			      lo->obj.path, i, elf_errmsg(-1));
	s->name = elf_strptr(lo->elf, lo->shstrndx, s->shdr.sh_name);
	if (!s->name)
		return fl_err(err, errsz, -EINVAL,
			      "%s: section %zu: bad name offset %u",
			      lo->obj.path, i, s->shdr.sh_name);
	if (s->shdr.sh_type == SHT_NOBITS || s->shdr.sh_type == SHT_NULL)
		return 0;
	s->data = elf_getdata(scn, NULL);
	if (!s->data && s->shdr.sh_size)
		return fl_err(err, errsz, -EINVAL,
			      "%s: section '%s': data at offset 0x%llx "
			      "size %llu unreadable: %s",
			      lo->obj.path, s->name,
			      (unsigned long long)s->shdr.sh_offset,
			      (unsigned long long)s->shdr.sh_size,
			      elf_errmsg(-1));
	if (s->data && (s->data->d_size != s->shdr.sh_size ||
			(s->data->d_size && !s->data->d_buf)))
		return fl_err(err, errsz, -EINVAL,
			      "%s: section '%s': truncated (size %llu)",
			      lo->obj.path, s->name,
			      (unsigned long long)s->shdr.sh_size);
	return 0;
}

static bool sec_is_code(const struct load_sec *s)
{
	return s->shdr.sh_type == SHT_PROGBITS &&
	       (s->shdr.sh_flags & SHF_EXECINSTR) && s->shdr.sh_size;
}

static int index_sections(struct load_object *lo, char *err, size_t errsz)
{
	size_t n, i;
	int ret;

	if (elf_getshdrnum(lo->elf, &n) || elf_getshdrstrndx(lo->elf,
							       &lo->shstrndx))
		return elf_fail(lo, err, errsz, "bad section table");
	if (n == 0 || lo->shstrndx >= n)
		return fl_err(err, errsz, -EINVAL,
			      "%s: no section names (shstrndx %zu of %zu)",
			      lo->obj.path, lo->shstrndx, n);
	lo->secs = calloc(n, sizeof(*lo->secs));
	if (!lo->secs)
		return -ENOMEM;
	lo->n_secs = n;
	for (i = 1; i < n; i++) {
		struct load_sec *s = &lo->secs[i];

		ret = index_section(lo, i, err, errsz);
		if (ret)
			return ret;
		if (s->shdr.sh_type == SHT_SYMTAB) {
			if (lo->symtab_sec)
				return fl_err(err, errsz, -EINVAL,
					      "%s: two symbol tables",
					      lo->obj.path);
			lo->symtab_sec = i;
		} else if (!strcmp(s->name, ".text") && sec_is_code(s)) {
			lo->text_sec = i;
		} else if (!strcmp(s->name, ".maps")) {
			lo->maps_sec = i;
		} else if (!strcmp(s->name, ".BTF.ext") && s->data) {
			lo->btf_ext = s->data->d_buf;
			lo->btf_ext_len = s->data->d_size;
		} else if (!strcmp(s->name, "license") && s->data &&
			   s->data->d_size) {
			free(lo->obj.license);
			lo->obj.license = strndup(s->data->d_buf,
						  s->data->d_size);
			if (!lo->obj.license)
				return -ENOMEM;
		}
	}
	return 0;
}

static int index_symbols(struct load_object *lo, char *err, size_t errsz)
{
	struct load_sec *st;

	if (!lo->symtab_sec)
		return fl_err(err, errsz, -EINVAL, "%s: no symbol table",
			      lo->obj.path);
	st = &lo->secs[lo->symtab_sec];
	if (!st->data || st->shdr.sh_entsize != sizeof(Elf64_Sym) ||
	    st->shdr.sh_link == 0 || st->shdr.sh_link >= lo->n_secs ||
	    lo->secs[st->shdr.sh_link].shdr.sh_type != SHT_STRTAB)
		return fl_err(err, errsz, -EINVAL,
			      "%s: section '%s': bad symbol table",
			      lo->obj.path, st->name);
	lo->symtab = st->data;
	lo->n_syms = st->data->d_size / sizeof(Elf64_Sym);
	lo->strtab_sec = st->shdr.sh_link;
	return 0;
}

int load_elf__sym(const struct load_object *lo, size_t idx, GElf_Sym *sym)
{
	if (idx >= lo->n_syms || !gelf_getsym(lo->symtab, (int)idx, sym))
		return -EINVAL;
	return 0;
}

const char *load_elf__sym_name(const struct load_object *lo,
			       const GElf_Sym *sym)
{
	const char *name;

	if (GELF_ST_TYPE(sym->st_info) == STT_SECTION &&
	    sym->st_shndx < lo->n_secs)
		return lo->secs[sym->st_shndx].name;
	name = elf_strptr(lo->elf, lo->strtab_sec, sym->st_name);
	return name ? name : "?";
}

size_t load_elf__rel_sec(const struct load_object *lo, size_t sec)
{
	size_t i;

	for (i = 1; i < lo->n_secs; i++) {
		const GElf_Shdr *sh = &lo->secs[i].shdr;

		if (sh->sh_type == SHT_REL && sh->sh_info == sec)
			return i;
	}
	return 0;
}

static int cmp_funcs(const void *a, const void *b)
{
	const struct load_func *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static int add_func(struct load_object *lo, const GElf_Sym *sym,
		    size_t *cap, char *err, size_t errsz)
{
	const struct load_sec *s = &lo->secs[sym->st_shndx];
	const char *name = load_elf__sym_name(lo, sym);
	struct load_func *f;

	if (sym->st_value % INSN_SZ || sym->st_size % INSN_SZ ||
	    !sym->st_size || sym->st_value > s->shdr.sh_size ||
	    sym->st_size > s->shdr.sh_size - sym->st_value)
		return fl_err(err, errsz, -EINVAL,
			      "%s: section '%s': function '%s' at offset "
			      "%llu size %llu is out of bounds or misaligned",
			      lo->obj.path, s->name, name,
			      (unsigned long long)sym->st_value,
			      (unsigned long long)sym->st_size);
	if (sym->st_shndx != lo->text_sec &&
	    GELF_ST_BIND(sym->st_info) == STB_LOCAL)
		return fl_err(err, errsz, -EOPNOTSUPP,
			      "%s: section '%s': program '%s' is static",
			      lo->obj.path, s->name, name);
	if (lo->n_funcs == *cap) {
		size_t ncap = *cap ? 2 * *cap : 8;

		f = realloc(lo->funcs, ncap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		lo->funcs = f;
		*cap = ncap;
	}
	f = &lo->funcs[lo->n_funcs++];
	f->name = name;
	f->sec = sym->st_shndx;
	f->off = sym->st_value / INSN_SZ;
	f->n = sym->st_size / INSN_SZ;
	f->is_prog = sym->st_shndx != lo->text_sec;
	f->sub_off = 0;
	return 0;
}

static int find_funcs(struct load_object *lo, char *err, size_t errsz)
{
	size_t i, cap = 0;
	GElf_Sym sym;
	int ret;

	for (i = 1; i < lo->n_syms; i++) {
		if (load_elf__sym(lo, i, &sym))
			return fl_err(err, errsz, -EINVAL,
				      "%s: symbol %zu unreadable",
				      lo->obj.path, i);
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= lo->n_secs ||
		    !sec_is_code(&lo->secs[sym.st_shndx]))
			continue;
		ret = add_func(lo, &sym, &cap, err, errsz);
		if (ret)
			return ret;
	}
	if (lo->n_funcs)
		qsort(lo->funcs, lo->n_funcs, sizeof(*lo->funcs), cmp_funcs);
	for (i = 1; i < lo->n_funcs; i++) {
		const struct load_func *a = &lo->funcs[i - 1];

		if (a->sec == lo->funcs[i].sec &&
		    a->off + a->n > lo->funcs[i].off)
			return fl_err(err, errsz, -EINVAL,
				      "%s: section '%s': functions '%s' and "
				      "'%s' overlap",
				      lo->obj.path, lo->secs[a->sec].name,
				      a->name, lo->funcs[i].name);
	}
	return 0;
}

int load_elf__open(struct load_object *lo, char *err, size_t errsz)
{
	int ret;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return fl_err(err, errsz, -EINVAL, "libelf: %s",
			      elf_errmsg(-1));
	lo->elf = elf_memory(lo->image, lo->image_len);
	if (!lo->elf)
		return elf_fail(lo, err, errsz, "cannot read ELF");
	ret = check_header(lo, err, errsz);
	if (!ret)
		ret = index_sections(lo, err, errsz);
	if (!ret)
		ret = index_symbols(lo, err, errsz);
	if (!ret)
		ret = find_funcs(lo, err, errsz);
	return ret;
}
