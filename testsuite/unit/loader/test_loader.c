// SPDX-License-Identifier: Apache-2.0
/*
 * test_loader.c - the offline loader: objects built from progs/ by
 * the build, their programs, relocations, maps and lines; map dumps in
 * both of bpftool's forms; and corrupted copies of every object, which
 * must fail cleanly.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "compiler/compiler.h"
#include "testsuite/fl_check.h"

static char obj_path[256];

static const char *objp(const char *name)
{
	snprintf(obj_path, sizeof(obj_path), "%s/loader_%s.bpf.o",
		 LOADER_OBJ_DIR, name);
	return obj_path;
}

static struct lift_object *open_ok(const char *name)
{
	char err[512] = "";
	struct lift_object *obj = lift_object__open(objp(name), err,
						    sizeof(err));

	ck_assert_msg(obj, "open %s: %s", name, err);
	return obj;
}

static int map_idx(const struct lift_object *obj, const char *name)
{
	size_t i;

	for (i = 0; i < obj->n_maps; i++)
		if (!strcmp(obj->maps[i].name, name))
			return (int)i;
	return -1;
}

/* Objects: programs, sections, types. */
static const struct {
	const char *obj, *prog, *sec;
	enum bpf_prog_type type;
	int n_progs;
} prog_cases[] = {
	{ "maps", "fw", "tc", BPF_PROG_TYPE_SCHED_CLS, 2 },
	{ "maps", "fw_xdp", "xdp", BPF_PROG_TYPE_XDP, 2 },
	{ "tail", "entry", "tc", BPF_PROG_TYPE_SCHED_CLS, 3 },
	{ "tail", "slot1", "tc", BPF_PROG_TYPE_SCHED_CLS, 3 },
	{ "simple", "pass_small", "xdp", BPF_PROG_TYPE_XDP, 1 },
};

START_TEST(progs)
{
	struct lift_object *obj = open_ok(prog_cases[_i].obj);
	char err[512];
	struct lift_prog *p = lift_object__find_prog(obj, prog_cases[_i].prog,
						     err, sizeof(err));

	ck_assert_msg(p, "%s", err);
	ck_assert_str_eq(p->sec, prog_cases[_i].sec);
	ck_assert_int_eq(p->type, prog_cases[_i].type);
	ck_assert_int_eq((int)obj->n_progs, prog_cases[_i].n_progs);
	ck_assert_uint_ge(p->n_insns, p->n_main);
	ck_assert_int_eq(p->insns[p->n_main - 1].code & 0x07, BPF_JMP);
	ck_assert_str_eq(obj->license, "GPL");
	lift_object__free(obj);
}
END_TEST

/* Picking programs: by section, only one, ambiguous, missing. */
static const struct {
	const char *obj, *name, *want, *err;
} pick_cases[] = {
	{ "simple", NULL, "pass_small", NULL },
	{ "simple", "xdp", "pass_small", NULL },
	{ "maps", "xdp", "fw_xdp", NULL },
	{ "maps", NULL, NULL, "2 programs, pick one with --prog: fw (tc), "
			      "fw_xdp (xdp)" },
	{ "tail", "tc", NULL, "section 'tc' holds 3 programs" },
	{ "tail", "nope", NULL, "no program or section 'nope'" },
	{ "maps", "classify", NULL, "no program or section 'classify'" },
};

START_TEST(pick)
{
	struct lift_object *obj = open_ok(pick_cases[_i].obj);
	char err[512] = "";
	struct lift_prog *p = lift_object__find_prog(obj, pick_cases[_i].name,
						     err, sizeof(err));

	if (pick_cases[_i].want) {
		ck_assert_msg(p, "%s", err);
		ck_assert_str_eq(p->name, pick_cases[_i].want);
	} else {
		ck_assert_ptr_null(p);
		ck_assert_msg(strstr(err, pick_cases[_i].err), "got '%s'", err);
	}
	lift_object__free(obj);
}
END_TEST

/* fw: subprograms appended in first-call order (classify, loop_cb via
 * bpf_loop's callback, scale), every call/func address pointing at an
 * appended function's first insn, every ldimm64 resolved. */
START_TEST(fw_image)
{
	struct lift_object *obj = open_ok("maps");
	struct lift_prog *p = lift_object__find_prog(obj, "fw", NULL, 0);
	size_t i, starts[3], n_calls = 0, n_maps = 0, n_vals = 0;
	int data = map_idx(obj, ".data"), allow = map_idx(obj, "allow");

	ck_assert_ptr_nonnull(p);
	/* classify 19 insns, loop_cb 8, scale 9 (see progs/maps.bpf.c) */
	ck_assert_uint_eq(p->n_insns, p->n_main + 19 + 8 + 9);
	starts[0] = p->n_main;
	starts[1] = p->n_main + 19;
	starts[2] = p->n_main + 27;
	for (i = 0; i < p->n_insns; i++) {
		const struct bpf_insn *in = &p->insns[i];
		size_t tgt = i + 1 + (size_t)(long)in->imm;

		if ((in->code == (BPF_JMP | BPF_CALL) &&
		     in->src_reg == BPF_PSEUDO_CALL) ||
		    (in->code == (BPF_LD | BPF_IMM | BPF_DW) &&
		     in->src_reg == BPF_PSEUDO_FUNC)) {
			ck_assert_msg(tgt == starts[0] || tgt == starts[1] ||
				      tgt == starts[2],
				      "insn %zu: target %zu", i, tgt);
			n_calls++;
		}
		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (in->src_reg == BPF_PSEUDO_MAP_FD) {
			ck_assert_int_lt(in->imm, (int)obj->n_maps);
			ck_assert_int_eq(obj->maps[in->imm].kind,
					 LIFT_MAP_USER);
			n_maps += in->imm == allow;
		} else if (in->src_reg == BPF_PSEUDO_MAP_VALUE) {
			ck_assert_int_ne(obj->maps[in->imm].kind,
					 LIFT_MAP_USER);
			if (in->imm == data)
				ck_assert_int_eq(in[1].imm, 0);
			n_vals++;
		} else if (in->src_reg != BPF_PSEUDO_FUNC) {
			ck_abort_msg("insn %zu: unresolved ldimm64", i);
		}
		i++;
	}
	/* fw→classify, fw→loop_cb (func addr), fw→scale */
	ck_assert_uint_eq(n_calls, 3);
	ck_assert_uint_eq(n_maps, 1);
	/* cfg_port (classify), cfg_name (scale), hits (fw), drops (cb) */
	ck_assert_uint_eq(n_vals, 4);
	/* first call in fw goes to classify, appended first */
	for (i = 0; i < p->n_main; i++)
		if (p->insns[i].src_reg == BPF_PSEUDO_CALL &&
		    p->insns[i].code == (BPF_JMP | BPF_CALL))
			break;
	ck_assert_uint_eq(i + 1 + (size_t)p->insns[i].imm, starts[0]);
	lift_object__free(obj);
}
END_TEST

START_TEST(used_maps)
{
	struct lift_object *obj = open_ok("maps");
	struct lift_prog *p = lift_object__find_prog(obj, "fw_xdp", NULL, 0);
	uint32_t *ids;
	int n = lift_prog__maps(obj, p, &ids);

	/* fw_xdp → classify: counters and .rodata (cfg_port) */
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(obj->maps[ids[0]].name, "counters");
	ck_assert_str_eq(obj->maps[ids[1]].name, ".rodata");
	free(ids);
	p = lift_object__find_prog(obj, "fw", NULL, 0);
	n = lift_prog__maps(obj, p, &ids);
	ck_assert_int_eq(n, 8); /* 5 user maps (not 'big') + 3 data */
	ck_assert_int_lt(ids[0], ids[1]);
	free(ids);
	lift_object__free(obj);
}
END_TEST

static const struct {
	const char *name;
	enum lift_map_kind kind;
	uint32_t type, key, value, entries, flags;
} map_cases[] = {
	{ "allow", LIFT_MAP_USER, BPF_MAP_TYPE_HASH, 8, 4, 1024, 0 },
	{ "counters", LIFT_MAP_USER, BPF_MAP_TYPE_ARRAY, 4, 8, 16, 0 },
	{ "pcpu_hash", LIFT_MAP_USER, BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 64, 0 },
	{ "pcpu_arr", LIFT_MAP_USER, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, 0 },
	{ "nets", LIFT_MAP_USER, BPF_MAP_TYPE_LPM_TRIE, 8, 4, 256,
	  BPF_F_NO_PREALLOC },
	{ ".rodata", LIFT_MAP_RODATA, BPF_MAP_TYPE_ARRAY, 4, 12, 1,
	  BPF_F_MMAPABLE | BPF_F_RDONLY_PROG },
	{ ".data", LIFT_MAP_DATA, BPF_MAP_TYPE_ARRAY, 4, 4, 1,
	  BPF_F_MMAPABLE },
	{ ".bss", LIFT_MAP_BSS, BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_MMAPABLE },
};

START_TEST(map_defs)
{
	struct lift_object *obj = open_ok("maps");
	struct lift_map *m = lift_object__find_map(obj, map_cases[_i].name);

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->kind, map_cases[_i].kind);
	ck_assert_uint_eq(m->type, map_cases[_i].type);
	ck_assert_uint_eq(m->key_size, map_cases[_i].key);
	ck_assert_uint_eq(m->value_size, map_cases[_i].value);
	ck_assert_uint_eq(m->max_entries, map_cases[_i].entries);
	ck_assert_uint_eq(m->flags, map_cases[_i].flags);
	if (m->kind == LIFT_MAP_USER) {
		ck_assert_int_eq(m->src, LIFT_SRC_NONE);
		ck_assert_uint_eq(m->n_ents, 0);
	} else {
		ck_assert_int_eq(m->src, LIFT_SRC_OBJECT);
		ck_assert_uint_eq(m->n_ents, 1);
	}
	if (m->type == BPF_MAP_TYPE_ARRAY)
		ck_assert_ptr_nonnull(lift_map__lookup(m, (uint8_t[4]){ 0 }));
	lift_object__free(obj);
}
END_TEST

START_TEST(global_data)
{
	struct lift_object *obj = open_ok("maps");
	const uint8_t *ro, *d, *bss;
	uint32_t zero = 0, v;

	ro = lift_map__lookup(lift_object__find_map(obj, ".rodata"),
			      (uint8_t *)&zero);
	d = lift_map__lookup(lift_object__find_map(obj, ".data"),
			     (uint8_t *)&zero);
	bss = lift_map__lookup(lift_object__find_map(obj, ".bss"),
			       (uint8_t *)&zero);
	ck_assert(ro && d && bss);
	memcpy(&v, d, 4);
	ck_assert_uint_eq(v, 7); /* hits */
	ck_assert(!memcmp(bss, (uint8_t[8]){ 0 }, 8));
	/* cfg_port = 8080 and cfg_name = "fw", in some order */
	memcpy(&v, ro, 4);
	if (v == 8080)
		ck_assert_str_eq((const char *)ro + 4, "fw");
	else
		ck_assert(!strcmp((const char *)ro, "fw") &&
			  !memcmp(ro + 8, &(uint32_t){ 8080 }, 4));
	ck_assert_ptr_null(lift_map__lookup(lift_object__find_map(obj, ".data"),
					    (uint8_t *)&(uint32_t){ 1 }));
	lift_object__free(obj);
}
END_TEST

START_TEST(prog_array_init)
{
	struct lift_object *obj = open_ok("tail");
	struct lift_map *m = lift_object__find_map(obj, "jmp");
	struct lift_prog *s0 = lift_object__find_prog(obj, "slot0", NULL, 0);
	struct lift_prog *s1 = lift_object__find_prog(obj, "slot1", NULL, 0);
	uint32_t k, v;

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->src, LIFT_SRC_OBJECT);
	ck_assert_uint_eq(m->n_ents, 2);
	k = 0;
	memcpy(&v, lift_map__lookup(m, (uint8_t *)&k), 4);
	ck_assert_ptr_eq(&obj->progs[v], s0);
	k = 2;
	memcpy(&v, lift_map__lookup(m, (uint8_t *)&k), 4);
	ck_assert_ptr_eq(&obj->progs[v], s1);
	k = 1;
	ck_assert_ptr_null(lift_map__lookup(m, (uint8_t *)&k));
	k = 9;
	ck_assert_ptr_null(lift_map__lookup(m, (uint8_t *)&k));
	lift_object__free(obj);
}
END_TEST

START_TEST(lines)
{
	struct lift_object *obj = open_ok("maps");
	struct lift_prog *p = lift_object__find_prog(obj, "fw", NULL, 0);
	const struct lift_line *l;
	bool seen_lookup = false, seen_scale = false;
	size_t i;

	for (i = 0; i < p->n_insns; i++) {
		l = lift_prog__line(p, i);
		ck_assert_msg(l, "insn %zu has no line", i);
		ck_assert_msg(strstr(l->file, "maps.bpf.c"), "%s", l->file);
		ck_assert_uint_gt(l->line, 0);
		if (i < p->n_main &&
		    strstr(l->text, "bpf_map_lookup_elem(&allow"))
			seen_lookup = true;
		if (i >= p->n_main + 27 && strstr(l->text, "v * 3"))
			seen_scale = true;
	}
	ck_assert(seen_lookup && seen_scale);
	ck_assert_ptr_null(lift_prog__line(p, p->n_insns));
	lift_object__free(obj);
}
END_TEST

static const struct {
	const char *sec;
	enum bpf_prog_type type;
} sec_cases[] = {
	{ "tc", BPF_PROG_TYPE_SCHED_CLS },
	{ "classifier", BPF_PROG_TYPE_SCHED_CLS },
	{ "classifier/x", BPF_PROG_TYPE_SCHED_CLS },
	{ "tcx/ingress", BPF_PROG_TYPE_SCHED_CLS },
	{ "xdp", BPF_PROG_TYPE_XDP },
	{ "xdp.frags", BPF_PROG_TYPE_XDP },
	{ "xdp/devmap", BPF_PROG_TYPE_XDP },
	{ "action", BPF_PROG_TYPE_SCHED_ACT },
	{ "socket", BPF_PROG_TYPE_SOCKET_FILTER },
	{ "xdpfoo", BPF_PROG_TYPE_UNSPEC },
	{ "weird", BPF_PROG_TYPE_UNSPEC },
};

enum bpf_prog_type load_tag__prog_type(const char *sec);

START_TEST(sec_types)
{
	ck_assert_int_eq(load_tag__prog_type(sec_cases[_i].sec),
			 sec_cases[_i].type);
}
END_TEST

/* Dumps. */
static char tmp_path[64];

static const char *write_tmp(const char *text)
{
	int fd;

	strcpy(tmp_path, "/tmp/fl_loader_dumpXXXXXX");
	fd = mkstemp(tmp_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return tmp_path;
}

#define HK "[\"0x0a\",\"0x00\",\"0x00\",\"0x01\",\"0x50\",\"0x00\",\"0x06\"," \
	   "\"0x00\"]"

static const struct {
	const char *map, *json, *err; /* err NULL: success */
	size_t n_ents;
	uint32_t n_cpus;
} dump_cases[] = {
	/* 0: hex hash */
	{ "allow", "[{\"key\":" HK ",\"value\":[\"0x01\",\"0x00\",\"0x00\","
		   "\"0x00\"]}]", NULL, 1, 1 },
	/* 1: formatted, directly */
	{ "allow", "[{\"key\":{\"addr\":16777226,\"port\":80,\"proto\":6,"
		   "\"pad\":0},\"value\":1}]", NULL, 1, 1 },
	/* 2: formatted only, as a sub-object */
	{ "allow", "[{\"formatted\":{\"key\":{\"addr\":16777226,\"port\":80,"
		   "\"proto\":6},\"value\":1}}]", NULL, 1, 1 },
	/* 3: per-CPU hex */
	{ "pcpu_hash", "[{\"key\":[\"0x01\",\"0x00\",\"0x00\",\"0x00\"],"
		       "\"values\":[{\"cpu\":0,\"value\":[\"0x05\",\"0x00\","
		       "\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\"]},"
		       "{\"cpu\":1,\"value\":[\"0x06\",\"0x00\",\"0x00\","
		       "\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\"]}]}]",
	  NULL, 1, 2 },
	/* 4: per-CPU formatted */
	{ "pcpu_hash", "[{\"formatted\":{\"key\":1,\"values\":[{\"cpu\":0,"
		       "\"value\":5},{\"cpu\":1,\"value\":6}]}}]", NULL, 1, 2 },
	/* 5: LPM formatted */
	{ "nets", "[{\"key\":{\"prefixlen\":24,\"addr\":[10,0,0,0]},"
		  "\"value\":24},{\"key\":{\"prefixlen\":8,\"addr\":[10,9,9,9]},"
		  "\"value\":8}]", NULL, 2, 1 },
	/* 6: array, hex */
	{ "counters", "[{\"key\":[\"0x03\",\"0x00\",\"0x00\",\"0x00\"],"
		      "\"value\":[\"0x2a\",\"0x00\",\"0x00\",\"0x00\",\"0x00\","
		      "\"0x00\",\"0x00\",\"0x00\"]}]", NULL, 1, 1 },
	/* 7: empty */
	{ "allow", "[]", NULL, 0, 1 },
	/* errors */
	{ "allow", "[{\"key\":[\"0x01\",\"0x00\",\"0x00\",\"0x00\"],\"value\":"
		   "[\"0x01\",\"0x00\",\"0x00\",\"0x00\"]}]",
	  "map 'allow': entry 0: key is 4 bytes, map key_size is 8", 0, 0 },
	{ "allow", "[{\"key\":" HK ",\"value\":[\"0x01\"]}]",
	  "entry 0: value is 1 bytes, map value_size is 4", 0, 0 },
	{ "allow", "[{\"key\":" HK ",\"value\":[\"0x01\",\"0x00\",\"0x00\","
		   "\"0x00\"]},\n {\"key\":" HK ",\"value\":[\"0x02\",\"0x00\","
		   "\"0x00\",\"0x00\"]}]", "duplicate key", 0, 0 },
	{ "allow", "[{\"key\": [1, 2,}]", ":1:", 0, 0 },
	{ "allow", "{\"key\":1}", "not a `bpftool map dump -j` array", 0, 0 },
	{ "allow", "[{\"key\":{\"adr\":1},\"value\":1}]",
	  "field adr: no such member", 0, 0 },
	{ "allow", "[{\"key\":{\"port\":70000},\"value\":1}]",
	  "field port: integer out of range", 0, 0 },
	{ "allow", "[{\"key\":" HK ",\"value\":[\"0xzz\",\"0x00\",\"0x00\","
		   "\"0x00\"]}]", "value byte 0 is not a hex byte", 0, 0 },
	{ "allow", "[{\"key\":" HK "}]", "has no \"key\" or \"value\"", 0, 0 },
	{ "counters", "[{\"key\":[\"0x10\",\"0x00\",\"0x00\",\"0x00\"],"
		      "\"value\":[\"0x2a\",\"0x00\",\"0x00\",\"0x00\",\"0x00\","
		      "\"0x00\",\"0x00\",\"0x00\"]}]",
	  "index 16 out of range (max_entries 16)", 0, 0 },
	{ "nets", "[{\"key\":{\"prefixlen\":33,\"addr\":[10,0,0,0]},"
		  "\"value\":1}]", "prefix length 33 too long", 0, 0 },
	{ "pcpu_hash", "[{\"key\":[\"0x01\",\"0x00\",\"0x00\",\"0x00\"],"
		       "\"values\":[]}]", "not a list of per-CPU values", 0, 0 },
	{ "allow", "[{\"key\":" HK ",\"value\":{\"error\":\"no entry\"}}]",
	  "bpftool could not read the value: no entry", 0, 0 },
	{ "nosuch", "[]", "no map 'nosuch'", 0, 0 },
	{ "allow", "{\"error\":\"bpf obj get (x): Operation not permitted\"}",
	  "the dump is an error from bpftool: bpf obj get (x)", 0, 0 },
};

START_TEST(dumps)
{
	struct lift_object *obj = open_ok("maps");
	const char *path = write_tmp(dump_cases[_i].json);
	struct lift_map *m = lift_object__find_map(obj, dump_cases[_i].map);
	char err[512] = "";
	int ret;

	ret = lift_object__load_dump(obj, dump_cases[_i].map, path, err,
				     sizeof(err));
	if (!dump_cases[_i].err) {
		ck_assert_msg(!ret, "%s", err);
		ck_assert_int_eq(m->src, LIFT_SRC_DUMP);
		ck_assert_str_eq(m->src_path, path);
		ck_assert_uint_eq(m->n_ents, dump_cases[_i].n_ents);
		ck_assert_uint_eq(m->n_cpus, dump_cases[_i].n_cpus);
	} else {
		ck_assert_int_lt(ret, 0);
		ck_assert_msg(strstr(err, dump_cases[_i].err), "got '%s'", err);
		ck_assert_msg(!strchr(err, '\n'), "multi-line: '%s'", err);
		if (m) /* contents untouched */
			ck_assert_int_eq(m->src, LIFT_SRC_NONE);
	}
	unlink(path);
	lift_object__free(obj);
}
END_TEST

static struct lift_map *load(struct lift_object *obj, const char *map,
			     int i)
{
	const char *path = write_tmp(dump_cases[i].json);
	char err[512] = "";

	ck_assert_msg(!lift_object__load_dump(obj, map, path, err,
					      sizeof(err)), "%s", err);
	unlink(path);
	return lift_object__find_map(obj, map);
}

/* The hex and formatted forms of one entry give the same contents. */
START_TEST(dump_forms_agree)
{
	struct lift_object *a = open_ok("maps"), *b = open_ok("maps");
	struct lift_map *x, *y;
	uint8_t key[8] = { 10, 0, 0, 1, 0x50, 0, 6, 0 };

	x = load(a, "allow", 0);
	y = load(b, "allow", 1);
	ck_assert(!memcmp(x->digest, y->digest, 20));
	ck_assert_uint_eq(*(const uint32_t *)lift_map__lookup(x, key), 1);
	y = load(b, "allow", 2);
	ck_assert(!memcmp(x->digest, y->digest, 20));
	x = load(a, "pcpu_hash", 3);
	y = load(b, "pcpu_hash", 4);
	ck_assert(!memcmp(x->digest, y->digest, 20));
	ck_assert(!memcmp(x->ents[0].value, y->ents[0].value, 16));
	ck_assert_uint_eq(x->ents[0].value[8], 6); /* CPU 1 */
	ck_assert_uint_eq(*lift_map__lookup(x, (uint8_t[4]){ 1 }), 5);
	x = load(a, "counters", 6);
	ck_assert_uint_eq(x->array_data[3 * 8], 42);
	ck_assert_uint_eq(*lift_map__lookup(x, (uint8_t[4]){ 3 }), 42);
	ck_assert_uint_eq(*lift_map__lookup(x, (uint8_t[4]){ 2 }), 0);
	lift_object__free(a);
	lift_object__free(b);
}
END_TEST

/* Longest prefix match: 10.0.0.0/24 → 24, 10.0.0.0/8 → 8. */
static const struct {
	uint32_t plen;
	uint8_t addr[4];
	int want; /* -1: no match */
} lpm_cases[] = {
	{ 32, { 10, 0, 0, 7 }, 24 },
	{ 32, { 10, 0, 1, 7 }, 8 },
	{ 32, { 11, 0, 0, 7 }, -1 },
	{ 16, { 10, 0, 0, 7 }, 8 },
	{ 24, { 10, 0, 0, 0 }, 24 },
	{ 8, { 10, 200, 0, 0 }, 8 },
	{ 0, { 10, 0, 0, 0 }, -1 },
};

START_TEST(lpm)
{
	struct lift_object *obj = open_ok("maps");
	struct lift_map *m = load(obj, "nets", 5);
	uint8_t key[8];
	const uint8_t *v;

	memcpy(key, &lpm_cases[_i].plen, 4);
	memcpy(key + 4, lpm_cases[_i].addr, 4);
	v = lift_map__lookup(m, key);
	if (lpm_cases[_i].want < 0)
		ck_assert_ptr_null(v);
	else
		ck_assert_int_eq(v ? *v : -1, lpm_cases[_i].want);
	lift_object__free(obj);
}
END_TEST

START_TEST(prog_array_dump_refused)
{
	struct lift_object *obj = open_ok("tail");
	char err[512] = "";
	const char *path = write_tmp("[]");

	ck_assert_int_eq(lift_object__load_dump(obj, "jmp", path, err,
						sizeof(err)), -EOPNOTSUPP);
	ck_assert(strstr(err, "prog array"));
	ck_assert_int_eq(lift_object__load_dump(obj, "jmp", "/nonexistent",
						err, sizeof(err)),
			 -EOPNOTSUPP);
	unlink(path);
	lift_object__free(obj);
}
END_TEST

START_TEST(dump_missing_file)
{
	struct lift_object *obj = open_ok("maps");
	char err[512] = "";

	ck_assert_int_eq(lift_object__load_dump(obj, "allow", "/nonexistent",
						err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent: No such file or directory");
	lift_object__free(obj);
}
END_TEST

/* 100k entries in shuffled order: loads, sorts, finds; time printed. */
START_TEST(big_dump)
{
	struct lift_object *obj = open_ok("maps");
	const size_t n = 100000;
	char *buf = malloc(n * 140 + 16), *p = buf;
	struct timespec t0, t1;
	char err[512] = "";
	struct lift_map *m;
	uint32_t k, i;
	FILE *f;

	p += sprintf(p, "[");
	for (i = 0; i < n; i++) {
		k = (i * 40503u) % 100003u;
		p += sprintf(p, "%s{\"key\":[\"0x%02x\",\"0x%02x\",\"0x%02x\","
			     "\"0x%02x\"],\"value\":[\"0x%02x\",\"0x00\","
			     "\"0x00\",\"0x00\"]}\n", i ? "," : "", k & 0xff,
			     (k >> 8) & 0xff, (k >> 16) & 0xff, k >> 24,
			     i & 0xff);
	}
	sprintf(p, "]");
	write_tmp("");
	f = fopen(tmp_path, "w");
	fputs(buf, f);
	fclose(f);
	free(buf);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_msg(!lift_object__load_dump(obj, "big", tmp_path, err,
					      sizeof(err)), "%s", err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("loader: 100k-entry hex dump loaded in %.3f s\n",
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	m = lift_object__find_map(obj, "big");
	ck_assert_uint_eq(m->n_ents, n);
	for (i = 0; i < n; i += 997) {
		const uint8_t *v;

		k = (i * 40503u) % 100003u;
		v = lift_map__lookup(m, (uint8_t *)&k);
		ck_assert_ptr_nonnull(v);
		ck_assert_uint_eq(*v, i & 0xff);
	}
	unlink(tmp_path);
	lift_object__free(obj);
}
END_TEST

/* Corrupted copies: truncated anywhere, or bytes flipped in the ELF
 * header, the section headers and the relocation sections. */
static const char *const corrupt_objs[] = { "maps", "tail", "simple" };

static void try_open(const uint8_t *img, size_t len, bool must_fail,
		     const char *what, size_t at)
{
	char path[] = "/tmp/fl_loader_corruptXXXXXX", err[512] = "";
	struct lift_object *obj;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, img, len), (ssize_t)len);
	close(fd);
	obj = lift_object__open(path, err, sizeof(err));
	if (must_fail)
		ck_assert_msg(!obj, "%s at %zu: opened", what, at);
	if (!obj)
		ck_assert_msg(err[0] && !strchr(err, '\n'),
			      "%s at %zu: bad message '%s'", what, at, err);
	lift_object__free(obj);
	unlink(path);
}

START_TEST(corrupt)
{
	size_t len, i, step, shoff, shnum, off, stride = 1;
	uint8_t *img = (uint8_t *)fl_read_file(objp(corrupt_objs[_i]), &len);
	uint8_t *cp = malloc(len);
	const char *env = getenv("FL_CORRUPT_STRIDE");

	/* under valgrind, every Nth flip position is enough */
	if (env && atoi(env) > 0)
		stride = (size_t)atoi(env);

	ck_assert_ptr_nonnull(img);
	step = len / 97 ? len / 97 : 1;
	for (i = 0; i < len; i += (i < 64 ? 1 : step))
		try_open(img, i, true, "truncated", i);
	memcpy(&shoff, img + 0x28, 8);
	shnum = *(uint16_t *)(img + 0x3c);
	for (i = 0; i < 64 + shnum * 64; i += stride) {
		off = i < 64 ? i : shoff + i - 64;
		if (off >= len)
			break;
		memcpy(cp, img, len);
		cp[off] ^= 0xff;
		try_open(cp, len, false, "flipped", off);
		memcpy(cp, img, len);
		cp[off] ^= 0x01;
		try_open(cp, len, false, "bit-flipped", off);
	}
	/* relocation entries: every byte of every SHT_REL section */
	for (i = 0; i < shnum; i++) {
		const uint8_t *sh = img + shoff + i * 64;
		uint64_t so, ss, b;

		if (*(const uint32_t *)(sh + 4) != 9 /* SHT_REL */)
			continue;
		memcpy(&so, sh + 0x18, 8);
		memcpy(&ss, sh + 0x20, 8);
		for (b = 0; b < ss && so + b < len; b += stride) {
			memcpy(cp, img, len);
			cp[so + b] ^= 0x5a;
			try_open(cp, len, false, "reloc flipped", so + b);
		}
	}
	free(cp);
	free(img);
}
END_TEST

START_TEST(not_bpf)
{
	char err[512] = "";

	ck_assert_ptr_null(lift_object__open("/nonexistent.o", err,
					     sizeof(err)));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert(strstr(err, "/nonexistent.o"));
	/* an x86 ELF: our own test binary */
	ck_assert_ptr_null(lift_object__open("/proc/self/exe", err,
					     sizeof(err)));
	ck_assert_msg(strstr(err, "not a BPF object (e_machine 62"), "%s",
		      err);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("object");

	tcase_add_loop_test(tc, progs, 0, FL_ARRAY_SIZE(prog_cases));
	tcase_add_loop_test(tc, pick, 0, FL_ARRAY_SIZE(pick_cases));
	tcase_add_test(tc, fw_image);
	tcase_add_test(tc, used_maps);
	tcase_add_loop_test(tc, map_defs, 0, FL_ARRAY_SIZE(map_cases));
	tcase_add_test(tc, global_data);
	tcase_add_test(tc, prog_array_init);
	tcase_add_test(tc, lines);
	tcase_add_loop_test(tc, sec_types, 0, FL_ARRAY_SIZE(sec_cases));
	tcase_add_test(tc, not_bpf);
	suite_add_tcase(s, tc);
	tc = tcase_create("dump");
	tcase_add_loop_test(tc, dumps, 0, FL_ARRAY_SIZE(dump_cases));
	tcase_add_test(tc, dump_forms_agree);
	tcase_add_loop_test(tc, lpm, 0, FL_ARRAY_SIZE(lpm_cases));
	tcase_add_test(tc, prog_array_dump_refused);
	tcase_add_test(tc, dump_missing_file);
	tcase_add_test(tc, big_dump);
	suite_add_tcase(s, tc);
	tc = tcase_create("corrupt");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, corrupt, 0, FL_ARRAY_SIZE(corrupt_objs));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fl_check_run(suite());
}
