// SPDX-License-Identifier: Apache-2.0
/*
 * rt_bpf.c - the agent's view of the loaded slow-path program: its maps
 * (found by name among the program's map ids), a digest of the maps that
 * hold policy, and re-deciding a flow.
 *
 * Re-deciding runs the program itself (BPF_PROG_TEST_RUN) on a frame built
 * from the flow key, with the live maps: the kernel's exact semantics for
 * the header fields the rule matches. (Lifting the object with the current
 * map contents and evaluating the rule set would also be sound, but leaves
 * every flow of a stateful program undecided.) The program's own report is
 * what counts: the run must have reported the flow (flowlift_stats moved)
 * and flowlift_seen then holds the decision, including the redirect target
 * a return code cannot tell. Anything unclear counts as "changed", which
 * removes the rule: the flow goes back to the slow path, never to a wrong
 * rule.
 *
 * Policy maps: every map of the program except the flowlift_* maps, ring
 * buffers and perf arrays, per-CPU maps and LRU maps (counters and state
 * the program writes itself, not policy).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/common.h"
#include "runtime/rt_internal.h"

static bool is_policy_map(const struct bpf_map_info *mi)
{
	switch (mi->type) {
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return false;
	default:
		return strncmp(mi->name, "flowlift_", 9) != 0;
	}
}

static int open_prog_fd(const char *spec, char *err, size_t errsz)
{
	char *end;
	int fd;

	if (!strncmp(spec, "id:", 3)) {
		unsigned long id = strtoul(spec + 3, &end, 10);

		if (!spec[3] || *end || !id || id > UINT32_MAX)
			return fl_err(err, errsz, -EINVAL,
				      "'%s': bad program id", spec);
		fd = bpf_prog_get_fd_by_id(id);
	} else {
		fd = bpf_obj_get(spec);
	}
	if (fd < 0)
		return fl_err(err, errsz, -errno, "program '%s': %s", spec,
			      strerror(errno));
	return fd;
}

static int add_map(struct rt_prog *p, int fd, const struct bpf_map_info *mi,
		   char *err, size_t errsz)
{
	int *v;

	if (!strcmp(mi->name, FLOWLIFT_EVENTS_MAP) &&
	    mi->type == BPF_MAP_TYPE_RINGBUF) {
		p->events_fd = fd;
		p->events_bytes = mi->max_entries;
	}
	else if (!strcmp(mi->name, FLOWLIFT_SEEN_MAP) &&
		 mi->key_size == sizeof(struct flowlift_flow_key) &&
		 mi->value_size == sizeof(struct flowlift_seen))
		p->seen_fd = fd;
	else if (!strcmp(mi->name, FLOWLIFT_STATS_MAP) &&
		 mi->type == BPF_MAP_TYPE_PERCPU_ARRAY &&
		 mi->value_size == 8)
		p->stats_fd = fd;
	else if (is_policy_map(mi)) {
		v = realloc(p->policy_fds, (p->n_policy + 1) * sizeof(*v));
		if (!v) {
			close(fd);
			return -ENOMEM;
		}
		p->policy_fds = v;
		p->policy_fds[p->n_policy++] = fd;
	} else {
		close(fd);
	}
	return 0;
}

static int find_maps(struct rt_prog *p, char *err, size_t errsz)
{
	struct bpf_prog_info pi = { 0 };
	uint32_t len = sizeof(pi), ids[64], n;
	int ret;

	if (bpf_obj_get_info_by_fd(p->fd, &pi, &len))
		return fl_err(err, errsz, -errno, "program info: %s",
			      strerror(errno));
	n = pi.nr_map_ids < 64 ? pi.nr_map_ids : 64;
	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = n;
	pi.map_ids = (uint64_t)(unsigned long)ids;
	len = sizeof(pi);
	if (bpf_obj_get_info_by_fd(p->fd, &pi, &len))
		return fl_err(err, errsz, -errno, "program info: %s",
			      strerror(errno));
	p->id = pi.id;
	p->type = pi.type;
	memcpy(p->tag, pi.tag, sizeof(p->tag));
	memcpy(p->name, pi.name, sizeof(p->name));
	for (uint32_t i = 0; i < n; i++) {
		struct bpf_map_info mi = { 0 };
		uint32_t ml = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &mi, &ml)) {
			ret = -errno;
			if (fd >= 0)
				close(fd);
			return fl_err(err, errsz, ret, "map id %u: %s", ids[i],
				      strerror(-ret));
		}
		ret = add_map(p, fd, &mi, err, errsz);
		if (ret)
			return ret;
	}
	return 0;
}

int rt_prog__open(struct rt_prog *p, const char *spec, char *err,
		  size_t errsz)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->events_fd = p->seen_fd = p->stats_fd = -1;
	p->fd = open_prog_fd(spec, err, errsz);
	if (p->fd < 0)
		return p->fd;
	ret = find_maps(p, err, errsz);
	if (!ret && p->type != BPF_PROG_TYPE_XDP &&
	    p->type != BPF_PROG_TYPE_SCHED_CLS &&
	    p->type != BPF_PROG_TYPE_SCHED_ACT)
		ret = fl_err(err, errsz, -EINVAL,
			     "program '%s' is neither tc nor XDP", spec);
	if (!ret && p->events_fd < 0)
		ret = fl_err(err, errsz, -ENOENT,
			     "program '%s' (%s) has no ring buffer map '"
			     FLOWLIFT_EVENTS_MAP "' (bpf/flowlift.bpf.h)",
			     spec, p->name);
	p->n_cpus = libbpf_num_possible_cpus();
	if (!ret && p->n_cpus <= 0)
		ret = fl_err(err, errsz, -EINVAL, "cannot count CPUs");
	if (ret)
		rt_prog__close(p);
	return ret;
}

void rt_prog__close(struct rt_prog *p)
{
	int fds[] = { p->fd, p->events_fd, p->seen_fd, p->stats_fd };

	for (size_t i = 0; i < FL_ARRAY_SIZE(fds); i++)
		if (fds[i] > 0)
			close(fds[i]);
	for (size_t i = 0; i < p->n_policy; i++)
		close(p->policy_fds[i]);
	free(p->policy_fds);
	memset(p, 0, sizeof(*p));
	p->fd = p->events_fd = p->seen_fd = p->stats_fd = -1;
}

static size_t blob_size;

static int blob_cmp(const void *a, const void *b)
{
	return memcmp(a, b, blob_size);
}

/* Hash one map's entries sorted (hash iteration order is not stable). */
static int digest_map(int fd, struct fl_sha1 *s)
{
	struct bpf_map_info mi = { 0 };
	uint32_t ml = sizeof(mi);
	size_t n = 0, cap = 64, bs;
	uint8_t *v, *key, *prev = NULL;
	int ret = 0;

	if (bpf_obj_get_info_by_fd(fd, &mi, &ml))
		return -errno;
	bs = mi.key_size + mi.value_size;
	fl_sha1__update(s, &mi.id, sizeof(mi.id));
	v = malloc(cap * bs);
	if (!v)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			uint8_t *nv = realloc(v, 2 * cap * bs);

			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			v = nv;
			cap *= 2;
		}
		key = v + n * bs;
		if (bpf_map_get_next_key(fd, prev, key))
			break; /* ENOENT: done */
		if (bpf_map_lookup_elem(fd, key, key + mi.key_size))
			continue; /* deleted meanwhile */
		prev = key;
		n++;
	}
	blob_size = bs;
	qsort(v, n, bs, blob_cmp);
	fl_sha1__update(s, v, n * bs);
	free(v);
	return ret;
}

int rt_prog__digest(const struct rt_prog *p, uint8_t out[20])
{
	struct fl_sha1 s;
	int ret;

	fl_sha1__init(&s);
	for (size_t i = 0; i < p->n_policy; i++) {
		ret = digest_map(p->policy_fds[i], &s);
		if (ret)
			return ret;
	}
	fl_sha1__final(&s, out);
	return 0;
}

int rt_prog__counters(const struct rt_prog *p,
		      uint64_t out[FLOWLIFT_STAT__COUNT])
{
	uint64_t *v;

	memset(out, 0, FLOWLIFT_STAT__COUNT * sizeof(*out));
	if (p->stats_fd < 0)
		return 0;
	v = calloc(p->n_cpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t i = 0; i < FLOWLIFT_STAT__COUNT; i++) {
		if (bpf_map_lookup_elem(p->stats_fd, &i, v))
			continue;
		for (int c = 0; c < p->n_cpus; c++)
			out[i] += v[c];
	}
	free(v);
	return 0;
}

void rt_prog__forget(void *arg, const struct flowlift_flow_key *k)
{
	const struct rt_prog *p = arg;

	if (p->seen_fd >= 0)
		bpf_map_delete_elem(p->seen_fd, k);
}
