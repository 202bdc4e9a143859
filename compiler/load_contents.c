// SPDX-License-Identifier: Apache-2.0
/*
 * load_contents.c - a map's contents, whatever filled them (object, dump
 * file, live kernel): one canonical sorted entry list, the dense array
 * view, the digest, and lookups.
 *
 * Canonical order: arrays by index, LPM tries by (prefix length, data),
 * everything else by key bytes. LPM keys are stored with the bits past the
 * prefix cleared, as the trie ignores them. The digest is SHA-1 over the
 * entries in that order (key bytes, then all values), so a dump file and a
 * live read of the same contents give the same digest. Lookups are binary
 * searches; an LPM lookup probes each prefix length from the longest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "compiler/load_internal.h"

#define LPM_MAX_KEY 264

bool load_map__is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

bool load_map__is_array(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static bool is_indexed(uint32_t type)
{
	return load_map__is_array(type) || type == BPF_MAP_TYPE_PROG_ARRAY ||
	       type == BPF_MAP_TYPE_DEVMAP || type == BPF_MAP_TYPE_CPUMAP ||
	       type == BPF_MAP_TYPE_XSKMAP;
}

void load_map__free_ents(struct lift_map_entry *ents, size_t n)
{
	size_t i;

	for (i = 0; ents && i < n; i++) {
		free(ents[i].key);
		free(ents[i].value);
	}
	free(ents);
}

void load_map__clear(struct lift_map *m)
{
	load_map__free_ents(m->ents, m->n_ents);
	m->ents = NULL;
	m->n_ents = 0;
	free(m->array_data);
	m->array_data = NULL;
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static int cmp_key(const uint8_t *a, const uint8_t *b, const void *arg)
{
	const struct lift_map *m = arg;
	uint32_t x, y;

	if (is_indexed(m->type) || m->type == BPF_MAP_TYPE_LPM_TRIE) {
		x = get_u32(a);
		y = get_u32(b);
		if (x != y)
			return x < y ? -1 : 1;
		if (is_indexed(m->type))
			return 0;
		return memcmp(a + 4, b + 4, m->key_size - 4);
	}
	return memcmp(a, b, m->key_size);
}

static int cmp_ent(const void *a, const void *b, void *arg)
{
	const struct lift_map_entry *x = a, *y = b;

	return cmp_key(x->key, y->key, arg);
}

/* Clear the bits of an LPM key past its prefix; -EINVAL if too long. */
static int lpm_mask(uint8_t *key, uint32_t key_size)
{
	uint32_t plen = get_u32(key), bits = (key_size - 4) * 8, i;
	uint8_t *d = key + 4;

	if (plen > bits)
		return -EINVAL;
	for (i = plen; i < bits; i++)
		if (i % 8 == 0 && i + 8 <= bits) {
			d[i / 8] = 0;
			i += 7;
		} else {
			d[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
		}
	return 0;
}

static int check_keys(struct lift_map *m, struct lift_map_entry *ents,
		      size_t n, char *err, size_t errsz)
{
	size_t i;

	if (m->max_entries && n > m->max_entries)
		return fl_err(err, errsz, -E2BIG,
			      "map '%s': %zu entries, max_entries is %u",
			      m->name, n, m->max_entries);
	for (i = 0; i < n; i++) {
		if (m->type == BPF_MAP_TYPE_LPM_TRIE &&
		    (m->key_size < 5 || m->key_size > LPM_MAX_KEY ||
		     lpm_mask(ents[i].key, m->key_size)))
			return fl_err(err, errsz, -EINVAL,
				      "map '%s': entry %zu: prefix length %u "
				      "too long for a %u-byte key", m->name, i,
				      get_u32(ents[i].key), m->key_size);
		if (is_indexed(m->type) &&
		    (m->key_size != 4 || get_u32(ents[i].key) >=
		     m->max_entries))
			return fl_err(err, errsz, -EINVAL,
				      "map '%s': entry %zu: index %u out of "
				      "range (max_entries %u)", m->name, i,
				      get_u32(ents[i].key), m->max_entries);
	}
	return 0;
}

static void digest(struct lift_map *m)
{
	size_t i, vlen = (size_t)m->value_size * m->n_cpus;
	struct fl_sha1 s;

	fl_sha1__init(&s);
	for (i = 0; i < m->n_ents; i++) {
		fl_sha1__update(&s, m->ents[i].key, m->key_size);
		fl_sha1__update(&s, m->ents[i].value, vlen);
	}
	fl_sha1__final(&s, m->digest);
}

static int fill_array(struct lift_map *m, char *err, size_t errsz)
{
	uint64_t sz = (uint64_t)m->max_entries * m->value_size;
	size_t i;

	if (!load_map__is_array(m->type))
		return 0;
	/* A dense copy is kept: bound it (a corrupt object's 2 GiB array
	 * failed fuzz_elf's allocation limit; real arrays are far smaller). */
	if (sz > (1ULL << 28))
		return fl_err(err, errsz, -EFBIG,
			      "map '%s': array of %u x %u bytes is too large",
			      m->name, m->max_entries, m->value_size);
	m->array_data = calloc(1, sz ? sz : 1);
	if (!m->array_data)
		return -ENOMEM;
	for (i = 0; i < m->n_ents; i++)
		memcpy(m->array_data + (size_t)get_u32(m->ents[i].key) *
			       m->value_size,
		       m->ents[i].value, m->value_size);
	return 0;
}

int load_map__set(struct lift_map *m, struct lift_map_entry *ents, size_t n,
		  uint32_t n_cpus, char *err, size_t errsz)
{
	size_t i;
	int ret;

	load_map__clear(m);
	ret = check_keys(m, ents, n, err, errsz);
	if (ret) {
		load_map__free_ents(ents, n);
		return ret;
	}
	if (n > 1)
		qsort_r(ents, n, sizeof(*ents), cmp_ent, m);
	m->ents = ents;
	m->n_ents = n;
	m->n_cpus = n_cpus ? n_cpus : 1;
	for (i = 1; i < n; i++)
		if (!cmp_key(ents[i - 1].key, ents[i].key, m))
			return fl_err(err, errsz, -EINVAL,
				      "map '%s': duplicate key (entry %zu of "
				      "%zu in canonical order)", m->name, i, n);
	ret = fill_array(m, err, errsz);
	if (ret)
		return ret;
	digest(m);
	return 0;
}

static const struct lift_map_entry *find(const struct lift_map *m,
					 const uint8_t *key)
{
	size_t lo = 0, hi = m->n_ents, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = cmp_key(key, m->ents[mid].key, m);
		if (!c)
			return &m->ents[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static const uint8_t *lpm_lookup(const struct lift_map *m,
				 const uint8_t *key)
{
	uint8_t probe[LPM_MAX_KEY];
	const struct lift_map_entry *e;
	uint32_t plen = get_u32(key), bits;
	int64_t p;

	if (m->key_size < 5 || m->key_size > LPM_MAX_KEY)
		return NULL;
	bits = (m->key_size - 4) * 8;
	if (plen > bits)
		plen = bits;
	for (p = plen; p >= 0; p--) {
		uint32_t pl = (uint32_t)p;

		memcpy(probe, key, m->key_size);
		memcpy(probe, &pl, 4);
		lpm_mask(probe, m->key_size);
		e = find(m, probe);
		if (e)
			return e->value;
	}
	return NULL;
}

const uint8_t *lift_map__lookup(const struct lift_map *m, const uint8_t *key)
{
	const struct lift_map_entry *e;
	uint32_t idx;

	if (!m || !key)
		return NULL;
	if (m->array_data) {
		idx = get_u32(key);
		if (idx >= m->max_entries)
			return NULL;
		return m->array_data + (size_t)idx * m->value_size;
	}
	if (m->type == BPF_MAP_TYPE_LPM_TRIE)
		return lpm_lookup(m, key);
	e = find(m, key);
	return e ? e->value : NULL;
}
