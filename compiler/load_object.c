// SPDX-License-Identifier: Apache-2.0
/*
 * load_object.c - lift_object__open() and friends: the loader's pipeline
 * (ELF → BTF → maps → programs → declarative map init) and the accessors
 * the lifter and the command use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "common/common.h"
#include "compiler/load_internal.h"

static int load_btf(struct load_object *lo, char *err, size_t errsz)
{
	size_t i;

	for (i = 1; i < lo->n_secs; i++) {
		const struct load_sec *s = &lo->secs[i];

		if (strcmp(s->name, ".BTF") || !s->data)
			continue;
		lo->btf = btf__new(s->data->d_buf, (uint32_t)s->data->d_size);
		if (!lo->btf)
			return fl_err(err, errsz, -EINVAL,
				      "%s: section '.BTF': corrupt BTF (%s)",
				      lo->obj.path, strerror(errno));
		return 0;
	}
	return 0;
}

static char *object_name(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return strndup(b, strcspn(b, "."));
}

struct lift_object *lift_object__open(const char *path, char *err,
				      size_t errsz)
{
	struct load_object *lo = calloc(1, sizeof(*lo));
	int ret;

	if (!lo || !(lo->obj.path = strdup(path)) ||
	    !(lo->obj_name = object_name(path))) {
		ret = fl_err(err, errsz, -ENOMEM, "out of memory");
		goto fail;
	}
	lo->image = fl_read_file(path, &lo->image_len);
	if (!lo->image) {
		ret = fl_err(err, errsz, -errno, "%s: %s", path,
			     strerror(errno));
		goto fail;
	}
	ret = load_elf__open(lo, err, errsz);
	ret = ret ?: load_btf(lo, err, errsz);
	ret = ret ?: load_lines__check_core(lo, err, errsz);
	ret = ret ?: load_maps__collect(lo, err, errsz);
	ret = ret ?: load_reloc__progs(lo, err, errsz);
	ret = ret ?: load_maps__init_values(lo, err, errsz);
	if (ret == -ENOMEM)
		fl_err(err, errsz, ret, "%s: out of memory", path);
	if (!ret)
		return &lo->obj;
fail:
	lift_object__free(lo ? &lo->obj : NULL);
	errno = ret < 0 ? -ret : EINVAL;
	return NULL;
}

void lift_object__free(struct lift_object *obj)
{
	struct load_object *lo;
	size_t i;

	if (!obj)
		return;
	lo = load_obj(obj);
	for (i = 0; i < obj->n_progs; i++) {
		free(obj->progs[i].name);
		free(obj->progs[i].sec);
		free(obj->progs[i].insns);
		free(obj->progs[i].lines);
	}
	free(obj->progs);
	for (i = 0; i < obj->n_maps; i++) {
		load_map__clear(&obj->maps[i]);
		free(obj->maps[i].name);
		free(obj->maps[i].src_path);
	}
	free(obj->maps);
	free(obj->license);
	free(obj->path);
	btf__free(lo->btf);
	if (lo->elf)
		elf_end(lo->elf);
	free(lo->image);
	free(lo->secs);
	free(lo->funcs);
	free(lo->lmaps);
	free(lo->obj_name);
	free(lo);
}

static int list_progs(const struct lift_object *obj, const char *sec,
		      char *buf, size_t sz)
{
	size_t i, n = 0, used = 0;

	buf[0] = 0;
	for (i = 0; i < obj->n_progs; i++) {
		if (sec && strcmp(obj->progs[i].sec, sec))
			continue;
		if (used < sz)
			used += (size_t)snprintf(buf + used, sz - used,
						 "%s%s (%s)", n ? ", " : "",
						 obj->progs[i].name,
						 obj->progs[i].sec);
		n++;
	}
	return (int)n;
}

struct lift_prog *lift_object__find_prog(struct lift_object *obj,
					 const char *name, char *err,
					 size_t errsz)
{
	struct lift_prog *found = NULL;
	char names[256];
	size_t i;
	int n;

	if (!name) {
		if (obj->n_progs == 1)
			return &obj->progs[0];
		list_progs(obj, NULL, names, sizeof(names));
		fl_err(err, errsz, -EINVAL,
		       "%s: %zu programs, pick one with --prog: %s",
		       obj->path, obj->n_progs, names);
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < obj->n_progs; i++)
		if (!strcmp(obj->progs[i].name, name))
			return &obj->progs[i];
	n = list_progs(obj, name, names, sizeof(names));
	for (i = 0; n == 1 && i < obj->n_progs; i++)
		if (!strcmp(obj->progs[i].sec, name))
			found = &obj->progs[i];
	if (found)
		return found;
	if (n > 1) {
		fl_err(err, errsz, -EINVAL,
		       "%s: section '%s' holds %d programs, pick one by name: "
		       "%s", obj->path, name, n, names);
		errno = EINVAL;
		return NULL;
	}
	list_progs(obj, NULL, names, sizeof(names));
	fl_err(err, errsz, -ENOENT,
	       "%s: no program or section '%s' (programs: %s)", obj->path,
	       name, names);
	errno = ENOENT;
	return NULL;
}

struct lift_map *lift_object__find_map(struct lift_object *obj,
				       const char *name)
{
	size_t i;

	for (i = 0; obj && name && i < obj->n_maps; i++)
		if (!strcmp(obj->maps[i].name, name))
			return &obj->maps[i];
	return NULL;
}

const struct lift_line *lift_prog__line(const struct lift_prog *prog,
					size_t insn)
{
	if (!prog || !prog->lines || insn >= prog->n_insns ||
	    !prog->lines[insn].file)
		return NULL;
	return &prog->lines[insn];
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int lift_prog__maps(const struct lift_object *obj,
		    const struct lift_prog *prog, uint32_t **out)
{
	uint32_t *ids;
	size_t i, n = 0, u = 0;

	*out = NULL;
	ids = malloc((prog->n_insns + 1) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (i = 0; i + 1 < prog->n_insns; i++) {
		const struct bpf_insn *in = &prog->insns[i];

		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if ((in->src_reg == BPF_PSEUDO_MAP_FD ||
		     in->src_reg == BPF_PSEUDO_MAP_VALUE) && in->imm >= 0 &&
		    (size_t)in->imm < obj->n_maps)
			ids[n++] = (uint32_t)in->imm;
		i++;
	}
	qsort(ids, n, sizeof(*ids), cmp_u32);
	for (i = 0; i < n; i++)
		if (!u || ids[u - 1] != ids[i])
			ids[u++] = ids[i];
	*out = ids;
	return (int)u;
}
