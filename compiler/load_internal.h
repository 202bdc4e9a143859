/* SPDX-License-Identifier: Apache-2.0 */
/*
 * load_internal.h - the loader's private state behind struct lift_object.
 *
 * lift_object__open() allocates a struct load_object whose first member is
 * the public struct lift_object; the rest (ELF bookkeeping, the object's
 * BTF, per-map BTF type ids) stays here so the loader's files can share it
 * without widening compiler.h.
 */
#ifndef FLOWLIFT_LOAD_INTERNAL_H
#define FLOWLIFT_LOAD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <gelf.h>
#include <libelf.h>

#include "compiler/compiler.h"

struct btf;

/* One ELF section as the loader sees it. */
struct load_sec {
	const char *name;
	GElf_Shdr shdr;
	Elf_Data *data; /* NULL for SHT_NOBITS */
	int map_idx;    /* global data map made from it, or -1 */
};

/* A function found in an executable section. */
struct load_func {
	const char *name;
	size_t sec;       /* section index */
	size_t off;       /* first insn within the section (insn index) */
	size_t n;         /* insns */
	bool is_prog;     /* main program (non-.text, global) */
	size_t sub_off;   /* while relocating: where appended, 0 = not yet */
};

/* Loader-private data for each map, parallel to obj->maps. */
struct load_map {
	size_t sec;        /* .maps or the data section index */
	size_t sec_off;    /* offset of the definition within .maps */
	size_t sec_sz;     /* size of the definition (symbol size) */
	uint32_t key_tid;  /* BTF type id of the key (0: unknown) */
	uint32_t val_tid;  /* BTF type id of the value (0: unknown) */
	uint32_t def_tid;  /* BTF struct of the definition (.maps) */
};

struct load_object {
	struct lift_object obj; /* must be first */
	Elf *elf;
	char *image;            /* the file's bytes (libelf reads from it) */
	size_t image_len;
	size_t shstrndx;
	struct load_sec *secs;
	size_t n_secs;
	size_t text_sec;        /* 0 if none */
	size_t maps_sec;        /* 0 if none */
	size_t symtab_sec;
	Elf_Data *symtab;
	size_t n_syms;
	size_t strtab_sec;
	struct load_func *funcs;
	size_t n_funcs;
	struct btf *btf;        /* NULL if the object has no .BTF */
	const uint8_t *btf_ext; /* raw .BTF.ext, or NULL */
	size_t btf_ext_len;
	struct load_map *lmaps; /* n = obj.n_maps */
	char *obj_name;         /* libbpf's object name: basename up to '.' */
};

static inline struct load_object *load_obj(struct lift_object *obj)
{
	return (struct load_object *)obj;
}

static inline const struct load_object *
load_cobj(const struct lift_object *obj)
{
	return (const struct load_object *)obj;
}

/* load_elf.c: sections, symbols, functions. */
int load_elf__open(struct load_object *lo, char *err, size_t errsz);
const char *load_elf__sym_name(const struct load_object *lo,
			       const GElf_Sym *sym);
int load_elf__sym(const struct load_object *lo, size_t idx, GElf_Sym *sym);
/* The relocation section applying to section 'sec', or 0. */
size_t load_elf__rel_sec(const struct load_object *lo, size_t sec);

/* load_maps.c: map definitions (.maps BTF, global data sections) and the
 * declarative prog-array init in .rel.maps (after programs are known). */
int load_maps__collect(struct load_object *lo, char *err, size_t errsz);
int load_maps__init_values(struct load_object *lo, char *err, size_t errsz);
int load_maps__add(struct lift_object *obj, struct lift_map **out);

/* load_reloc.c: build each program's image (subprograms appended). */
int load_reloc__progs(struct load_object *lo, char *err, size_t errsz);

/* A function's copy within a program's image. */
struct load_seg {
	size_t func;    /* index into lo->funcs */
	size_t img_off; /* first insn within prog->insns */
};

/* load_lines.c: BTF.ext line info into prog->lines; .BTF.ext checks. */
int load_lines__fill(struct load_object *lo, struct lift_prog *prog,
		     const struct load_seg *segs, size_t n_segs, char *err,
		     size_t errsz);
int load_lines__check_core(struct load_object *lo, char *err, size_t errsz);

/* load_tag.c */
enum bpf_prog_type load_tag__prog_type(const char *sec);
void load_tag__compute(const struct bpf_insn *insns, size_t n, bool sha256,
		       uint8_t tag[8]);
const char *load_tag__map_type_name(uint32_t type);

/* load_contents.c: map contents. */
bool load_map__is_percpu(uint32_t type);
bool load_map__is_array(uint32_t type);
/* Replace m's contents with ents (takes ownership of the array and of each
 * entry's buffers). Sorts canonically, rejects duplicate keys, fills
 * array_data and the digest. */
int load_map__set(struct lift_map *m, struct lift_map_entry *ents, size_t n,
		  uint32_t n_cpus, char *err, size_t errsz);
void load_map__clear(struct lift_map *m);
void load_map__free_ents(struct lift_map_entry *ents, size_t n);

/* load_btfjson.c: a bpftool "formatted" JSON value into the bytes of BTF
 * type 'type_id' (size bytes). 'what' prefixes messages. */
struct fl_jval;
int load_btfjson__to_bytes(const struct btf *btf, uint32_t type_id,
			   const struct fl_jval *v, uint8_t *out, size_t size,
			   const char *what, char *err, size_t errsz);

/* load_dump.c: swap freshly read contents into m (on success only). */
int load_map__commit(struct lift_map *m, struct lift_map_entry *ents,
		     size_t n, uint32_t n_cpus, enum lift_map_src src,
		     const char *src_path, char *err, size_t errsz);

#endif /* FLOWLIFT_LOAD_INTERNAL_H */
