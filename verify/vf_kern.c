// SPDX-License-Identifier: Apache-2.0
/*
 * vf_kern.c - the oracle: the program itself, loaded into this kernel.
 *
 * libbpf opens the object and loads every tc/XDP program in it (so that
 * tail calls find their targets); the maps get the same contents the
 * compiler used: global data as initial values before the load (what
 * libbpf would write from the ELF, unless a dump replaced it), user maps
 * with bpf_map_update_elem after it, prog arrays with the fds of the
 * programs the lift object names. A program the verifier rejects is an
 * error carrying the last lines of the verifier's log.
 *
 * Frames then go through BPF_PROG_TEST_RUN one at a time.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "verify/verify.h"

#define LOG_MAIN (8u << 20)
#define LOG_OTHER (1u << 20)

/* What the redirect probe records (one array slot). */
struct probe_rec {
	uint64_t tgid;    /* only calls from this process (test_run) count */
	uint64_t ifindex;
	uint64_t flags;
	uint64_t count;
};

struct vf_kern {
	struct bpf_object *obj;
	const struct lift_object *lo; /* the contents to restore */
	int probe_map, probe_prog, probe_link;
	struct bpf_program *prog;
	int fd;
	enum bpf_prog_type type;
	bool vlan_meta;
	char **logs; /* per program, in bpf_object__for_each_program order */
	size_t n_logs;
};

/* libbpf's own messages during open/load, for error context. */
static __thread char lb_msg[512];

static int lb_print(enum libbpf_print_level level, const char *fmt,
		    va_list ap)
{
	if (level == LIBBPF_WARN) {
		vsnprintf(lb_msg, sizeof(lb_msg), fmt, ap);
		lb_msg[strcspn(lb_msg, "\n")] = 0;
	}
	return 0;
}

static bool runnable(enum bpf_prog_type t)
{
	return t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SCHED_ACT ||
	       t == BPF_PROG_TYPE_XDP;
}

/* The last 'n' lines of a verifier log, joined with " | ". */
static void log_tail(const char *log, unsigned int n, char *out, size_t sz)
{
	const char *end = log + strlen(log), *p = end;
	unsigned int lines = 0;
	size_t o = 0;

	while (p > log && (p[-1] == '\n' || p[-1] == ' '))
		p--, end--;
	while (p > log && lines < n) {
		p--;
		if (*p == '\n')
			lines++;
	}
	if (*p == '\n')
		p++;
	for (; p < end && o + 4 < sz; p++) {
		if (*p == '\n') {
			out[o++] = ' ', out[o++] = '|', out[o++] = ' ';
		} else {
			out[o++] = *p;
		}
	}
	out[o] = 0;
}

static const struct lift_prog *lift_prog_named(const struct lift_object *lo,
					       const char *name)
{
	for (size_t i = 0; lo && i < lo->n_progs; i++)
		if (!strcmp(lo->progs[i].name, name))
			return &lo->progs[i];
	return NULL;
}

static int prepare(struct vf_kern *k, const struct lift_object *lo)
{
	struct bpf_program *p;
	struct bpf_map *m;
	size_t i = 0;

	bpf_object__for_each_program(p, k->obj)
		k->n_logs++;
	k->logs = calloc(k->n_logs ? k->n_logs : 1, sizeof(char *));
	if (!k->logs)
		return -ENOMEM;
	bpf_object__for_each_program(p, k->obj) {
		const struct lift_prog *lp = lift_prog_named(lo,
						bpf_program__name(p));
		size_t sz = p == k->prog ? LOG_MAIN : LOG_OTHER;

		if (lp && lp->type != BPF_PROG_TYPE_UNSPEC &&
		    lp->type != bpf_program__type(p))
			bpf_program__set_type(p, lp->type);
		if (!runnable(bpf_program__type(p))) {
			bpf_program__set_autoload(p, false);
			i++;
			continue;
		}
		k->logs[i] = calloc(1, sz);
		if (!k->logs[i])
			return -ENOMEM;
		bpf_program__set_log_buf(p, k->logs[i], sz);
		i++;
	}
	/* Global data as the compiler saw it. */
	for (i = 0; lo && i < lo->n_maps; i++) {
		const struct lift_map *lm = &lo->maps[i];

		if (lm->kind == LIFT_MAP_USER || !lm->array_data)
			continue;
		m = bpf_object__find_map_by_name(k->obj, lm->name);
		if (m && bpf_map__value_size(m) == lm->value_size &&
		    bpf_map__set_initial_value(m, lm->array_data,
					       lm->value_size))
			return -EINVAL;
	}
	return 0;
}

static int fill_one(struct vf_kern *k, const struct lift_object *lo,
		    const struct lift_map *lm, int fd, size_t e, char *err,
		    size_t errsz)
{
	const struct lift_map_entry *ent = &lm->ents[e];
	bool percpu = lm->type == BPF_MAP_TYPE_PERCPU_HASH ||
		      lm->type == BPF_MAP_TYPE_PERCPU_ARRAY ||
		      lm->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	uint8_t *val = ent->value, *buf = NULL;
	int pfd, ret;

	if (lm->type == BPF_MAP_TYPE_PROG_ARRAY) {
		uint32_t idx;
		struct bpf_program *p;

		memcpy(&idx, ent->value, 4);
		if (idx >= lo->n_progs)
			return fl_err(err, errsz, -EINVAL,
				      "map '%s': prog array slot names program "
				      "%u of %zu", lm->name, idx, lo->n_progs);
		p = bpf_object__find_program_by_name(k->obj,
						     lo->progs[idx].name);
		pfd = p ? bpf_program__fd(p) : -1;
		if (pfd < 0)
			return fl_err(err, errsz, -ENOENT,
				      "map '%s': program '%s' is not loaded",
				      lm->name, lo->progs[idx].name);
		val = (uint8_t *)&pfd;
	} else if (percpu) {
		int ncpu = libbpf_num_possible_cpus();
		size_t vs = (lm->value_size + 7) & ~7u;

		if (ncpu <= 0)
			return ncpu ? ncpu : -EINVAL;
		buf = calloc((size_t)ncpu, vs);
		if (!buf)
			return -ENOMEM;
		for (int c = 0; c < ncpu; c++) {
			uint32_t from = (uint32_t)c < lm->n_cpus ? (uint32_t)c : 0;

			memcpy(buf + (size_t)c * vs,
			       ent->value + (size_t)from * lm->value_size,
			       lm->value_size);
		}
		val = buf;
	}
	ret = bpf_map_update_elem(fd, ent->key, val, BPF_ANY);
	free(buf);
	if (ret) {
		char hex[2 * 64 + 1];

		fl_hex(ent->key, lm->key_size < 64 ? lm->key_size : 64, hex);
		return fl_err(err, errsz, ret, "map '%s': key %s: update: %s",
			      lm->name, hex, strerror(-ret));
	}
	return 0;
}

static int fill_maps(struct vf_kern *k, const struct lift_object *lo,
		     char *err, size_t errsz)
{
	for (size_t i = 0; lo && i < lo->n_maps; i++) {
		const struct lift_map *lm = &lo->maps[i];
		struct bpf_map *m;
		int fd, ret;

		if (lm->kind != LIFT_MAP_USER || !lm->n_ents)
			continue;
		if (lm->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
		    lm->type == BPF_MAP_TYPE_HASH_OF_MAPS)
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "map '%s': maps of maps cannot be "
				      "filled for verification", lm->name);
		m = bpf_object__find_map_by_name(k->obj, lm->name);
		fd = m ? bpf_map__fd(m) : -1;
		if (fd < 0)
			return fl_err(err, errsz, -ENOENT,
				      "map '%s': not in the loaded object",
				      lm->name);
		for (size_t e = 0; e < lm->n_ents; e++) {
			ret = fill_one(k, lo, lm, fd, e, err, errsz);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Empty a map the program may have written (hash-like maps; arrays are
 * overwritten whole by the refill). */
/* Delete every key of a hash-like map. The keys are listed first, then
 * deleted: after a delete, get_next_key from the deleted key (or from
 * NULL) starts again at the first bucket, and walking a sparse table of
 * 2M buckets once per key made one clear take minutes. */
static int clear_map(int fd, uint32_t type, uint32_t key_size)
{
	size_t ks = key_size ? key_size : 1, n = 0, cap = 64;
	uint8_t *keys = NULL, *p;
	int ret = 0;

	if (type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	    type == BPF_MAP_TYPE_PROG_ARRAY)
		return 0;
	keys = malloc(cap * ks);
	if (!keys)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, n ? keys + (n - 1) * ks : NULL,
				     keys + n * ks)) {
		if (++n < cap)
			continue;
		p = cap <= SIZE_MAX / 2 / ks ? realloc(keys, 2 * cap * ks)
					      : NULL;
		if (!p) {
			ret = -ENOMEM;
			goto out;
		}
		keys = p;
		cap *= 2;
	}
	for (size_t i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, keys + i * ks) && errno != ENOENT) {
			ret = -errno;
			break;
		}
out:
	free(keys);
	return ret;
}

int vf_kern__restore_maps(struct vf_kern *k, char *err, size_t errsz)
{
	const struct lift_object *lo = k->lo;
	int ret;

	for (size_t i = 0; lo && i < lo->n_maps; i++) {
		const struct lift_map *lm = &lo->maps[i];
		struct bpf_map *m = bpf_object__find_map_by_name(k->obj,
								 lm->name);
		int fd = m ? bpf_map__fd(m) : -1;
		uint32_t zero = 0;

		if (fd < 0 || lm->kind == LIFT_MAP_RODATA ||
		    lm->type == BPF_MAP_TYPE_PROG_ARRAY ||
		    lm->type == BPF_MAP_TYPE_RINGBUF ||
		    lm->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			continue;
		if (lm->kind != LIFT_MAP_USER) {
			if (lm->array_data &&
			    bpf_map_update_elem(fd, &zero, lm->array_data,
						BPF_ANY))
				return fl_err(err, errsz, -errno, "map '%s': "
					      "restore: %s", lm->name,
					      strerror(errno));
			continue;
		}
		ret = clear_map(fd, lm->type, lm->key_size);
		if (ret)
			return fl_err(err, errsz, ret, "map '%s': clear: %s",
				      lm->name, strerror(-ret));
		if (lm->array_data && (lm->type == BPF_MAP_TYPE_ARRAY)) {
			for (uint32_t j = 0; j < lm->max_entries; j++)
				if (bpf_map_update_elem(fd, &j, lm->array_data +
							(size_t)j * lm->value_size,
							BPF_ANY))
					return fl_err(err, errsz, -errno,
						      "map '%s': restore: %s",
						      lm->name, strerror(errno));
			continue;
		}
		for (size_t e = 0; e < lm->n_ents; e++) {
			ret = fill_one(k, lo, lm, fd, e, err, errsz);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Does the program load skb->vlan_* through its context pointer? Linear
 * scan tracking which registers hold ctx (r1 at entry, copies of it). */
static bool reads_vlan_meta(const struct bpf_insn *insns, size_t n)
{
	static const int16_t offs[] = {
		offsetof(struct __sk_buff, vlan_present),
		offsetof(struct __sk_buff, vlan_tci),
		offsetof(struct __sk_buff, vlan_proto),
	};
	uint16_t ctx = 1u << BPF_REG_1;

	for (size_t i = 0; i < n; i++) {
		const struct bpf_insn *in = &insns[i];
		uint8_t cls = BPF_CLASS(in->code);

		if (cls == BPF_LDX && BPF_MODE(in->code) == BPF_MEM &&
		    (ctx & (1u << in->src_reg)))
			for (size_t j = 0; j < FL_ARRAY_SIZE(offs); j++)
				if (in->off == offs[j])
					return true;
		if (cls == BPF_ALU64 && BPF_OP(in->code) == BPF_MOV &&
		    BPF_SRC(in->code) == BPF_X) {
			if (ctx & (1u << in->src_reg))
				ctx |= 1u << in->dst_reg;
			else
				ctx &= ~(1u << in->dst_reg);
		} else if (cls == BPF_ALU64 || cls == BPF_ALU ||
			   cls == BPF_LDX || cls == BPF_LD) {
			ctx &= ~(1u << in->dst_reg);
		} else if (cls == BPF_JMP && BPF_OP(in->code) == BPF_CALL &&
			   in->src_reg == BPF_PSEUDO_CALL) {
			ctx &= ~0x3eu; /* r1-r5 clobbered, callee: r1 = arg */
			ctx |= 1u << BPF_REG_1;
		}
	}
	return false;
}

/*
 * The redirect probe. test_run does not perform a redirect, and the
 * target the program chose stays in a per-CPU area no syscall reads; an
 * fentry program on the redirect helper records the helper's arguments
 * (ifindex, flags) for calls made by this thread, so that a redirect rule's
 * target can be checked against the program's. Attached only when the
 * program calls bpf_redirect; redirects through maps (bpf_redirect_map)
 * are not observed. A kernel without fentry support simply leaves
 * redirect targets unchecked.
 */
static bool calls_redirect(const struct bpf_insn *insns, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (insns[i].code == (BPF_JMP | BPF_CALL) &&
		    insns[i].src_reg == 0 && insns[i].imm == BPF_FUNC_redirect)
			return true;
	return false;
}

#define I(c, d, s_, o, i_) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s_), \
			    .off = (o), .imm = (i_) })

static void probe_attach(struct vf_kern *k, const char *func)
{
	int id = libbpf_find_vmlinux_btf_id(func, BPF_TRACE_FENTRY);
	LIBBPF_OPTS(bpf_prog_load_opts, po,
		    .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = (uint32_t)id);
	struct bpf_insn insns[] = {
		I(BPF_LDX | BPF_MEM | BPF_DW, 6, 1, 0, 0),   /* arg 0 */
		I(BPF_LDX | BPF_MEM | BPF_DW, 7, 1, 8, 0),   /* arg 1 */
		I(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0),
		I(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, 0),
		I(0, 0, 0, 0, 0),
		I(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
		I(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),
		I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		I(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 8, 0),
		I(BPF_ALU64 | BPF_MOV | BPF_X, 8, 0, 0, 0),
		I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_pid_tgid),
		I(BPF_LDX | BPF_MEM | BPF_DW, 1, 8, 0, 0),
		I(BPF_JMP | BPF_JNE | BPF_X, 0, 1, 4, 0),
		I(BPF_STX | BPF_MEM | BPF_DW, 8, 6, 8, 0),
		I(BPF_STX | BPF_MEM | BPF_DW, 8, 7, 16, 0),
		I(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1),
		I(BPF_STX | BPF_MEM | BPF_DW, 8, 1, 24, 0),
		I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};

	if (id <= 0)
		return;
	k->probe_map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "vf_redirect", 4,
				      sizeof(struct probe_rec), 1, NULL);
	if (k->probe_map < 0)
		return;
	insns[3].imm = k->probe_map;
	k->probe_prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "vf_redirect",
				      "GPL", insns, FL_ARRAY_SIZE(insns), &po);
	if (k->probe_prog >= 0)
		k->probe_link = bpf_link_create(k->probe_prog, 0,
						BPF_TRACE_FENTRY, NULL);
	if (k->probe_link < 0) {
		k->probe_link = -1;
		if (k->probe_prog >= 0)
			close(k->probe_prog);
		close(k->probe_map);
		k->probe_prog = k->probe_map = -1;
	}
}

struct vf_kern *vf_kern__open(const char *path, const struct lift_object *lo,
			      const char *name, char *err, size_t errsz)
{
	libbpf_print_fn_t old = libbpf_set_print(lb_print);
	bool want_probe;
	struct vf_kern *k;
	size_t i = 0;
	int ret;

	k = calloc(1, sizeof(*k));
	if (!k) {
		ret = -ENOMEM;
		goto fail;
	}
	k->probe_map = k->probe_prog = k->probe_link = -1;
	lb_msg[0] = 0;
	k->obj = bpf_object__open_file(path, NULL);
	if (!k->obj) {
		ret = fl_err(err, errsz, -errno, "%s: libbpf cannot open it: %s",
			     path, lb_msg[0] ? lb_msg : strerror(errno));
		k->obj = NULL;
		goto fail;
	}
	k->prog = name ? bpf_object__find_program_by_name(k->obj, name) : NULL;
	if (!k->prog) {
		struct bpf_program *p;

		bpf_object__for_each_program(p, k->obj)
			if (!name || !strcmp(bpf_program__section_name(p),
					     name)) {
				k->prog = p;
				break;
			}
	}
	if (!k->prog) {
		ret = fl_err(err, errsz, -ENOENT, "%s: no program '%s'", path,
			     name ? name : "(any)");
		goto fail;
	}
	/* From the ELF, before libbpf and the verifier rewrite them. */
	k->vlan_meta = reads_vlan_meta(bpf_program__insns(k->prog),
				       bpf_program__insn_cnt(k->prog));
	want_probe = calls_redirect(bpf_program__insns(k->prog),
				    bpf_program__insn_cnt(k->prog));
	ret = prepare(k, lo);
	if (ret) {
		fl_err(err, errsz, ret, "%s: preparing the load: %s", path,
		       strerror(-ret));
		goto fail;
	}
	ret = bpf_object__load(k->obj);
	if (ret) {
		struct bpf_program *p;
		char tail[1536] = "";

		bpf_object__for_each_program(p, k->obj) {
			if (k->logs[i] && k->logs[i][0]) {
				log_tail(k->logs[i], 12, tail, sizeof(tail));
				break;
			}
			i++;
		}
		fl_err(err, errsz, ret, "%s: the kernel rejected the load (%s)"
		       "%s%s%s%s", path, strerror(-ret),
		       tail[0] ? ": verifier: " : "", tail,
		       !tail[0] && lb_msg[0] ? ": " : "",
		       !tail[0] ? lb_msg : "");
		goto fail;
	}
	k->fd = bpf_program__fd(k->prog);
	k->type = bpf_program__type(k->prog);
	k->vlan_meta &= k->type != BPF_PROG_TYPE_XDP;
	if (want_probe)
		probe_attach(k, k->type == BPF_PROG_TYPE_XDP ?
			     "bpf_xdp_redirect" : "bpf_redirect");
	k->lo = lo;
	ret = fill_maps(k, lo, err, errsz);
	if (ret)
		goto fail;
	libbpf_set_print(old);
	return k;
fail:
	libbpf_set_print(old);
	vf_kern__free(k);
	errno = -ret;
	return NULL;
}

void vf_kern__free(struct vf_kern *k)
{
	if (!k)
		return;
	if (k->probe_link >= 0)
		close(k->probe_link);
	if (k->probe_prog >= 0)
		close(k->probe_prog);
	if (k->probe_map >= 0)
		close(k->probe_map);
	bpf_object__close(k->obj);
	for (size_t i = 0; i < k->n_logs; i++)
		free(k->logs[i]);
	free(k->logs);
	free(k);
}

enum bpf_prog_type vf_kern__type(const struct vf_kern *k)
{
	return k->type;
}

bool vf_kern__reads_vlan_meta(const struct vf_kern *k)
{
	return k->vlan_meta;
}

bool vf_kern__has_redirect_probe(const struct vf_kern *k)
{
	return k->probe_link >= 0;
}

int vf_kern__run(struct vf_kern *k, const uint8_t *frame, size_t len,
		 uint32_t mark, struct vf_kern_result *res)
{
	struct __sk_buff skb = { .mark = mark };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = (uint32_t)len, .data_out = res->out,
		    .data_size_out = sizeof(res->out), .repeat = 1);
	int ret;

	if (k->type != BPF_PROG_TYPE_XDP) {
		o.ctx_in = &skb;
		o.ctx_size_in = sizeof(skb);
	}
	res->redirect_known = false;
	if (k->probe_link >= 0) {
		struct probe_rec rec = { .tgid = (uint64_t)getpid() << 32 |
						 (uint64_t)gettid() };
		uint32_t zero = 0;

		bpf_map_update_elem(k->probe_map, &zero, &rec, BPF_ANY);
	}
	ret = bpf_prog_test_run_opts(k->fd, &o);
	if (k->probe_link >= 0 && ret >= 0) {
		struct probe_rec rec;
		uint32_t zero = 0;

		if (!bpf_map_lookup_elem(k->probe_map, &zero, &rec) &&
		    rec.count) {
			res->redirect_known = true;
			res->redirect_ifindex = (uint32_t)rec.ifindex;
			res->redirect_flags = rec.flags;
		}
	}
	res->err = ret < 0 ? ret : 0;
	res->retval = (int64_t)o.retval;
	res->out_len = ret < 0 ? 0 : o.data_size_out;
	return res->err;
}

/*
 * Key shapes from BTF member names.
 */
static const struct {
	const char *word;
	unsigned int sizes; /* bit n: member of n bytes (1, 2, 4, 16) */
	enum vf_role role;
} role_words[] = {
	{ "sport", 1u << 2 | 1u << 4, VF_ROLE_SPORT },
	{ "src_port", 1u << 2 | 1u << 4, VF_ROLE_SPORT },
	{ "dport", 1u << 2 | 1u << 4, VF_ROLE_DPORT },
	{ "dst_port", 1u << 2 | 1u << 4, VF_ROLE_DPORT },
	{ "port", 1u << 2, VF_ROLE_DPORT },
	{ "vlan", 1u << 2 | 1u << 4, VF_ROLE_VLAN },
	{ "vid", 1u << 2 | 1u << 4, VF_ROLE_VLAN },
	{ "mark", 1u << 4, VF_ROLE_MARK },
	{ "h_proto", 1u << 2, VF_ROLE_ETHTYPE },
	{ "eth_proto", 1u << 2, VF_ROLE_ETHTYPE },
	{ "proto", 1u << 1 | 1u << 2 | 1u << 4, VF_ROLE_PROTO },
	{ "saddr", 1u << 4 | 1u << 16, VF_ROLE_SADDR },
	{ "src", 1u << 4 | 1u << 16, VF_ROLE_SADDR },
	{ "sip", 1u << 4 | 1u << 16, VF_ROLE_SADDR },
	{ "client", 1u << 4 | 1u << 16, VF_ROLE_SADDR },
	{ "daddr", 1u << 4 | 1u << 16, VF_ROLE_DADDR },
	{ "dst", 1u << 4 | 1u << 16, VF_ROLE_DADDR },
	{ "dip", 1u << 4 | 1u << 16, VF_ROLE_DADDR },
	{ "vip", 1u << 4 | 1u << 16, VF_ROLE_DADDR },
	{ "addr", 1u << 4 | 1u << 16, VF_ROLE_DADDR },
};

static enum vf_role role_of(const char *name, int64_t size)
{
	if (size != 1 && size != 2 && size != 4 && size != 16)
		return VF_ROLE_NONE;
	for (size_t i = 0; i < FL_ARRAY_SIZE(role_words); i++)
		if (strstr(name, role_words[i].word) &&
		    (role_words[i].sizes & (1u << size)))
			return role_words[i].role;
	return VF_ROLE_NONE;
}

static void shape_members(const struct btf *btf, uint32_t tid, uint32_t base,
			  int depth, struct vf_keyshape *out)
{
	const struct btf_type *t;
	const struct btf_member *m;

	tid = (uint32_t)btf__resolve_type(btf, tid);
	t = btf__type_by_id(btf, tid);
	if (!t || (!btf_is_struct(t) && !btf_is_union(t)) || depth > 2)
		return;
	m = btf_members(t);
	for (uint16_t i = 0; i < btf_vlen(t) && out->n < VF_MAX_SLOTS; i++) {
		const char *nm = btf__name_by_offset(btf, m[i].name_off);
		uint32_t off = base + btf_member_bit_offset(t, i) / 8;
		int64_t sz = btf__resolve_size(btf, m[i].type);
		const struct btf_type *mt = btf__type_by_id(btf,
			(uint32_t)btf__resolve_type(btf, m[i].type));
		enum vf_role r;

		if (mt && (btf_is_struct(mt) || btf_is_union(mt)) &&
		    (!nm || !nm[0] || sz != 16)) {
			shape_members(btf, m[i].type, off, depth + 1, out);
			continue;
		}
		r = nm ? role_of(nm, sz) : VF_ROLE_NONE;
		if (r == VF_ROLE_NONE)
			continue;
		out->s[out->n].off = (uint16_t)off;
		out->s[out->n].size = (uint16_t)sz;
		out->s[out->n].role = r;
		out->n++;
	}
}

int vf_kern__key_shape(const struct vf_kern *k, const char *name,
		       struct vf_keyshape *out)
{
	struct bpf_map *m = bpf_object__find_map_by_name(k->obj, name);
	const struct btf *btf = bpf_object__btf(k->obj);

	memset(out, 0, sizeof(*out));
	if (!m || !btf || !bpf_map__btf_key_type_id(m))
		return 0;
	shape_members(btf, bpf_map__btf_key_type_id(m), 0, 0, out);
	return (int)out->n;
}
