// SPDX-License-Identifier: Apache-2.0
/*
 * load_tag.c - what the kernel derives from a program without loading it:
 * its tag and its type (from the section name, as libbpf maps it).
 *
 * The tag is bpf_prog_calc_tag() of kernel/bpf/core.c: a hash of the
 * instructions as user space passed them, with the imm of both halves of
 * every ldimm64 of a map (BPF_PSEUDO_MAP_FD / BPF_PSEUDO_MAP_VALUE) zeroed,
 * first 8 bytes. Linux 6.18 switched the hash from SHA-1 to SHA-256 (the
 * kernel on this project's machines reports SHA-256 tags); both are kept so
 * that a program loaded on an older kernel is recognised too. SHA-256 is
 * here rather than in common/ because only the tag needs it.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "compiler/load_internal.h"

/* SHA-256 (FIPS 180-4), just enough for the tag. */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], v[8], t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + w[i - 7] +
		       (ROR32(w[i - 15], 7) ^ ROR32(w[i - 15], 18) ^
			(w[i - 15] >> 3)) +
		       (ROR32(w[i - 2], 17) ^ ROR32(w[i - 2], 19) ^
			(w[i - 2] >> 10));
	memcpy(v, h, sizeof(v));
	for (i = 0; i < 64; i++) {
		t1 = v[7] +
		     (ROR32(v[4], 6) ^ ROR32(v[4], 11) ^ ROR32(v[4], 25)) +
		     ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha256_k[i] + w[i];
		t2 = (ROR32(v[0], 2) ^ ROR32(v[0], 13) ^ ROR32(v[0], 22)) +
		     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += v[i];
}

static void sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
	uint32_t h[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	uint64_t bits = (uint64_t)len * 8;
	uint8_t tail[128] = { 0 };
	size_t i, rest = len % 64, nt;

	for (i = 0; i + 64 <= len; i += 64)
		sha256_block(h, data + i);
	memcpy(tail, data + len - rest, rest);
	tail[rest] = 0x80;
	nt = rest + 9 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[nt - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha256_block(h, tail);
	if (nt == 128)
		sha256_block(h, tail + 64);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}

static bool is_map_ld(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW) &&
	       (in->src_reg == BPF_PSEUDO_MAP_FD ||
		in->src_reg == BPF_PSEUDO_MAP_VALUE);
}

void load_tag__compute(const struct bpf_insn *insns, size_t n, bool use256,
		       uint8_t tag[8])
{
	struct fl_sha1 s1;
	uint8_t *buf, d[32];
	struct bpf_insn in;
	bool was_ld_map = false;
	size_t i;

	buf = use256 ? malloc(n * sizeof(in) + 1) : NULL;
	if (use256 && !buf) {
		memset(tag, 0, 8);
		return;
	}
	if (!use256)
		fl_sha1__init(&s1);
	for (i = 0; i < n; i++) {
		in = insns[i];
		if (!was_ld_map && is_map_ld(&in)) {
			was_ld_map = true;
			in.imm = 0;
		} else if (was_ld_map && in.code == 0 && in.dst_reg == 0 &&
			   in.src_reg == 0 && in.off == 0) {
			was_ld_map = false;
			in.imm = 0;
		} else {
			was_ld_map = false;
		}
		if (use256)
			memcpy(buf + i * sizeof(in), &in, sizeof(in));
		else
			fl_sha1__update(&s1, &in, sizeof(in));
	}
	if (use256) {
		sha256(buf, n * sizeof(in), d);
		free(buf);
	} else {
		fl_sha1__final(&s1, d);
	}
	memcpy(tag, d, 8);
}

/* Section names as libbpf's section_defs[] know them: "name" matches
 * exactly or as "name/...". Longest names first where one prefixes
 * another. */
static const struct {
	const char *sec;
	enum bpf_prog_type type;
} prog_types[] = {
	{ "tc", BPF_PROG_TYPE_SCHED_CLS },
	{ "tcx", BPF_PROG_TYPE_SCHED_CLS },
	{ "tc/ingress", BPF_PROG_TYPE_SCHED_CLS },
	{ "tc/egress", BPF_PROG_TYPE_SCHED_CLS },
	{ "netkit", BPF_PROG_TYPE_SCHED_CLS },
	{ "classifier", BPF_PROG_TYPE_SCHED_CLS },
	{ "action", BPF_PROG_TYPE_SCHED_ACT },
	{ "xdp", BPF_PROG_TYPE_XDP },
	{ "xdp.frags", BPF_PROG_TYPE_XDP },
	{ "socket", BPF_PROG_TYPE_SOCKET_FILTER },
	{ "sk_reuseport", BPF_PROG_TYPE_SK_REUSEPORT },
	{ "kprobe", BPF_PROG_TYPE_KPROBE },
	{ "kretprobe", BPF_PROG_TYPE_KPROBE },
	{ "uprobe", BPF_PROG_TYPE_KPROBE },
	{ "uretprobe", BPF_PROG_TYPE_KPROBE },
	{ "tracepoint", BPF_PROG_TYPE_TRACEPOINT },
	{ "tp", BPF_PROG_TYPE_TRACEPOINT },
	{ "raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT },
	{ "raw_tp", BPF_PROG_TYPE_RAW_TRACEPOINT },
	{ "tp_btf", BPF_PROG_TYPE_TRACING },
	{ "fentry", BPF_PROG_TYPE_TRACING },
	{ "fexit", BPF_PROG_TYPE_TRACING },
	{ "fmod_ret", BPF_PROG_TYPE_TRACING },
	{ "iter", BPF_PROG_TYPE_TRACING },
	{ "lsm", BPF_PROG_TYPE_LSM },
	{ "perf_event", BPF_PROG_TYPE_PERF_EVENT },
	{ "lwt_in", BPF_PROG_TYPE_LWT_IN },
	{ "lwt_out", BPF_PROG_TYPE_LWT_OUT },
	{ "lwt_xmit", BPF_PROG_TYPE_LWT_XMIT },
	{ "lwt_seg6local", BPF_PROG_TYPE_LWT_SEG6LOCAL },
	{ "cgroup_skb", BPF_PROG_TYPE_CGROUP_SKB },
	{ "cgroup/skb", BPF_PROG_TYPE_CGROUP_SKB },
	{ "cgroup/sock", BPF_PROG_TYPE_CGROUP_SOCK },
	{ "cgroup/dev", BPF_PROG_TYPE_CGROUP_DEVICE },
	{ "sockops", BPF_PROG_TYPE_SOCK_OPS },
	{ "sk_skb", BPF_PROG_TYPE_SK_SKB },
	{ "sk_msg", BPF_PROG_TYPE_SK_MSG },
	{ "flow_dissector", BPF_PROG_TYPE_FLOW_DISSECTOR },
	{ "sk_lookup", BPF_PROG_TYPE_SK_LOOKUP },
	{ "syscall", BPF_PROG_TYPE_SYSCALL },
};

enum bpf_prog_type load_tag__prog_type(const char *sec)
{
	enum bpf_prog_type best = BPF_PROG_TYPE_UNSPEC;
	size_t i, best_len = 0;

	for (i = 0; i < FL_ARRAY_SIZE(prog_types); i++) {
		size_t n = strlen(prog_types[i].sec);

		if (strncmp(sec, prog_types[i].sec, n) ||
		    (sec[n] && sec[n] != '/') || n <= best_len)
			continue;
		best = prog_types[i].type;
		best_len = n;
	}
	return best;
}

static const char *const map_type_names[] = {
	[BPF_MAP_TYPE_HASH] = "hash",
	[BPF_MAP_TYPE_ARRAY] = "array",
	[BPF_MAP_TYPE_PROG_ARRAY] = "prog_array",
	[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = "perf_event_array",
	[BPF_MAP_TYPE_PERCPU_HASH] = "percpu_hash",
	[BPF_MAP_TYPE_PERCPU_ARRAY] = "percpu_array",
	[BPF_MAP_TYPE_LRU_HASH] = "lru_hash",
	[BPF_MAP_TYPE_LRU_PERCPU_HASH] = "lru_percpu_hash",
	[BPF_MAP_TYPE_LPM_TRIE] = "lpm_trie",
	[BPF_MAP_TYPE_DEVMAP] = "devmap",
	[BPF_MAP_TYPE_DEVMAP_HASH] = "devmap_hash",
	[BPF_MAP_TYPE_RINGBUF] = "ringbuf",
};

const char *load_tag__map_type_name(uint32_t type)
{
	if (type < FL_ARRAY_SIZE(map_type_names) && map_type_names[type])
		return map_type_names[type];
	return "map";
}
