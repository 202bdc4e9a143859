// SPDX-License-Identifier: Apache-2.0
/*
 * test_loader_live.c - the online loader against the real kernel (root).
 *
 * Setup: bpftool loads each test object (`bpftool prog loadall`), pins its
 * programs and maps under a private bpffs directory and fills the maps with
 * `bpftool map update`. Checks: the tag computed offline equals what the
 * kernel reports (`bpftool prog show -j`); lift_object__load_live() gives
 * the same map contents as `bpftool map dump -j` files loaded offline (both
 * forms); prog array slots come back as the object's programs; a tag
 * mismatch and an unreadable pin are clean errors. Teardown removes the
 * pins, which frees the programs and maps. Skips (77) without root, bpffs
 * or bpftool.
 */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/common.h"
#include "compiler/compiler.h"
#include "testsuite/fl_check.h"

#define BPF_FS_MAGIC 0xcafe4a11

static char dir[128];

static const char *objp(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/loader_%s.bpf.o", LOADER_OBJ_DIR, name);
	return p;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Output of a shell command, NUL-terminated, malloc'd. */
static char *capture(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	size_t n = 0, cap = 4096;
	char *buf = malloc(cap);

	ck_assert_ptr_nonnull(f);
	while (!feof(f)) {
		if (n + 1024 > cap)
			buf = realloc(buf, cap *= 2);
		n += fread(buf + n, 1, cap - n - 1, f);
	}
	buf[n] = 0;
	ck_assert_int_eq(pclose(f), 0);
	return buf;
}

static void kernel_tag(const char *pin, char out[17], unsigned int *id)
{
	char cmd[512], *js, err[256];
	struct fl_jval *v;
	const struct fl_jval *t, *i;

	snprintf(cmd, sizeof(cmd), "bpftool prog show pinned %s -j", pin);
	js = capture(cmd);
	v = fl_json_parse(js, strlen(js), err, sizeof(err));
	ck_assert_msg(v, "%s", err);
	t = fl_jval__get(v, "tag");
	i = fl_jval__get(v, "id");
	ck_assert(t && t->type == FL_JSTR && i);
	snprintf(out, 17, "%s", t->str);
	*id = (unsigned int)i->num;
	fl_jval__free(v);
	free(js);
}

static void teardown(void);

static void must(int ret, const char *what)
{
	if (ret)
		teardown();
	ck_assert_msg(!ret, "setup failed: %s", what);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/sys/fs/bpf/flowlift_loader_%d",
		 (int)getpid());
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	must(run("bpftool prog loadall %s %s/maps pinmaps %s/maps_m",
		 objp("maps"), dir, dir), "load maps");
	must(run("bpftool prog loadall %s %s/tail pinmaps %s/tail_m",
		 objp("tail"), dir, dir), "load tail");
	/* allow {10.0.0.1, 80, 6} = 1; counters[3] = 42; pcpu_hash[1] = 5;
	 * pcpu_arr[2] = 9; nets 10.0.0.0/24 = 24, 10.0.0.0/8 = 8 */
	must(run("bpftool map update pinned %s/maps_m/allow key "
			     "10 0 0 1 80 0 6 0 value 1 0 0 0 && "
			     "bpftool map update pinned %s/maps_m/counters "
			     "key 3 0 0 0 value 42 0 0 0 0 0 0 0 && "
			     "bpftool map update pinned %s/maps_m/pcpu_hash "
			     "key 1 0 0 0 value 5 0 0 0 0 0 0 0 && "
			     "bpftool map update pinned %s/maps_m/pcpu_arr "
			     "key 2 0 0 0 value 9 0 0 0 && "
			     "bpftool map update pinned %s/maps_m/nets "
			     "key 24 0 0 0 10 0 0 0 value 24 0 0 0 && "
			     "bpftool map update pinned %s/maps_m/nets "
			     "key 8 0 0 0 10 0 0 0 value 8 0 0 0",
			     dir, dir, dir, dir, dir, dir), "fill maps");
}

static void teardown(void)
{
	if (dir[0])
		run("rm -rf %s", dir);
	dir[0] = 0;
}

/* The kernel's tag equals ours, for every program of every object. */
static const struct {
	const char *obj, *prog;
} tag_cases[] = {
	{ "maps", "fw" }, { "maps", "fw_xdp" }, { "tail", "entry" },
	{ "tail", "slot0" }, { "tail", "slot1" },
};

START_TEST(tags)
{
	char err[512] = "", pin[256], want[17], ours[17];
	struct lift_object *obj = lift_object__open(objp(tag_cases[_i].obj),
						    err, sizeof(err));
	struct lift_prog *p;
	unsigned int id;

	ck_assert_msg(obj, "%s", err);
	p = lift_object__find_prog(obj, tag_cases[_i].prog, err, sizeof(err));
	ck_assert_msg(p, "%s", err);
	snprintf(pin, sizeof(pin), "%s/%s/%s", dir, tag_cases[_i].obj,
		 tag_cases[_i].prog);
	kernel_tag(pin, want, &id);
	fl_hex(p->tag, 8, ours);
	ck_assert_str_eq(ours, want);
	lift_object__free(obj);
}
END_TEST

/* live == offline + `bpftool map dump -j`, for every map fw uses. */
START_TEST(live_equals_dumps)
{
	char err[512] = "", pin[256], file[256], spec[32], want[17];
	struct lift_object *live = lift_object__open(objp("maps"), err,
						     sizeof(err));
	struct lift_object *off = lift_object__open(objp("maps"), err,
						    sizeof(err));
	struct lift_prog *lp, *op;
	uint32_t *used;
	unsigned int id;
	int n, i;

	ck_assert(live && off);
	lp = lift_object__find_prog(live, "fw", NULL, 0);
	op = lift_object__find_prog(off, "fw", NULL, 0);
	snprintf(pin, sizeof(pin), "%s/maps/fw", dir);
	kernel_tag(pin, want, &id);
	/* by id, to cover that spec too */
	snprintf(spec, sizeof(spec), "id:%u", id);
	ck_assert_msg(!lift_object__load_live(live, lp, spec, err,
					      sizeof(err)), "%s", err);
	ck_assert_uint_eq(lp->n_insns, op->n_insns);
	ck_assert(!memcmp(lp->insns, op->insns,
			  lp->n_insns * sizeof(*lp->insns)));
	ck_assert(!memcmp(lp->tag, op->tag, 8));
	n = lift_prog__maps(live, lp, &used);
	ck_assert_int_eq(n, 8);
	for (i = 0; i < n; i++) {
		struct lift_map *lm = &live->maps[used[i]];
		struct lift_map *om = &off->maps[used[i]];

		ck_assert_int_eq(lm->src, LIFT_SRC_LIVE);
		/* the map's own id, as `bpftool map dump id N` takes it */
		ck_assert(!strncmp(lm->src_path, "id:", 3));
		ck_assert_str_ne(lm->src_path, spec);
		if (lm->kind != LIFT_MAP_USER) {
			/* global data: the kernel holds the object's bytes */
			ck_assert_msg(!memcmp(lm->digest, om->digest, 20),
				      "map %s", lm->name);
			continue;
		}
		snprintf(file, sizeof(file), "/tmp/fl_loader_%d_%s.json",
			 (int)getpid(), lm->name);
		ck_assert_int_eq(run("bpftool map dump pinned %s/maps_m/%s -j "
				     "> %s", dir, lm->name, file), 0);
		ck_assert_msg(!lift_object__load_dump(off, om->name, file, err,
						      sizeof(err)),
			      "%s", err);
		unlink(file);
		ck_assert_uint_eq(lm->n_ents, om->n_ents);
		ck_assert_uint_eq(lm->n_cpus, om->n_cpus);
		ck_assert_msg(!memcmp(lm->digest, om->digest, 20), "map %s",
			      lm->name);
	}
	ck_assert_uint_eq(*lift_map__lookup(lift_object__find_map(live,
			  "nets"), (uint8_t[8]){ 32, 0, 0, 0, 10, 0, 0, 9 }),
			  24);
	ck_assert_uint_eq(*lift_map__lookup(lift_object__find_map(live,
			  "pcpu_arr"), (uint8_t[4]){ 2 }), 9);
	free(used);
	lift_object__free(live);
	lift_object__free(off);
}
END_TEST

/* libbpf filled the prog array from the declarative init at load; read
 * back live, slots hold the same programs as the object says. */
START_TEST(live_prog_array)
{
	char err[512] = "", pin[256];
	struct lift_object *live = lift_object__open(objp("tail"), err,
						     sizeof(err));
	struct lift_object *off = lift_object__open(objp("tail"), err,
						    sizeof(err));
	struct lift_prog *p;
	struct lift_map *lm, *om;

	ck_assert(live && off);
	p = lift_object__find_prog(live, "entry", NULL, 0);
	snprintf(pin, sizeof(pin), "%s/tail/entry", dir);
	ck_assert_msg(!lift_object__load_live(live, p, pin, err, sizeof(err)),
		      "%s", err);
	lm = lift_object__find_map(live, "jmp");
	om = lift_object__find_map(off, "jmp");
	ck_assert_int_eq(lm->src, LIFT_SRC_LIVE);
	ck_assert_uint_eq(lm->n_ents, 2);
	ck_assert(!memcmp(lm->digest, om->digest, 20));
	lift_object__free(live);
	lift_object__free(off);
}
END_TEST

START_TEST(live_errors)
{
	char err[512] = "", pin[256], want[17], ours[17];
	struct lift_object *obj = lift_object__open(objp("maps"), err,
						    sizeof(err));
	struct lift_prog *xdp = lift_object__find_prog(obj, "fw_xdp", NULL, 0);
	unsigned int id;

	/* fw_xdp against the pinned fw: tag mismatch naming both */
	snprintf(pin, sizeof(pin), "%s/maps/fw", dir);
	kernel_tag(pin, want, &id);
	fl_hex(xdp->tag, 8, ours);
	ck_assert_int_eq(lift_object__load_live(obj, xdp, pin, err,
						sizeof(err)), -EKEYREJECTED);
	ck_assert_msg(strstr(err, "tag mismatch: loaded program id") &&
		      strstr(err, want) && strstr(err, ours) &&
		      strstr(err, "'fw_xdp'"), "%s", err);
	snprintf(pin, sizeof(pin), "%s/nope", dir);
	ck_assert_int_eq(lift_object__load_live(obj, xdp, pin, err,
						sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "cannot open loaded program") &&
		      strstr(err, pin), "%s", err);
	ck_assert_int_eq(lift_object__load_live(obj, xdp, "id:x", err,
						sizeof(err)), -EINVAL);
	lift_object__free(obj);
}
END_TEST

static int can_run(void)
{
	struct statfs st;

	if (geteuid() != 0) {
		fprintf(stderr, "skip: needs root (CAP_BPF)\n");
		return 0;
	}
	if (system("bpftool version >/dev/null 2>&1")) {
		fprintf(stderr, "skip: bpftool not found\n");
		return 0;
	}
	if (statfs("/sys/fs/bpf", &st) || st.f_type != BPF_FS_MAGIC) {
		mkdir("/sys/fs/bpf", 0755);
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL)) {
			fprintf(stderr, "skip: no bpffs at /sys/fs/bpf: %s\n",
				strerror(errno));
			return 0;
		}
	}
	return 1;
}

int main(void)
{
	Suite *s = suite_create("loader_live");
	TCase *tc = tcase_create("live");

	if (!can_run())
		return 77;
	/* once for the case, in the parent: pins go even if a test fails */
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, tags, 0, FL_ARRAY_SIZE(tag_cases));
	tcase_add_test(tc, live_equals_dumps);
	tcase_add_test(tc, live_prog_array);
	tcase_add_test(tc, live_errors);
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
