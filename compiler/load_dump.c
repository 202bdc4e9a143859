// SPDX-License-Identifier: Apache-2.0
/*
 * load_dump.c - map contents from a `bpftool map dump -j` file.
 *
 * The file is a JSON array with one object per entry. Keys and values come
 * in bpftool's hex form ("key": ["0x0a", ...], "value": [...], per-CPU maps
 * "values": [{"cpu": 0, "value": [...]}, ...]) and, for maps with BTF, also
 * in the formatted form, either under "formatted" or directly as "key"/
 * "value" when no hex is given. Hex wins when both are present. Sizes are
 * checked against the map's definition. Contents are swapped in only when
 * the whole file is good.
 *
 * Memory: the file is streamed (common/'s fl_jstream), one entry's DOM at
 * a time, so a dump costs its contents plus one entry whatever its size; a
 * dump with more entries than max_entries stops at the first one too many.
 * Pipes work as well as files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "compiler/load_internal.h"

struct dump_ctx {
	struct load_object *lo;
	struct lift_map *m;
	uint32_t key_tid, val_tid;
	const char *path;
	char *err;
	size_t errsz;
	uint32_t n_cpus; /* from the first per-CPU entry */
};

static int hex_bytes(struct dump_ctx *d, size_t i, const char *what,
		     const struct fl_jval *v, uint8_t *out, uint32_t size)
{
	size_t k;

	if (v->n != size)
		return fl_err(d->err, d->errsz, -EINVAL,
			      "%s: map '%s': entry %zu: %s is %zu bytes, map "
			      "%s_size is %u", d->path, d->m->name, i, what,
			      v->n, what, size);
	for (k = 0; k < v->n; k++)
		if (v->items[k].type != FL_JSTR ||
		    fl_unhex(v->items[k].str, &out[k], 1))
			return fl_err(d->err, d->errsz, -EINVAL,
				      "%s:%zu: map '%s': entry %zu: %s byte "
				      "%zu is not a hex byte", d->path,
				      v->items[k].line, d->m->name, i, what, k);
	return 0;
}

/* One key or value, hex or formatted, into out[size]. */
static int one(struct dump_ctx *d, size_t i, const char *what,
	       const struct fl_jval *v, uint32_t tid, uint8_t *out,
	       uint32_t size)
{
	const struct fl_jval *e;
	char ctx[160];

	if (v->type == FL_JARR && v->n && v->items[0].type == FL_JSTR &&
	    !strncmp(v->items[0].str, "0x", 2))
		return hex_bytes(d, i, what, v, out, size);
	if (v->type == FL_JARR && !v->n && !size)
		return 0;
	e = v->type == FL_JOBJ ? fl_jval__get(v, "error") : NULL;
	if (e && e->type == FL_JSTR)
		return fl_err(d->err, d->errsz, -EINVAL,
			      "%s:%zu: map '%s': entry %zu: bpftool could not "
			      "read the %s: %s", d->path, v->line, d->m->name,
			      i, what, e->str);
	snprintf(ctx, sizeof(ctx), "%s:%zu: map '%s': entry %zu: %s",
		 d->path, v->line, d->m->name, i, what);
	return load_btfjson__to_bytes(d->lo->btf, tid, v, out, size, ctx,
				      d->err, d->errsz);
}

/* "values": [{"cpu": N, "value": ...}] into n_cpus values. */
static int percpu(struct dump_ctx *d, size_t i, const struct fl_jval *vals,
		  uint8_t **out)
{
	uint32_t vs = d->m->value_size;
	size_t k;
	int ret;

	if (vals->type != FL_JARR || !vals->n)
		return fl_err(d->err, d->errsz, -EINVAL,
			      "%s:%zu: map '%s': entry %zu: \"values\" is not "
			      "a list of per-CPU values", d->path, vals->line,
			      d->m->name, i);
	if (!d->n_cpus)
		d->n_cpus = (uint32_t)vals->n;
	if (vals->n != d->n_cpus)
		return fl_err(d->err, d->errsz, -EINVAL,
			      "%s:%zu: map '%s': entry %zu has %zu CPUs, "
			      "entry 0 has %u", d->path, vals->line,
			      d->m->name, i, vals->n, d->n_cpus);
	*out = calloc(vals->n, vs ? vs : 1);
	if (!*out)
		return -ENOMEM;
	for (k = 0; k < vals->n; k++) {
		const struct fl_jval *c = &vals->items[k];
		const struct fl_jval *cpu = fl_jval__get(c, "cpu");
		const struct fl_jval *v = fl_jval__get(c, "value");
		size_t slot = k;

		if (cpu && cpu->type == FL_JNUM && cpu->num >= 0 &&
		    cpu->num < (double)vals->n)
			slot = (size_t)cpu->num;
		if (!v)
			return fl_err(d->err, d->errsz, -EINVAL,
				      "%s:%zu: map '%s': entry %zu: CPU %zu "
				      "has no \"value\"", d->path, c->line,
				      d->m->name, i, k);
		ret = one(d, i, "value", v, d->val_tid, *out + slot * vs, vs);
		if (ret)
			return ret;
	}
	return 0;
}

static int entry(struct dump_ctx *d, size_t i, const struct fl_jval *item,
		 struct lift_map_entry *e)
{
	const struct fl_jval *fmt = fl_jval__get(item, "formatted");
	const struct fl_jval *key = fl_jval__get(item, "key");
	const char *vname = load_map__is_percpu(d->m->type) ? "values" :
							       "value";
	const struct fl_jval *val = fl_jval__get(item, vname);
	int ret;

	if (item->type != FL_JOBJ)
		return fl_err(d->err, d->errsz, -EINVAL,
			      "%s:%zu: map '%s': entry %zu is not an object",
			      d->path, item->line, d->m->name, i);
	if (!key && fmt)
		key = fl_jval__get(fmt, "key");
	if (!val && fmt)
		val = fl_jval__get(fmt, vname);
	if (!key || !val)
		return fl_err(d->err, d->errsz, -EINVAL,
			      "%s:%zu: map '%s': entry %zu has no \"key\" or "
			      "\"%s\"", d->path, item->line, d->m->name, i,
			      vname);
	e->key = calloc(1, d->m->key_size ? d->m->key_size : 1);
	if (!e->key)
		return -ENOMEM;
	ret = one(d, i, "key", key, d->key_tid, e->key, d->m->key_size);
	if (ret)
		return ret;
	if (load_map__is_percpu(d->m->type))
		return percpu(d, i, val, &e->value);
	e->value = calloc(1, d->m->value_size ? d->m->value_size : 1);
	if (!e->value)
		return -ENOMEM;
	return one(d, i, "value", val, d->val_tid, e->value,
		   d->m->value_size);
}

int load_map__commit(struct lift_map *m, struct lift_map_entry *ents,
		     size_t n, uint32_t n_cpus, enum lift_map_src src,
		     const char *src_path, char *err, size_t errsz)
{
	struct lift_map tmp = *m;
	char *sp = src_path ? strdup(src_path) : NULL;
	int ret;

	if (src_path && !sp) {
		load_map__free_ents(ents, n);
		return -ENOMEM;
	}
	tmp.ents = NULL;
	tmp.n_ents = 0;
	tmp.array_data = NULL;
	ret = load_map__set(&tmp, ents, n, n_cpus, err, errsz);
	if (ret) {
		load_map__clear(&tmp);
		free(sp);
		return ret;
	}
	load_map__clear(m);
	free(m->src_path);
	*m = tmp;
	m->src = src;
	m->src_path = sp;
	return 0;
}

/* Error objects and non-arrays, as bpftool writes them on failure. */
static int not_a_dump(struct dump_ctx *d, const struct fl_jval *root)
{
	const struct fl_jval *e;

	e = root->type == FL_JOBJ ? fl_jval__get(root, "error") : NULL;
	if (e && e->type == FL_JSTR)
		return fl_err(d->err, d->errsz, -EINVAL,
			      "%s: the dump is an error from bpftool: %s",
			      d->path, e->str);
	return fl_err(d->err, d->errsz, -EINVAL,
		      "%s: not a `bpftool map dump -j` array", d->path);
}

static int add_entry(struct dump_ctx *d, const struct fl_jval *item,
		     struct lift_map_entry **ents, size_t *n, size_t *cap)
{
	uint32_t max = d->m->max_entries;
	size_t i;

	if (max && *n >= max)
		return fl_err(d->err, d->errsz, -E2BIG,
			      "%s:%zu: map '%s': more than max_entries (%u) "
			      "entries", d->path, item->line, d->m->name, max);
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct lift_map_entry *ne;

		ne = realloc(*ents, ncap * sizeof(**ents));
		if (!ne)
			return -ENOMEM;
		memset(ne + *cap, 0, (ncap - *cap) * sizeof(*ne));
		*ents = ne;
		*cap = ncap;
	}
	i = (*n)++; /* counted now so that a failed entry is freed too */
	return entry(d, i, item, &(*ents)[i]);
}

/* Entries one at a time off the stream: memory is the contents plus one
 * entry's DOM, whatever the size of the file. */
static int parse_entries(struct dump_ctx *d, struct fl_jstream *js)
{
	struct lift_map_entry *ents = NULL;
	size_t n = 0, cap = 0;
	struct fl_jval *item;
	char jerr[256];
	int ret;

	for (;;) {
		ret = fl_jstream__next(js, &item, jerr, sizeof(jerr));
		if (ret <= 0)
			break;
		if (!fl_jstream__is_array(js))
			ret = not_a_dump(d, item);
		else
			ret = add_entry(d, item, &ents, &n, &cap);
		fl_jval__free(item);
		if (ret)
			goto fail;
	}
	if (ret < 0) {
		if (ret != -ENOMEM)
			fl_err(d->err, d->errsz, ret, "%s:%s", d->path, jerr);
		goto fail;
	}
	if (!ents && !(ents = calloc(1, sizeof(*ents))))
		return -ENOMEM;
	ret = load_map__commit(d->m, ents, n,
			       load_map__is_percpu(d->m->type) ? d->n_cpus : 1,
			       LIFT_SRC_DUMP, d->path, d->err, d->errsz);
	if (ret && d->err && ret != -ENOMEM) {
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s", d->err);
		fl_err(d->err, d->errsz, ret, "%s: %s", d->path, tmp);
	}
	return ret;
fail:
	load_map__free_ents(ents, n);
	return ret;
}

int lift_object__load_dump(struct lift_object *obj, const char *name,
			   const char *path, char *err, size_t errsz)
{
	struct dump_ctx d = { .lo = load_obj(obj), .path = path, .err = err,
			      .errsz = errsz };
	struct fl_jstream *js;
	FILE *f;
	int ret;

	d.m = lift_object__find_map(obj, name);
	if (!d.m)
		return fl_err(err, errsz, -ENOENT, "%s: no map '%s'",
			      obj->path, name);
	if (d.m->type == BPF_MAP_TYPE_PROG_ARRAY)
		return fl_err(err, errsz, -EOPNOTSUPP,
			      "%s: map '%s' is a prog array: a dump holds "
			      "kernel program ids, which mean nothing offline; "
			      "use the object's declarative init or --live",
			      path, name);
	d.key_tid = d.lo->lmaps[d.m - obj->maps].key_tid;
	d.val_tid = d.lo->lmaps[d.m - obj->maps].val_tid;
	f = fopen(path, "re");
	if (!f)
		return fl_err(err, errsz, -errno, "%s: %s", path,
			      strerror(errno));
	js = fl_jstream__new(f);
	if (!js) {
		fclose(f);
		return fl_err(err, errsz, -ENOMEM, "%s: out of memory", path);
	}
	ret = parse_entries(&d, js);
	fl_jstream__free(js);
	fclose(f);
	if (ret == -ENOMEM)
		fl_err(err, errsz, ret, "%s: out of memory", path);
	return ret;
}
