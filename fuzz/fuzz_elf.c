// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz_elf.c - the ELF loader on arbitrary bytes: lift_object__open must
 * refuse cleanly or give an object whose programs and maps are usable.
 */
#include <unistd.h>

#include "compiler/compiler.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lift_object *obj;
	char path[64], err[512] = "";
	int fd = fuzz_memfd(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	obj = lift_object__open(path, err, sizeof(err));
	close(fd);
	if (!obj) {
		FUZZ_ASSERT(err[0], "rejected without a message");
		return 0;
	}
	for (size_t i = 0; i < obj->n_progs; i++) {
		struct lift_prog *p = &obj->progs[i];
		uint32_t *maps = NULL;
		int n = lift_prog__maps(obj, p, &maps);

		for (int k = 0; k < n; k++)
			FUZZ_ASSERT(maps[k] < obj->n_maps, "map index %u",
				    maps[k]);
		free(maps);
		for (size_t k = 0; k < p->n_insns; k++)
			(void)lift_prog__line(p, k);
		FUZZ_ASSERT(p->n_main <= p->n_insns, "n_main %zu > %zu",
			    p->n_main, p->n_insns);
	}
	lift_object__free(obj);
	return 0;
}
