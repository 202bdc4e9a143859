// SPDX-License-Identifier: Apache-2.0
/* pipeline.c - see pipeline.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/pipeline.h"

static int push_map(struct fl_pipeline *pl, char *s)
{
	char *eq = strchr(s, '=');
	char **m;

	if (!eq || eq == s || !eq[1])
		return -EINVAL;
	m = realloc(pl->maps, (pl->n_maps + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	pl->maps = m;
	pl->maps[pl->n_maps++] = s;
	return 0;
}

static const struct {
	const char *name;
	enum be_offload v;
} offloads[] = {
	{ "hw", BE_OFFLOAD_HW },
	{ "sw", BE_OFFLOAD_SW },
	{ "both", BE_OFFLOAD_BOTH },
};

/* The output options; as fl_pipeline__option. */
static int output_option(struct fl_pipeline *pl, int opt, char *arg,
			 const struct fl_ctx *ctx, const char *cmd)
{
	struct be_ifname *tab = (struct be_ifname *)pl->bo.ifnames;
	char *end;
	size_t i;

	switch (opt) {
	case FL_OPT_DEV:
		pl->bo.dev = arg;
		return 1;
	case FL_OPT_PORT:
		errno = 0;
		pl->bo.port = (uint32_t)strtoul(arg, &end, 0);
		if (errno || *end || !*arg)
			return -fl_usage_error(ctx, cmd,
				"--port wants a number, got '%s'", arg);
		return 1;
	case FL_OPT_IFNAME:
		if (fl_parse_ifname(arg, &tab, &pl->bo.n_ifnames))
			return -fl_usage_error(ctx, cmd,
				"--ifname wants IFINDEX=NAME, got '%s'", arg);
		pl->bo.ifnames = tab;
		return 1;
	case FL_OPT_OFFLOAD:
		for (i = 0; i < FL_ARRAY_SIZE(offloads); i++)
			if (!strcmp(arg, offloads[i].name))
				break;
		if (i == FL_ARRAY_SIZE(offloads))
			return -fl_usage_error(ctx, cmd,
				"--offload wants hw, sw or both, got '%s'", arg);
		pl->bo.offload = offloads[i].v;
		return 1;
	default:
		return 0;
	}
}

int fl_pipeline__option(struct fl_pipeline *pl, int opt, char *arg,
			const struct fl_ctx *ctx, const char *cmd)
{
	unsigned int f;

	switch (opt) {
	case FL_OPT_PROG:
		pl->prog = arg;
		return 1;
	case FL_OPT_LIVE:
		pl->live = arg;
		return 1;
	case FL_OPT_TARGET:
		pl->target = arg;
		return 1;
	case FL_OPT_DUMP:
		pl->dump_after = arg;
		return 1;
	case FL_OPT_MAP:
		if (push_map(pl, arg))
			return -fl_usage_error(ctx, cmd,
				"--map wants NAME=FILE, got '%s'", arg);
		return 1;
	case FL_OPT_ASSUME:
		f = ir_assume__by_name(arg);
		if (!f)
			return -fl_usage_error(ctx, cmd,
				"unknown assumption '%s' (known: no-ip-options, well-formed)",
				arg);
		pl->assume |= f;
		return 1;
	default:
		return output_option(pl, opt, arg, ctx, cmd);
	}
}

int fl_pipeline__check(struct fl_pipeline *pl, const struct fl_ctx *ctx,
		       const char *cmd)
{
	if (!pl->target)
		pl->target = "ir";
	if (!strcmp(pl->target, "ir"))
		return 0;
	pl->be = be_find(pl->target);
	if (!pl->be)
		return fl_usage_error(ctx, cmd,
			"unknown target '%s' (known: ir, flower, nft, rteflow)",
			pl->target);
	return 0;
}

static int fill_maps(struct fl_pipeline *pl, char *err, size_t errsz)
{
	for (size_t i = 0; i < pl->n_maps; i++) {
		char *eq = strchr(pl->maps[i], '=');
		int ret;

		*eq = '\0';
		ret = lift_object__load_dump(pl->o, pl->maps[i], eq + 1, err,
					     errsz);
		*eq = '=';
		if (ret)
			return ret;
	}
	if (pl->live)
		return lift_object__load_live(pl->o, pl->p, pl->live, err,
					      errsz);
	return 0;
}

int fl_pipeline__run(struct fl_pipeline *pl, FILE *diag, bool progress,
		     char *err, size_t errsz)
{
	struct lift_opts lo = {
		.assume = pl->assume,
		.caps = pl->be ? pl->be->caps : NULL,
		.dump_after = pl->dump_after,
		.dump_file = stderr,
		.diag = diag,
		.progress = progress,
	};

	pl->o = lift_object__open(pl->obj, err, errsz);
	if (!pl->o)
		return errno ? -errno : -EINVAL;
	pl->p = lift_object__find_prog(pl->o, pl->prog, err, errsz);
	if (!pl->p)
		return -ENOENT;
	return fill_maps(pl, err, errsz) ?:
	       lift_compile(pl->o, pl->p, &lo, &pl->rs, &pl->st, err, errsz);
}

void fl_pipeline__fini(struct fl_pipeline *pl)
{
	ir_ruleset__free(pl->rs);
	lift_object__free(pl->o);
	free(pl->maps);
	free((struct be_ifname *)pl->bo.ifnames);
	memset(pl, 0, sizeof(*pl));
}

int fl_parse_ifname(const char *s, struct be_ifname **tab, size_t *n)
{
	const char *eq = strchr(s, '=');
	struct be_ifname *t;
	char *end;
	unsigned long idx;

	if (!eq || eq == s || !eq[1] || strlen(eq + 1) >= IF_NAMESIZE)
		return -EINVAL;
	idx = strtoul(s, &end, 10);
	if (end != eq || !idx || idx > UINT32_MAX)
		return -EINVAL;
	t = realloc(*tab, (*n + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	*tab = t;
	t += (*n)++;
	memset(t, 0, sizeof(*t));
	t->ifindex = (uint32_t)idx;
	snprintf(t->name, sizeof(t->name), "%s", eq + 1);
	return 0;
}
