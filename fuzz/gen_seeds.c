// SPDX-License-Identifier: Apache-2.0
/*
 * gen_seeds.c - seed corpora that need translating from testsuite/ files:
 *   gen_seeds lift OUTDIR OBJ...     one seed per program: option byte
 *                                    (hook) + its instructions
 *   gen_seeds nl OUTDIR FLOWER...    one RTM_NEWTFILTER message per
 *                                    "filter add" line of tc -batch files
 */
#include <libgen.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "backends/backends_internal.h"
#include "compiler/compiler.h"

static int write_seed(const char *dir, const char *base, size_t i,
		      const void *a, size_t alen, const void *b, size_t blen)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%zu", dir, base, i);
	f = fopen(path, "w");
	if (!f || fwrite(a, 1, alen, f) != alen ||
	    fwrite(b, 1, blen, f) != blen) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

static int lift_seeds(const char *dir, const char *path)
{
	char err[512], *copy = strdup(path);
	struct lift_object *obj = lift_object__open(path, err, sizeof(err));
	int ret = 0;

	if (!obj) {
		fprintf(stderr, "%s\n", err);
		free(copy);
		return -1;
	}
	for (size_t i = 0; !ret && i < obj->n_progs; i++) {
		const struct lift_prog *p = &obj->progs[i];
		uint8_t opt = p->type == BPF_PROG_TYPE_XDP;
		size_t n = p->n_insns < 512 ? p->n_insns : 512;

		ret = write_seed(dir, basename(copy), i, &opt, 1, p->insns,
				 n * sizeof(*p->insns));
	}
	lift_object__free(obj);
	free(copy);
	return ret;
}

static int nl_seeds(const char *dir, const char *path)
{
	struct be_opts o = { .dev = "eth0" };
	char *line = NULL, *copy = strdup(path), err[512];
	size_t cap = 0, i = 0;
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f) {
		perror(path);
		free(copy);
		return -1;
	}
	while (!ret && getline(&line, &cap, f) > 0) {
		struct be_flower_filter flt;
		char buf[8192];
		struct nlmsghdr *nlh;

		line[strcspn(line, "\n")] = 0;
		if (strncmp(line, "filter add", 10))
			continue;
		if (be_flower_parse_line(line, &o, &flt, err, sizeof(err)))
			continue; /* chain/qdisc lines flowlift does not model */
		flt.ifindex = 1;
		nlh = be_flower_nl__encode(buf, sizeof(buf), RTM_NEWTFILTER, 0,
					   &flt, &o, err, sizeof(err));
		if (nlh)
			ret = write_seed(dir, basename(copy), i++, nlh,
					 nlh->nlmsg_len, "", 0);
		ir_rule__fini(&flt.rule);
	}
	free(line);
	free(copy);
	fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	int (*fn)(const char *, const char *);

	if (argc < 3) {
		fprintf(stderr, "usage: gen_seeds lift|nl OUTDIR FILE...\n");
		return 2;
	}
	fn = !strcmp(argv[1], "lift") ? lift_seeds : nl_seeds;
	for (int i = 3; i < argc; i++)
		if (fn(argv[2], argv[i]))
			return 1;
	return 0;
}
