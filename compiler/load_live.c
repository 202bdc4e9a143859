// SPDX-License-Identifier: Apache-2.0
/*
 * load_live.c - the online half: a loaded program (bpffs pin or "id:N")
 * checked against the object, and its maps read from the kernel.
 *
 * The program's tag must equal the one computed from the object (SHA-256
 * on Linux >= 6.18, SHA-1 before), so the rules come from exactly the code
 * that runs. The kernel's map ids of the program are matched to the
 * object's maps by name (the kernel keeps 15 characters; libbpf names
 * global data "<obj>.rodata" etc., so those match on the section suffix)
 * and checked against the definitions. Contents are read with
 * BPF_MAP_LOOKUP_BATCH where the map type has it, with get_next_key and
 * lookup otherwise. Prog array slots hold kernel program ids, which are
 * turned into object program indexes by tag.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/common.h"
#include "compiler/load_internal.h"

struct live_ctx {
	struct lift_object *obj;
	const char *spec;
	char *err;
	size_t errsz;
};

static int open_prog(struct live_ctx *c, int *fd)
{
	char *end;
	unsigned long id;

	if (!strncmp(c->spec, "id:", 3)) {
		errno = 0;
		id = strtoul(c->spec + 3, &end, 10);
		if (errno || *end || end == c->spec + 3 || id > UINT32_MAX)
			return fl_err(c->err, c->errsz, -EINVAL,
				      "bad program spec '%s' (want a pin path "
				      "or id:N)", c->spec);
		*fd = bpf_prog_get_fd_by_id((uint32_t)id);
	} else {
		*fd = bpf_obj_get(c->spec);
	}
	if (*fd < 0)
		return fl_err(c->err, c->errsz, -errno,
			      "%s: cannot open loaded program: %s", c->spec,
			      strerror(errno));
	return 0;
}

static void tag_hex(const uint8_t tag[8], char out[17])
{
	fl_hex(tag, 8, out);
}

static int check_tag(struct live_ctx *c, struct lift_prog *prog,
		     const struct bpf_prog_info *info)
{
	char have[17], want[17];

	if (!memcmp(info->tag, prog->tag, 8))
		return 0;
	if (!memcmp(info->tag, prog->tag_sha1, 8)) {
		/* an older kernel: its tag is the one users will see */
		memcpy(prog->tag, prog->tag_sha1, 8);
		return 0;
	}
	tag_hex(info->tag, have);
	tag_hex(prog->tag, want);
	return fl_err(c->err, c->errsz, -EKEYREJECTED,
		      "tag mismatch: loaded program id %u has tag %s, %s '%s' "
		      "has tag %s", info->id, have, c->obj->path, prog->name,
		      want);
}

/* Does kernel map name 'kname' name obj map m? */
static bool name_matches(const struct lift_map *m, const char *kname)
{
	size_t kl = strlen(kname), nl = strlen(m->name);

	if (m->kind == LIFT_MAP_USER)
		return !strncmp(kname, m->name, BPF_OBJ_NAME_LEN - 1) &&
		       kl == (nl < BPF_OBJ_NAME_LEN - 1 ? nl :
			      BPF_OBJ_NAME_LEN - 1);
	/* "<obj prefix><.rodata...>", both possibly truncated */
	if (kl >= nl)
		return !strcmp(kname + kl - nl, m->name);
	return kl == BPF_OBJ_NAME_LEN - 1 && strchr(kname, '.') &&
	       !strncmp(strchr(kname, '.'), m->name,
			kl - (size_t)(strchr(kname, '.') - kname));
}

static int check_def(struct live_ctx *c, const struct lift_map *m,
		     const struct bpf_map_info *mi)
{
	if (mi->type == m->type && mi->key_size == m->key_size &&
	    mi->value_size == m->value_size &&
	    mi->max_entries == m->max_entries &&
	    (m->kind != LIFT_MAP_USER || mi->map_flags == m->flags))
		return 0;
	return fl_err(c->err, c->errsz, -EINVAL,
		      "map '%s' (id %u): loaded as type %u key %u value %u "
		      "entries %u flags 0x%x, %s defines type %u key %u value "
		      "%u entries %u flags 0x%x", m->name, mi->id, mi->type,
		      mi->key_size, mi->value_size, mi->max_entries,
		      mi->map_flags, c->obj->path, m->type, m->key_size,
		      m->value_size, m->max_entries, m->flags);
}

/* Raw kernel value (per-CPU: 8-byte aligned slots) into ours. */
static int store(struct lift_map_entry *e, const struct lift_map *m,
		 const uint8_t *key, const uint8_t *kval, uint32_t n_cpus)
{
	uint32_t vs = m->value_size, k, slot = (vs + 7) & ~7u;

	e->key = malloc(m->key_size ? m->key_size : 1);
	e->value = malloc((size_t)vs * n_cpus + 1);
	if (!e->key || !e->value)
		return -ENOMEM;
	memcpy(e->key, key, m->key_size);
	if (n_cpus == 1 && !load_map__is_percpu(m->type))
		memcpy(e->value, kval, vs);
	else
		for (k = 0; k < n_cpus; k++)
			memcpy(e->value + (size_t)k * vs,
			       kval + (size_t)k * slot, vs);
	return 0;
}

struct ents {
	struct lift_map_entry *v;
	size_t n, cap;
};

static int ents_push(struct ents *es)
{
	if (es->n == es->cap) {
		size_t ncap = es->cap ? 2 * es->cap : 64;
		struct lift_map_entry *nv = realloc(es->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		memset(nv + es->cap, 0, (ncap - es->cap) * sizeof(*nv));
		es->v = nv;
		es->cap = ncap;
	}
	es->n++;
	return 0;
}

static int read_batch(int fd, const struct lift_map *m, uint32_t n_cpus,
		      size_t vslot, struct ents *es)
{
	uint32_t cnt, chunk = m->max_entries ? m->max_entries : 1, i;
	uint8_t *keys, *vals, *in = NULL, *out;
	size_t ksz = m->key_size ? m->key_size : 1;
	bool first = true, done = false;
	int ret = 0;

	if (chunk > 4096)
		chunk = 4096;
	keys = malloc(chunk * ksz);
	vals = malloc(chunk * vslot);
	out = malloc(ksz < 8 ? 8 : ksz);
	in = malloc(ksz < 8 ? 8 : ksz);
	if (!keys || !vals || !out || !in) {
		ret = -ENOMEM;
		goto out;
	}
	while (!done && !ret) {
		cnt = chunk;
		ret = bpf_map_lookup_batch(fd, first ? NULL : in, out, keys,
					   vals, &cnt, NULL);
		if (ret < 0 && errno == ENOENT) {
			ret = 0;
			done = true;
		} else if (ret < 0) {
			ret = -errno;
			break;
		}
		for (i = 0; i < cnt && !ret; i++) {
			ret = ents_push(es);
			if (!ret)
				ret = store(&es->v[es->n - 1], m,
					    keys + i * ksz, vals + i * vslot,
					    n_cpus);
		}
		memcpy(in, out, ksz < 8 ? 8 : ksz);
		first = false;
	}
out:
	free(keys);
	free(vals);
	free(out);
	free(in);
	return ret;
}

static int read_iter(int fd, const struct lift_map *m, uint32_t n_cpus,
		     size_t vslot, struct ents *es)
{
	size_t ksz = m->key_size ? m->key_size : 1;
	uint8_t *key = malloc(ksz), *next = malloc(ksz), *val;
	bool first = true;
	int ret = 0;

	val = malloc(vslot);
	if (!key || !next || !val) {
		ret = -ENOMEM;
		goto out;
	}
	while (!ret) {
		if (bpf_map_get_next_key(fd, first ? NULL : key, next)) {
			ret = errno == ENOENT ? 0 : -errno;
			break;
		}
		first = false;
		memcpy(key, next, ksz);
		if (bpf_map_lookup_elem(fd, key, val)) {
			if (errno == ENOENT)
				continue; /* deleted meanwhile, empty slot */
			ret = -errno;
			break;
		}
		ret = ents_push(es);
		if (!ret)
			ret = store(&es->v[es->n - 1], m, key, val, n_cpus);
	}
out:
	free(key);
	free(next);
	free(val);
	return ret;
}

/* Prog array: kernel prog ids → indexes into obj->progs, by tag. */
static int map_prog_ids(struct live_ctx *c, const struct lift_map *m,
			struct ents *es)
{
	struct bpf_prog_info pi;
	uint32_t id, len, k, idx;
	size_t i, p;
	char have[17];
	int fd;

	for (i = 0; i < es->n; i++) {
		memcpy(&id, es->v[i].value, 4);
		memcpy(&k, es->v[i].key, 4);
		fd = bpf_prog_get_fd_by_id(id);
		memset(&pi, 0, sizeof(pi));
		len = sizeof(pi);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &pi, &len)) {
			if (fd >= 0)
				close(fd);
			return fl_err(c->err, c->errsz, -errno,
				      "map '%s' slot %u: program id %u: %s",
				      m->name, k, id, strerror(errno));
		}
		close(fd);
		for (p = 0; p < c->obj->n_progs; p++)
			if (!memcmp(pi.tag, c->obj->progs[p].tag, 8) ||
			    !memcmp(pi.tag, c->obj->progs[p].tag_sha1, 8))
				break;
		if (p == c->obj->n_progs) {
			tag_hex(pi.tag, have);
			return fl_err(c->err, c->errsz, -ENOENT,
				      "map '%s' slot %u: program id %u (tag "
				      "%s) is not in %s", m->name, k, id, have,
				      c->obj->path);
		}
		idx = (uint32_t)p;
		memcpy(es->v[i].value, &idx, 4);
	}
	return 0;
}

static int dump_map(struct live_ctx *c, struct lift_map *m, int fd,
		    uint32_t id)
{
	bool percpu = load_map__is_percpu(m->type);
	uint32_t n_cpus = 1;
	struct ents es = { 0 };
	char src[32];
	size_t vslot;
	int ret, ncpu;

	if (percpu) {
		ncpu = libbpf_num_possible_cpus();
		if (ncpu <= 0)
			return fl_err(c->err, c->errsz, ncpu ? ncpu : -EINVAL,
				      "cannot count possible CPUs");
		n_cpus = (uint32_t)ncpu;
	}
	vslot = percpu ? (size_t)((m->value_size + 7) & ~7u) * n_cpus :
			 m->value_size;
	ret = read_batch(fd, m, n_cpus, vslot ? vslot : 1, &es);
	if (ret == -EINVAL || ret == -ENOTSUP || ret == -EOPNOTSUPP ||
	    ret == -524 /* ENOTSUPP */) {
		load_map__free_ents(es.v, es.n);
		memset(&es, 0, sizeof(es));
		ret = read_iter(fd, m, n_cpus, vslot ? vslot : 1, &es);
	}
	if (ret) {
		load_map__free_ents(es.v, es.n);
		return fl_err(c->err, c->errsz, ret,
			      "map '%s' (id %u): cannot read: %s", m->name, id,
			      strerror(-ret));
	}
	if (m->type == BPF_MAP_TYPE_PROG_ARRAY) {
		ret = map_prog_ids(c, m, &es);
		if (ret) {
			load_map__free_ents(es.v, es.n);
			return ret;
		}
	}
	snprintf(src, sizeof(src), "id:%u", id);
	return load_map__commit(m, es.v, es.n, n_cpus, LIFT_SRC_LIVE, src,
				c->err, c->errsz);
}

static int match_map(struct live_ctx *c, const uint32_t *used, int n_used,
		     uint32_t map_id, uint32_t *done)
{
	struct bpf_map_info mi;
	uint32_t len = sizeof(mi);
	int fd, i, ret = 0;

	fd = bpf_map_get_fd_by_id(map_id);
	memset(&mi, 0, sizeof(mi));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &mi, &len)) {
		ret = fl_err(c->err, c->errsz, -errno, "map id %u: %s", map_id,
			     strerror(errno));
		goto out;
	}
	for (i = 0; i < n_used; i++) {
		struct lift_map *m = &c->obj->maps[used[i]];

		if (done[i] || !name_matches(m, mi.name))
			continue;
		ret = check_def(c, m, &mi);
		if (!ret)
			ret = dump_map(c, m, fd, map_id);
		done[i] = 1;
		break;
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

static int prog_info(struct live_ctx *c, int fd, struct bpf_prog_info *info,
		     uint32_t **map_ids)
{
	uint32_t len = sizeof(*info), n;

	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return fl_err(c->err, c->errsz, -errno, "%s: %s", c->spec,
			      strerror(errno));
	n = info->nr_map_ids;
	*map_ids = calloc(n ? n : 1, sizeof(**map_ids));
	if (!*map_ids)
		return -ENOMEM;
	memset(info, 0, sizeof(*info));
	info->nr_map_ids = n;
	info->map_ids = (uint64_t)(uintptr_t)*map_ids;
	len = sizeof(*info);
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return fl_err(c->err, c->errsz, -errno, "%s: %s", c->spec,
			      strerror(errno));
	if (info->nr_map_ids > n)
		return fl_err(c->err, c->errsz, -EAGAIN,
			      "%s: map ids changed while reading", c->spec);
	return 0;
}

int lift_object__load_live(struct lift_object *obj, struct lift_prog *prog,
			   const char *spec, char *err, size_t errsz)
{
	struct live_ctx c = { .obj = obj, .spec = spec, .err = err,
			      .errsz = errsz };
	uint32_t *map_ids = NULL, *used = NULL, *done = NULL, i;
	struct bpf_prog_info info;
	int fd = -1, n_used = 0, ret, k;

	ret = open_prog(&c, &fd);
	ret = ret ?: prog_info(&c, fd, &info, &map_ids);
	ret = ret ?: check_tag(&c, prog, &info);
	if (ret)
		goto out;
	n_used = lift_prog__maps(obj, prog, &used);
	done = calloc(n_used > 0 ? (size_t)n_used : 1, sizeof(*done));
	if (n_used < 0 || !done) {
		ret = n_used < 0 ? n_used : -ENOMEM;
		goto out;
	}
	for (i = 0; !ret && i < info.nr_map_ids; i++)
		ret = match_map(&c, used, n_used, map_ids[i], done);
	for (k = 0; !ret && k < n_used; k++)
		if (!done[k])
			ret = fl_err(err, errsz, -ENOENT,
				     "%s: program uses map '%s' but the loaded "
				     "program (id %u) has no such map", spec,
				     obj->maps[used[k]].name, info.id);
out:
	if (ret == -ENOMEM)
		fl_err(err, errsz, ret, "%s: out of memory", spec);
	if (fd >= 0)
		close(fd);
	free(map_ids);
	free(used);
	free(done);
	return ret;
}
