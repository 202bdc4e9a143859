/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compiler.h - from a BPF object (and map contents) to an IR rule set.
 *
 * Two halves:
 *  - the loader (lift_object__*): opens a BPF ELF object offline with libelf
 *    and libbpf's BTF API, or a loaded program online, and produces a
 *    self-contained "bpf image": each program's instructions with
 *    bpf-to-bpf subprograms appended and relocations resolved, the maps
 *    (definitions and contents), and BTF line info per instruction;
 *  - the lifter (lift_compile): symbolic execution of one program over an
 *    abstract packet, specialised by map contents, followed by IR passes.
 *
 * Relocated instructions follow the kernel's conventions so that the lifter
 * and the tag computation see what the kernel would:
 *  - ldimm64 of a map: src_reg = BPF_PSEUDO_MAP_FD, imm = index into
 *    obj->maps (the kernel's tag zeroes it anyway);
 *  - ldimm64 of global data: src_reg = BPF_PSEUDO_MAP_VALUE, imm = map
 *    index, second insn's imm = offset into the value;
 *  - bpf-to-bpf call: src_reg = BPF_PSEUDO_CALL, imm = relative offset to
 *    the callee's first insn within prog->insns (callee appended after the
 *    main function, in libbpf's order).
 *
 * Errors are negative errno; constructors return NULL, set errno and write a
 * one-line message naming what and where into the caller's err buffer.
 */
#ifndef FLOWLIFT_COMPILER_H
#define FLOWLIFT_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/bpf.h>

#include "ir/ir.h"

/* BTF line info for one instruction. */
struct lift_line {
	const char *file; /* source file name as in BTF */
	const char *text; /* the source line's text, trimmed; may be "" */
	uint32_t line, col;
};

struct lift_prog {
	char *name;        /* function name */
	char *sec;         /* ELF section, e.g. "tc", "xdp", "classifier/x" */
	enum bpf_prog_type type;
	struct bpf_insn *insns; /* main function then subprograms, relocated */
	size_t n_insns;
	size_t n_main;          /* insns of the main function itself */
	/* Per-instruction line info (n_insns entries; entries for insns with
	 * no record inherit the previous record; NULL file if none at all). */
	struct lift_line *lines;
	uint8_t tag[8];    /* as the kernel computes it (bpf_prog_calc_tag) */
	/* Kernels before 6.18 hash with SHA-1 instead of SHA-256: the same
	 * computation with SHA-1, so that --live can accept either. */
	uint8_t tag_sha1[8];
};

enum lift_map_kind {
	LIFT_MAP_USER,   /* from .maps */
	LIFT_MAP_RODATA, /* .rodata: contents from the object, read-only */
	LIFT_MAP_DATA,   /* .data */
	LIFT_MAP_BSS,    /* .bss */
};

enum lift_map_src {
	LIFT_SRC_NONE,   /* nobody filled it: hash/LPM empty, array zeroed */
	LIFT_SRC_OBJECT, /* global data from the object / declarative init */
	LIFT_SRC_DUMP,   /* --map NAME=FILE (bpftool map dump -j) */
	LIFT_SRC_LIVE,   /* read from the kernel */
};

/* One key/value pair. For per-CPU maps 'value' holds n_cpus values of
 * value_size bytes each, back to back. For prog arrays the value is the
 * index into obj->progs of the program at that slot (uint32), or the entry
 * is absent. */
struct lift_map_entry {
	uint8_t *key;
	uint8_t *value;
};

struct lift_map {
	char *name;
	enum lift_map_kind kind;
	uint32_t type; /* enum bpf_map_type */
	uint32_t key_size, value_size, max_entries, flags;
	enum lift_map_src src;
	char *src_path;         /* dump file or "id:N", NULL otherwise */
	uint8_t digest[20];     /* SHA-1 of the canonical contents */
	uint32_t n_cpus;        /* values per key for per-CPU maps, else 1 */
	struct lift_map_entry *ents;
	size_t n_ents;
	/* For arrays (incl. global data), entries are also indexed densely:
	 * array_data = max_entries * value_size bytes (zero where unset). */
	uint8_t *array_data;
};

struct lift_object {
	char *path;
	char *license;
	struct lift_prog *progs;
	size_t n_progs;
	struct lift_map *maps;
	size_t n_maps;
};

/* Open a BPF ELF object. Returns NULL (errno set, message in err) on a
 * truncated/corrupt ELF, unsupported relocation, etc. */
struct lift_object *lift_object__open(const char *path, char *err,
				      size_t errsz);
void lift_object__free(struct lift_object *obj);

/* Pick a program by function name or section name; NULL name: the only
 * program. NULL with a message if absent or ambiguous. */
struct lift_prog *lift_object__find_prog(struct lift_object *obj,
					 const char *name, char *err,
					 size_t errsz);
struct lift_map *lift_object__find_map(struct lift_object *obj,
				       const char *name);

/* Fill map 'name' from a `bpftool map dump -j` file (hex or formatted
 * form). Checks key/value sizes against the definition. */
int lift_object__load_dump(struct lift_object *obj, const char *name,
			   const char *path, char *err, size_t errsz);

/* Online: find the loaded program (a bpffs pin path or "id:N"), check that
 * its tag equals prog->tag, and fill every map prog uses from the kernel.
 * Needs CAP_BPF. -EKEYREJECTED on a tag mismatch (message names both). */
int lift_object__load_live(struct lift_object *obj, struct lift_prog *prog,
			   const char *spec, char *err, size_t errsz);

/* Line info for insn i, or NULL. */
const struct lift_line *lift_prog__line(const struct lift_prog *prog,
					size_t insn);
/* Maps that prog references (indexes into obj->maps), sorted, unique.
 * Returns the count; *out is malloc'd. */
int lift_prog__maps(const struct lift_object *obj,
		    const struct lift_prog *prog, uint32_t **out);

/* Look up 'key' in map m's contents: a pointer to the value (first CPU's
 * for per-CPU maps) or NULL. For LPM tries, longest-prefix match. */
const uint8_t *lift_map__lookup(const struct lift_map *m, const uint8_t *key);

/*
 * The lifter.
 */
struct lift_opts {
	unsigned int assume;        /* enum ir_assume bits */
	const struct ir_caps *caps; /* target; NULL: IR only, no legalise */
	uint32_t max_paths;         /* 0: default (65536) */
	uint32_t max_steps;         /* insns per path, 0: default (1<<20) */
	uint32_t max_unroll;        /* loop iterations, 0: default (64) */
	const char *dump_after;     /* pass name, or "all"; NULL: none */
	FILE *dump_file;            /* where --dump-after prints (stderr) */
	FILE *diag;                 /* diagnostics (slow-path reasons); may be
				     * NULL */
	bool progress;              /* progress on stderr */
};

/* Statistics of one compilation, for the summary line. */
struct lift_stats {
	uint32_t paths;          /* explored */
	uint32_t paths_slowpath; /* ended in slow path (reasons in diag) */
	uint32_t rules;          /* emitted */
	uint32_t prios;          /* distinct priorities */
	uint32_t withheld;       /* rules withheld by legalisation */
};

/* Lift prog (of obj, whose maps are filled) into a rule set. On success
 * *out is a new rule set the caller owns, with header metadata (program,
 * tag, hook, assumptions, map sources/digests, slow-path notes). */
int lift_compile(const struct lift_object *obj, const struct lift_prog *prog,
		 const struct lift_opts *opts, struct ir_ruleset **out,
		 struct lift_stats *stats, char *err, size_t errsz);

#endif /* FLOWLIFT_COMPILER_H */
