// SPDX-License-Identifier: Apache-2.0
/*
 * load_maps.c - map definitions: the BTF-defined maps of .maps (the
 * __uint/__type/__array conventions of bpf_helpers.h) and one single-entry
 * array per global data section (.data*, .rodata*, .bss*), in libbpf's
 * order; then the declarative prog-array init of .rel.maps
 * (`.values = { [0] = &prog }`).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "common/common.h"
#include "compiler/load_internal.h"

/* Global data (.data/.bss/.rodata) is held and hashed whole: real programs
 * have kilobytes; a corrupt object claiming a gigabyte .bss made the loader
 * spend seconds on zeroes (fuzz_elf timed out). */
#define MAX_GLOBAL_DATA_BYTES (64ULL << 20)

int load_maps__add(struct lift_object *obj, struct lift_map **out)
{
	struct load_object *lo = load_obj(obj);
	struct lift_map *nm;
	struct load_map *nl;

	nm = realloc(obj->maps, (obj->n_maps + 1) * sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	obj->maps = nm;
	nl = realloc(lo->lmaps, (obj->n_maps + 1) * sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	lo->lmaps = nl;
	memset(&nm[obj->n_maps], 0, sizeof(*nm));
	memset(&nl[obj->n_maps], 0, sizeof(*nl));
	nm[obj->n_maps].n_cpus = 1;
	*out = &nm[obj->n_maps++];
	return 0;
}

static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id,
					uint32_t *res_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int guard = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t)) && guard++ < 64) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (res_id)
		*res_id = id;
	return t;
}

/* __uint(name, val) is `int (*name)[val]`. */
static int member_uint(const struct btf *btf, const struct btf_member *m,
		       uint32_t *val)
{
	const struct btf_type *t = skip_mods(btf, m->type, NULL), *a;

	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	a = skip_mods(btf, t->type, NULL);
	if (!a || !btf_is_array(a))
		return -EINVAL;
	*val = btf_array(a)->nelems;
	return 0;
}

/* __type(name, T) is `T *name`: T's id and size. */
static int member_type(const struct btf *btf, const struct btf_member *m,
		       uint32_t *tid, uint32_t *size)
{
	const struct btf_type *t = skip_mods(btf, m->type, NULL);
	long long sz;

	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	sz = btf__resolve_size(btf, t->type);
	if (sz <= 0 || sz > UINT32_MAX)
		return -EINVAL;
	*tid = t->type;
	*size = (uint32_t)sz;
	return 0;
}

static int parse_def_member(struct load_object *lo, struct lift_map *m,
			    struct load_map *lm, const struct btf_member *mem)
{
	const char *name = btf__name_by_offset(lo->btf, mem->name_off);
	uint32_t v, sz;
	int ret = 0;

	if (!name)
		return -EINVAL;
	if (!strcmp(name, "type"))
		ret = member_uint(lo->btf, mem, &m->type);
	else if (!strcmp(name, "max_entries"))
		ret = member_uint(lo->btf, mem, &m->max_entries);
	else if (!strcmp(name, "map_flags"))
		ret = member_uint(lo->btf, mem, &m->flags);
	else if (!strcmp(name, "key_size"))
		ret = member_uint(lo->btf, mem, &m->key_size);
	else if (!strcmp(name, "value_size"))
		ret = member_uint(lo->btf, mem, &m->value_size);
	else if (!strcmp(name, "numa_node") || !strcmp(name, "pinning") ||
		 !strcmp(name, "map_extra"))
		ret = member_uint(lo->btf, mem, &v);
	else if (!strcmp(name, "key")) {
		ret = member_type(lo->btf, mem, &lm->key_tid, &sz);
		m->key_size = sz;
	} else if (!strcmp(name, "value")) {
		ret = member_type(lo->btf, mem, &lm->val_tid, &sz);
		m->value_size = sz;
	} else if (!strcmp(name, "values")) {
		/* __array(values, ...): prog or inner map fds, 4 bytes; the
		 * initial values are relocations (init_values()) */
		if (m->value_size && m->value_size != 4)
			return -EINVAL;
		m->value_size = 4;
	}
	else
		return -ENOENT;
	return ret;
}

static int add_btf_map(struct load_object *lo,
		       const struct btf_var_secinfo *vsi, char *err,
		       size_t errsz)
{
	const struct btf_type *var = btf__type_by_id(lo->btf, vsi->type), *def;
	const struct btf_member *mem;
	struct lift_map *m;
	struct load_map *lm;
	const char *name;
	size_t i;
	GElf_Sym sym;
	int ret;

	if (!var || !btf_is_var(var))
		return fl_err(err, errsz, -EINVAL,
			      "%s: section '.maps': BTF entry %u is no "
			      "variable", lo->obj.path, vsi->type);
	name = btf__name_by_offset(lo->btf, var->name_off);
	def = skip_mods(lo->btf, var->type, NULL);
	if (!name || !def || !btf_is_struct(def))
		return fl_err(err, errsz, -EINVAL,
			      "%s: section '.maps': map '%s' is not a struct",
			      lo->obj.path, name ? name : "?");
	ret = load_maps__add(&lo->obj, &m);
	if (ret)
		return ret;
	lm = &lo->lmaps[lo->obj.n_maps - 1];
	m->name = strdup(name);
	if (!m->name)
		return -ENOMEM;
	lm->sec = lo->maps_sec;
	lm->def_tid = var->type;
	mem = btf_members(def);
	for (i = 0; i < btf_vlen(def); i++, mem++) {
		ret = parse_def_member(lo, m, lm, mem);
		if (ret)
			return fl_err(err, errsz, -EINVAL,
				      "%s: section '.maps': map '%s': bad or "
				      "unknown field '%s'", lo->obj.path, name,
				      btf__name_by_offset(lo->btf,
							  mem->name_off));
	}
	/* where the definition is: the symbol, as libbpf finds it */
	for (i = 1; i < lo->n_syms; i++) {
		if (load_elf__sym(lo, i, &sym) || sym.st_shndx != lo->maps_sec)
			continue;
		if (!strcmp(load_elf__sym_name(lo, &sym), name))
			break;
	}
	if (i == lo->n_syms)
		return fl_err(err, errsz, -EINVAL,
			      "%s: section '.maps': no symbol for map '%s'",
			      lo->obj.path, name);
	lm->sec_off = sym.st_value;
	lm->sec_sz = sym.st_size;
	if (!m->type || !m->key_size || !m->value_size || !m->max_entries) {
		if (m->type != BPF_MAP_TYPE_RINGBUF &&
		    m->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			return fl_err(err, errsz, -EINVAL,
				      "%s: map '%s': incomplete definition "
				      "(type %u key %u value %u entries %u)",
				      lo->obj.path, name, m->type, m->key_size,
				      m->value_size, m->max_entries);
	}
	if (m->type == BPF_MAP_TYPE_PROG_ARRAY &&
	    (m->key_size != 4 || m->value_size != 4))
		return fl_err(err, errsz, -EINVAL,
			      "%s: map '%s': prog array needs 4-byte keys and "
			      "values", lo->obj.path, name);
	return 0;
}

static int collect_btf_maps(struct load_object *lo, char *err, size_t errsz)
{
	const struct btf_var_secinfo *vsi;
	const struct btf_type *sec;
	int id, ret;
	size_t i;

	if (!lo->maps_sec)
		return 0;
	if (!lo->btf)
		return fl_err(err, errsz, -EINVAL,
			      "%s: section '.maps' without BTF", lo->obj.path);
	id = btf__find_by_name_kind(lo->btf, ".maps", BTF_KIND_DATASEC);
	sec = id > 0 ? btf__type_by_id(lo->btf, id) : NULL;
	if (!sec)
		return fl_err(err, errsz, -EINVAL,
			      "%s: no BTF for section '.maps'", lo->obj.path);
	vsi = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++) {
		ret = add_btf_map(lo, &vsi[i], err, errsz);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct {
	const char *pfx;
	enum lift_map_kind kind;
	uint32_t sh_type;
} data_secs[] = {
	{ ".data", LIFT_MAP_DATA, SHT_PROGBITS },
	{ ".rodata", LIFT_MAP_RODATA, SHT_PROGBITS },
	{ ".bss", LIFT_MAP_BSS, SHT_NOBITS },
};

static int data_kind(const struct load_sec *s)
{
	size_t i, n;

	if (s->shdr.sh_flags & SHF_EXECINSTR || !s->shdr.sh_size)
		return -1;
	for (i = 0; i < FL_ARRAY_SIZE(data_secs); i++) {
		n = strlen(data_secs[i].pfx);
		if (s->shdr.sh_type == data_secs[i].sh_type &&
		    !strncmp(s->name, data_secs[i].pfx, n) &&
		    (!s->name[n] || s->name[n] == '.'))
			return (int)data_secs[i].kind;
	}
	return -1;
}

static int add_data_map(struct load_object *lo, size_t sec, int kind,
			char *err, size_t errsz)
{
	struct load_sec *s = &lo->secs[sec];
	struct lift_map_entry *e;
	struct lift_map *m;
	int ret;

	if (s->shdr.sh_size > MAX_GLOBAL_DATA_BYTES)
		return fl_err(err, errsz, -EFBIG,
			      "%s: section '%s' is %llu bytes, more global "
			      "data than flowlift takes (%llu)", lo->obj.path,
			      s->name, (unsigned long long)s->shdr.sh_size,
			      MAX_GLOBAL_DATA_BYTES);
	ret = load_maps__add(&lo->obj, &m);
	if (ret)
		return ret;
	s->map_idx = (int)lo->obj.n_maps - 1;
	lo->lmaps[s->map_idx].sec = sec;
	m->name = strdup(s->name);
	m->kind = (enum lift_map_kind)kind;
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = (uint32_t)s->shdr.sh_size;
	m->max_entries = 1;
	m->flags = BPF_F_MMAPABLE;
	if (kind == LIFT_MAP_RODATA)
		m->flags |= BPF_F_RDONLY_PROG;
	e = calloc(1, sizeof(*e));
	if (!m->name || !e)
		goto nomem;
	e->key = calloc(1, 4);
	e->value = calloc(1, m->value_size);
	if (!e->key || !e->value)
		goto nomem;
	if (s->data)
		memcpy(e->value, s->data->d_buf, m->value_size);
	ret = load_map__set(m, e, 1, 1, err, errsz);
	m->src = LIFT_SRC_OBJECT;
	return ret;
nomem:
	if (e)
		load_map__free_ents(e, 1);
	return -ENOMEM;
}

int load_maps__collect(struct load_object *lo, char *err, size_t errsz)
{
	size_t i;
	int ret, kind;

	ret = collect_btf_maps(lo, err, errsz);
	for (i = 1; !ret && i < lo->n_secs; i++) {
		kind = data_kind(&lo->secs[i]);
		if (kind >= 0)
			ret = add_data_map(lo, i, kind, err, errsz);
	}
	for (i = 0; !ret && i < lo->obj.n_maps; i++) {
		struct lift_map *m = &lo->obj.maps[i];

		if (m->src == LIFT_SRC_NONE)
			ret = load_map__set(m, NULL, 0, 1, err, errsz);
	}
	return ret;
}

/* The map whose definition in .maps covers byte 'off'. */
static int map_covering(const struct load_object *lo, size_t off)
{
	size_t i;

	for (i = 0; i < lo->obj.n_maps; i++) {
		const struct load_map *lm = &lo->lmaps[i];

		if (lm->sec == lo->maps_sec && lo->obj.maps[i].kind ==
		    LIFT_MAP_USER && lm->sec_off <= off &&
		    off + 8 <= lm->sec_off + lm->sec_sz)
			return (int)i;
	}
	return -1;
}

/* Slot index of a .rel.maps entry at byte 'off' of map mi's definition. */
static int values_slot(const struct load_object *lo, int mi, size_t off,
		       uint32_t *slot)
{
	const struct btf_type *def = skip_mods(lo->btf, lo->lmaps[mi].def_tid,
					       NULL);
	const struct btf_member *last;
	size_t moff;

	if (!def || !btf_is_struct(def) || !btf_vlen(def))
		return -EINVAL;
	last = btf_members(def) + btf_vlen(def) - 1;
	if (strcmp(btf__name_by_offset(lo->btf, last->name_off) ?: "",
		   "values"))
		return -EINVAL;
	moff = off - lo->lmaps[mi].sec_off;
	if (moff < last->offset / 8 || (moff - last->offset / 8) % 8)
		return -EINVAL;
	*slot = (uint32_t)((moff - last->offset / 8) / 8);
	return 0;
}

static int prog_index(const struct lift_object *obj, const char *name)
{
	size_t i;

	for (i = 0; i < obj->n_progs; i++)
		if (!strcmp(obj->progs[i].name, name))
			return (int)i;
	return -1;
}

static int add_init(struct load_object *lo, int mi, uint32_t slot,
		    uint32_t prog)
{
	struct lift_map *m = &lo->obj.maps[mi];
	struct lift_map_entry *ne, *e;

	ne = realloc(m->ents, (m->n_ents + 1) * sizeof(*ne));
	if (!ne)
		return -ENOMEM;
	m->ents = ne;
	e = &ne[m->n_ents];
	e->key = malloc(4);
	e->value = malloc(4);
	if (!e->key || !e->value) {
		free(e->key);
		free(e->value);
		return -ENOMEM;
	}
	memcpy(e->key, &slot, 4);
	memcpy(e->value, &prog, 4);
	m->n_ents++;
	return 0;
}

static int rel_maps_one(struct load_object *lo, const GElf_Rel *r,
			char *err, size_t errsz)
{
	const char *path = lo->obj.path, *name = "?";
	uint32_t slot;
	GElf_Sym sym;
	int mi, pi;

	if (!load_elf__sym(lo, GELF_R_SYM(r->r_info), &sym))
		name = load_elf__sym_name(lo, &sym);
	mi = map_covering(lo, r->r_offset);
	if (mi < 0 || name[0] == '?')
		return fl_err(err, errsz, -EINVAL,
			      "%s: section '.rel.maps': relocation at offset "
			      "%llu against '%s' is in no map definition",
			      path, (unsigned long long)r->r_offset, name);
	if (lo->obj.maps[mi].type != BPF_MAP_TYPE_PROG_ARRAY)
		return fl_err(err, errsz, -EOPNOTSUPP,
			      "%s: map '%s': initial values (offset %llu, "
			      "'%s') are only supported for prog arrays",
			      path, lo->obj.maps[mi].name,
			      (unsigned long long)r->r_offset, name);
	pi = GELF_ST_TYPE(sym.st_info) == STT_FUNC ?
		prog_index(&lo->obj, name) : -1;
	if (pi < 0)
		return fl_err(err, errsz, -EINVAL,
			      "%s: map '%s': initial value '%s' is not a "
			      "program", path, lo->obj.maps[mi].name, name);
	if (values_slot(lo, mi, r->r_offset, &slot) ||
	    slot >= lo->obj.maps[mi].max_entries)
		return fl_err(err, errsz, -EINVAL,
			      "%s: map '%s': bad initial value slot at offset "
			      "%llu", path, lo->obj.maps[mi].name,
			      (unsigned long long)r->r_offset);
	return add_init(lo, mi, slot, (uint32_t)pi);
}

int load_maps__init_values(struct load_object *lo, char *err, size_t errsz)
{
	size_t rs = lo->maps_sec ? load_elf__rel_sec(lo, lo->maps_sec) : 0;
	size_t i, n;
	GElf_Rel r;
	int ret;

	if (!rs || !lo->secs[rs].data)
		return 0;
	n = lo->secs[rs].data->d_size / sizeof(Elf64_Rel);
	for (i = 0; i < n; i++) {
		if (!gelf_getrel(lo->secs[rs].data, (int)i, &r))
			return fl_err(err, errsz, -EINVAL,
				      "%s: section '.rel.maps': relocation %zu "
				      "unreadable", lo->obj.path, i);
		ret = rel_maps_one(lo, &r, err, errsz);
		if (ret)
			return ret;
	}
	for (i = 0; i < lo->obj.n_maps; i++) {
		struct lift_map *m = &lo->obj.maps[i];
		struct lift_map_entry *ents = m->ents;

		if (m->type != BPF_MAP_TYPE_PROG_ARRAY || !m->n_ents)
			continue;
		n = m->n_ents;
		m->ents = NULL;
		m->n_ents = 0;
		ret = load_map__set(m, ents, n, 1, err, errsz);
		if (ret)
			return ret;
		m->src = LIFT_SRC_OBJECT;
	}
	return 0;
}
