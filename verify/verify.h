/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify.h - differential verification of a lifted rule set against the
 * kernel: the same frames go through the eBPF program (BPF_PROG_TEST_RUN,
 * the oracle) and through the rule set's interpreter with the target's
 * dissector model; any frame a rule decides differently from the kernel is
 * a soundness violation.
 *
 * Parts, one file each:
 *  - vf_pkt.c     a frame builder (Ethernet, VLAN, IPv4 with options and
 *                 fragments, IPv6 with extension headers, TCP/UDP/ICMP)
 *                 with valid checksums and exact truncation;
 *  - vf_gen.c     the packet generator: value pools from the program's
 *                 jump immediates and map contents, frames drawn from them;
 *                 deterministic per seed;
 *  - vf_var.c     the malformed variants of a frame, and frame lists;
 *  - vf_pcap.c    a reader for classic libpcap files (Ethernet);
 *  - vf_verdict.c kernel return codes to IR verdicts;
 *  - vf_kern.c    the kernel runner (libbpf load, map fill, test_run);
 *  - vf_run.c     the driver; vf_report.c prints the report.
 *
 * Errors are negative errno with a one-line message in the caller's err
 * buffer; constructors return NULL and set errno; *_free() accepts NULL.
 */
#ifndef FLOWLIFT_VERIFY_H
#define FLOWLIFT_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/bpf.h>

#include "common/common.h"
#include "compiler/compiler.h"
#include "ir/ir.h"

/*
 * Frame builder.
 */
#define VF_FRAME_MAX 1536 /* bytes; every generated frame fits */
#define VF_MAX_VLANS 2
#define VF_MAX_EXTS 4
#define VF_PAYLOAD_HEAD 16 /* payload bytes a spec sets explicitly */

enum vf_l3 {
	VF_L3_NONE, /* nothing after the ethertype but the payload */
	VF_L3_IP4,
	VF_L3_IP6,
	VF_L3_ARP,
};

enum vf_l4 {
	VF_L4_NONE, /* payload right after the L3 header */
	VF_L4_TCP,
	VF_L4_UDP,
	VF_L4_ICMP,  /* ICMPv4 echo-style header */
	VF_L4_ICMP6, /* ICMPv6, checksum over the IPv6 pseudo-header */
};

struct vf_vlan {
	uint16_t tpid; /* 0x8100, 0x88a8 */
	uint16_t tci;  /* pcp << 13 | dei << 12 | vid */
};

/* An IPv6 extension header: type is its next-header number (0 hop-by-hop,
 * 43 routing, 60 destination options, 44 fragment). */
struct vf_ip6_ext {
	uint8_t type;
	uint8_t len8;      /* hdr ext len (8-octet units beyond the first) */
	uint16_t frag_off; /* fragment: offset in 8-octet units */
	bool more;         /* fragment: M flag */
};

/* What a frame is made of. Values are host order; addresses and MACs are
 * bytes as on the wire. The builder writes every field verbatim (so wrong
 * ethertypes, protocols and ihl < 5 can be expressed) and fills lengths and
 * checksums itself. */
struct vf_pkt {
	uint8_t dmac[6], smac[6];
	uint8_t n_vlans;
	struct vf_vlan vlans[VF_MAX_VLANS];
	uint16_t ethertype; /* after the tags */
	uint8_t l3;         /* enum vf_l3 */
	uint8_t l4;         /* enum vf_l4 */
	/* IPv4 */
	uint8_t ihl;        /* 0 means 5; 6..15 adds NOP options */
	uint8_t version;    /* 0 means 4 / 6 */
	uint8_t tos, ttl, proto;
	uint16_t frag;      /* flags and offset word: 0x2000 MF, 0x4000 DF */
	uint16_t ip_id;
	uint8_t saddr4[4], daddr4[4];
	/* IPv6 (tos, ttl and proto above are tclass, hop limit and the L4
	 * protocol that ends the extension header chain) */
	uint8_t saddr6[16], daddr6[16];
	uint32_t flowlabel;
	uint8_t n_exts;
	struct vf_ip6_ext exts[VF_MAX_EXTS];
	/* L4 */
	uint16_t sport, dport;
	uint16_t tcp_flags; /* low 12 bits of the offset/flags word */
	uint8_t icmp_type, icmp_code;
	/* Payload after L4: payload_len bytes, the first VF_PAYLOAD_HEAD
	 * from head[], the rest a pattern. */
	uint16_t payload_len;
	uint8_t head[VF_PAYLOAD_HEAD];
	/* Metadata that is not in the frame (tc: skb->mark). */
	uint32_t mark;
	/* Cut the built frame to this many bytes (0: keep it whole). Lengths
	 * and checksums are those of the whole frame. */
	uint32_t trunc;
};

/* Where the headers of a built frame start (offsets from the Ethernet
 * header; l4_off/pay_off equal the end of what precedes when absent). */
struct vf_layout {
	uint32_t l2_len;  /* Ethernet + tags */
	uint32_t l3_off;  /* == l2_len */
	uint32_t l3_len;  /* IPv4 header with options / IPv6 + ext headers */
	uint32_t l4_off;
	uint32_t l4_len;
	uint32_t pay_off;
	uint32_t full_len; /* before truncation */
	uint32_t len;      /* after truncation */
};

/* A sensible default frame: TCP over IPv4, documentation addresses. */
void vf_pkt__init(struct vf_pkt *p, int ip_version, enum vf_l4 l4);
/* Build p into buf[size]. Returns the frame length or -ENOSPC; fills lay
 * if non-NULL. */
int vf_pkt__build(const struct vf_pkt *p, uint8_t *buf, size_t size,
		  struct vf_layout *lay);
/* The Internet checksum of data (RFC 1071), folded, not inverted,
 * starting from 'sum'. */
uint32_t vf_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t vf_csum_fold(uint32_t sum);

/* One line describing a frame as a parser would read it ("vlan 10 ip4
 * 10.0.0.1 > 10.0.0.2 tcp 1234 > 80 [S] len 54"), for reports. */
int vf_frame__describe(const uint8_t *frame, size_t len, char *buf,
		       size_t size);

/* Does the frame fall outside the granted assumptions (ir_assume bits)?
 * no-ip-options: IPv4 options or IPv6 extension headers; well-formed: an
 * incomplete or inconsistent Ethernet, IP or L4 header (IP length beyond
 * the frame included). Such frames are not judged. */
bool vf_frame__breaks(const uint8_t *frame, size_t len, unsigned int assume);

/*
 * Frames to test, with where they came from.
 */
struct vf_frame {
	uint8_t *data;  /* owned */
	uint32_t len;
	uint32_t mark;
	bool has_spec;  /* generated (spec valid), not from a pcap */
	struct vf_pkt spec;
	char kind[40];  /* "random", "const ip4.dst", "trunc 33", ... */
};

struct vf_frames {
	struct vf_frame *v;
	size_t n, cap;
};

/* Build spec and append it (takes a copy). */
int vf_frames__add_spec(struct vf_frames *fs, const struct vf_pkt *p,
			const char *kind);
/* Append raw bytes (copied). */
int vf_frames__add_raw(struct vf_frames *fs, const uint8_t *data,
		       size_t len, uint32_t mark, const char *kind);
void vf_frames__fini(struct vf_frames *fs);

/*
 * Generator.
 */
enum vf_pool_id {
	VF_POOL_8,    /* protocols, TTL, TOS, flags, ICMP, payload bytes */
	VF_POOL_16,   /* ports, ethertypes, VLAN ids */
	VF_POOL_32,   /* IPv4 addresses (as wire value), marks */
	VF_POOL__COUNT,
};

/* Field roles a key member (or a tuple guess) feeds. */
enum vf_role {
	VF_ROLE_NONE,
	VF_ROLE_SADDR,  /* 4 bytes: IPv4, 16 bytes: IPv6 */
	VF_ROLE_DADDR,
	VF_ROLE_SPORT,
	VF_ROLE_DPORT,
	VF_ROLE_PROTO,
	VF_ROLE_VLAN,
	VF_ROLE_MARK,
	VF_ROLE_ETHTYPE,
};

/* A key (or LPM prefix) seen in a map, with the roles of its bytes, so
 * that frames can be made to hit it exactly. */
struct vf_keyslot {
	uint16_t off, size;
	enum vf_role role;
};

#define VF_MAX_SLOTS 8

struct vf_keyshape {
	uint32_t n;
	struct vf_keyslot s[VF_MAX_SLOTS];
};

struct vf_pools;

struct vf_pools *vf_pools__new(void);
void vf_pools__free(struct vf_pools *p);
/* Add a value (its ±1 neighbours and byte swaps too when 'around'). */
void vf_pools__add(struct vf_pools *p, enum vf_pool_id id, uint64_t v,
		   bool around);
void vf_pools__add_ip6(struct vf_pools *p, const uint8_t a[16]);
size_t vf_pools__count(const struct vf_pools *p, enum vf_pool_id id);
/* Constants the program compares against: every JMP/JMP32 immediate. */
void vf_pools__scan_insns(struct vf_pools *p, const struct bpf_insn *insns,
			  size_t n);
/* Keys and values of a map; LPM keys add the prefix's first and last
 * address and their outer neighbours. 'shape' (may be NULL) says which
 * key bytes are which header field (from BTF member names); keys with a
 * shape are kept for frames that hit them exactly. */
void vf_pools__scan_map(struct vf_pools *p, const struct lift_map *m,
			const struct vf_keyshape *shape);

struct vf_gen_opts {
	uint64_t seed;
	uint32_t n_packets; /* random + systematic frames (the malformed
			     * variants come on top) */
	bool with_mark;     /* the hook has skb->mark (tc) */
};

/* Fill fs with frames for the pools: one per pool value and field role
 * (sampled when there are more than half of n_packets), one per stored key,
 * then random frames drawing fields from the pools, then the fixed
 * malformed and odd cases. */
int vf_gen__frames(struct vf_pools *p, const struct vf_gen_opts *o,
		   struct vf_frames *fs);
/* The malformed variants of one frame: truncated at every header boundary
 * and ±1 byte, IPv4 options (ihl 6..15), fragments first/middle/last,
 * VLAN and QinQ tags, wrong ethertype, IPv6 extension headers, TTL 0/1/255,
 * TCP flag combinations. */
int vf_gen__variants(const struct vf_pkt *base, uint64_t seed,
		     struct vf_frames *fs);

/* A small deterministic PRNG (splitmix64). */
uint64_t vf_rand(uint64_t *state);

/*
 * pcap (classic libpcap, Ethernet link type): frames in file order.
 */
int vf_pcap__read(const char *path, struct vf_frames *fs, char *err,
		  size_t errsz);
/* Write frames as a pcap file (for --save and tests). */
int vf_pcap__write(FILE *f, const struct vf_frames *fs);

/*
 * Verdict mapping: what the kernel's return code means as an IR verdict
 * for a program type. Unknown codes follow the kernel (cls_bpf turns them
 * into TC_ACT_UNSPEC, i.e. the packet goes on; XDP drops them).
 */
struct vf_kverdict {
	enum ir_verdict verdict;
	const char *name; /* "TC_ACT_SHOT", "XDP_PASS", "unknown 9" */
};

int vf_verdict__map(enum bpf_prog_type type, int64_t retval,
		    struct vf_kverdict *out);
/* Same verdict for soundness purposes (redirect targets aside). */
bool vf_verdict__agrees(enum ir_verdict rule, enum ir_verdict kernel);

/*
 * Kernel runner.
 */
struct vf_kern;

struct vf_kern_result {
	int err;          /* 0, or negative errno of test_run */
	int64_t retval;
	uint32_t out_len; /* data_out */
	uint8_t out[VF_FRAME_MAX + 256];
	bool redirect_known; /* the redirect probe saw the helper call */
	uint32_t redirect_ifindex;
	uint64_t redirect_flags;
};

/* Open path with libbpf, load every tc/XDP program in it (prog 'name'
 * picked as the one to run; NULL: the only one), fill the maps from
 * lobj's contents (user maps with bpf_map_update_elem, global data as
 * initial values, prog arrays with the fds of the programs the lift
 * object names). A verifier rejection fails with -EACCES/-EINVAL and the
 * verifier log's last lines in err. */
struct vf_kern *vf_kern__open(const char *path, const struct lift_object *lobj,
			      const char *name, char *err, size_t errsz);
void vf_kern__free(struct vf_kern *k);
enum bpf_prog_type vf_kern__type(const struct vf_kern *k);
/* Does the program read skb->vlan_tci / vlan_present / vlan_proto (which
 * BPF_PROG_TEST_RUN cannot set)? */
bool vf_kern__reads_vlan_meta(const struct vf_kern *k);
/* Which key bytes of map 'name' are which header field, from the BTF
 * member names of its key type ("saddr", "dport", "proto", "vlan", ...).
 * Returns the number of slots found (0: no BTF or no known names). */
int vf_kern__key_shape(const struct vf_kern *k, const char *name,
		       struct vf_keyshape *out);
/* Is a redirect probe attached (fentry on the redirect helpers)? */
bool vf_kern__has_redirect_probe(const struct vf_kern *k);
/* Put every map the program can write back to the contents it was
 * loaded with (hash-like maps emptied and refilled, arrays and .data/.bss
 * rewritten), so that a frame can be judged against the same state the
 * compiler saw. */
int vf_kern__restore_maps(struct vf_kern *k, char *err, size_t errsz);
/* One test run of frame[len] with skb->mark = mark (tc). */
int vf_kern__run(struct vf_kern *k, const uint8_t *frame, size_t len,
		 uint32_t mark, struct vf_kern_result *res);

/*
 * The driver.
 */
struct vf_opts {
	const char *obj_path;
	const char *prog;      /* NULL: the only program */
	const char **map_specs; /* "NAME=FILE" */
	size_t n_map_specs;
	const char *target;    /* "ir", "flower", "nft", "rteflow" */
	unsigned int assume;   /* ir_assume bits */
	uint32_t n_packets;
	uint64_t seed;
	const char *pcap;      /* replay instead of generating */
	const char *rules;     /* IR text to check instead of compiling */
	const char *save_pcap; /* write the violating frames there */
	double min_coverage;   /* percent; below it the run fails (0: off) */
	uint32_t max_report;   /* violations kept in full (default 20) */
	FILE *diag;            /* lifter diagnostics (may be NULL) */
	/* Every frame tried, one line each, as the model sees it (may be
	 * NULL): "HEX MARK RULE PRIO", RULE the index of the rule the
	 * target's dissector model and the interpreter pick (-1: none, PRIO
	 * then -1); for running the same frames through the real target. */
	FILE *frames_out;
};

struct vf_violation {
	struct vf_frame frame;   /* as given to the rule set */
	uint32_t kern_len;       /* what the kernel was given (tc ingress:
				  * outer tag stripped) */
	char desc[160];
	char kernel[32];         /* kernel verdict name */
	enum ir_verdict kverdict;
	char rule[1024];         /* the rule's text with provenance */
	char source[256];        /* the rule's path's last branch in the
				  * source ("insn 13 (fw.bpf.c:41): ...") */
	char why[256];           /* verdict differs / packet modified / ... */
};

struct vf_report {
	char program[64];
	char source[160];       /* "lift_compile" or the --rules file */
	char target[16];
	char hook[16];
	char assume[64];
	uint32_t rules;
	struct lift_stats lstats;
	uint64_t packets;       /* frames tried */
	uint64_t not_testable;  /* test_run refused them (tc: incomplete
				 * L3, < 14 bytes) */
	uint64_t vlan_meta;     /* tagged frames not judged: the program
				 * reads vlan_tci */
	uint64_t outside;       /* frames the granted assumptions exclude */
	uint64_t tested;        /* judged */
	uint64_t decided;       /* tested frames a rule decided */
	uint64_t agreed;
	uint64_t n_violations;
	uint64_t n_stateful;    /* of which the kernel agreed once the maps
				 * were put back to the snapshot: the rule
				 * relies on a map the program writes */
	uint64_t redirects_checked, redirects_unchecked;
	uint64_t kverdicts[IR_ACT__COUNT];
	uint32_t rules_hit;
	double coverage;        /* decided / tested, percent */
	double secs_compile, secs_run;
	size_t n_kept;
	struct vf_violation *viol; /* the first max_report */
	bool redirect_probe;
	bool coverage_ok;
	double secs_index;      /* building the rule set's first-match index */
};

/* Load, compile, generate (or read the pcap), run, compare. Returns 0 with
 * the report filled (violations are in the report, not an error), or a
 * negative errno with a message (object, verifier, compile failures). */
int vf_verify(const struct vf_opts *o, struct vf_report *rep, char *err,
	      size_t errsz);
void vf_report__fini(struct vf_report *rep);
void vf_report__print(const struct vf_report *rep, FILE *f);
void vf_report__json(const struct vf_report *rep, struct fl_json *j);

#endif /* FLOWLIFT_VERIFY_H */
