// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz_dump.c - the map dump reader: the input as a `bpftool map dump -j`
 * file for every map of a real object (hash, array, per-CPU, LPM, global
 * data), and as a plain JSON document for common/'s DOM parser. A failed
 * load must leave the map as it was; a good one gives a sorted map.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "compiler/compiler.h"
#include "fuzz/fuzz.h"

static struct lift_object *obj;

static void load_all(const char *path)
{
	char err[512];

	for (size_t i = 0; i < obj->n_maps; i++) {
		struct lift_map *m = &obj->maps[i];
		uint8_t before[20];
		int ret;

		memcpy(before, m->digest, sizeof(before));
		err[0] = 0;
		ret = lift_object__load_dump(obj, m->name, path, err,
					     sizeof(err));
		if (ret) {
			FUZZ_ASSERT(err[0] || ret == -ENOMEM,
				    "map '%s': %d without a message", m->name,
				    ret);
			FUZZ_ASSERT(!memcmp(before, m->digest, 20),
				    "map '%s' changed by a failed load",
				    m->name);
			continue;
		}
		FUZZ_ASSERT(!m->max_entries || m->n_ents <= m->max_entries,
			    "map '%s': %zu entries", m->name, m->n_ents);
		for (size_t k = 0; k < m->n_ents; k++)
			(void)lift_map__lookup(m, m->ents[k].key);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_jval *v;
	char path[64], err[256];
	int fd;

	if (!obj) {
		obj = lift_object__open(FUZZ_DUMP_OBJ, err, sizeof(err));
		if (!obj) {
			fprintf(stderr, "%s\n", err);
			abort();
		}
	}
	v = fl_json_parse((const char *)data, size, err, sizeof(err));
	fl_jval__free(v);
	fd = fuzz_memfd(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	load_all(path);
	close(fd);
	return 0;
}
