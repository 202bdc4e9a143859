/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ir.h - flowlift's match-action intermediate representation.
 *
 * A rule set is an ordered list of rules, evaluated first-match by ascending
 * priority number (lowest number wins, as in tc); a packet no rule matches
 * goes to the slow path. A rule is a conjunction of key/mask (or range)
 * matches on named header fields, one action, and provenance that ties it
 * back to the eBPF paths it was derived from.
 *
 * Field values are stored big-endian (network order): a field of width W
 * bits occupies bytes [0, ceil(W/8)) of an ir_val, most significant byte
 * first, so ip6.src is 16 bytes as on the wire and l4.dport two. Bits above
 * W in the first byte are zero; bytes past ceil(W/8) are zero.
 * ir_val__u64() and ir_val__from_u64() convert for fields <= 64 bits.
 *
 * The IR has an interpreter (ir_ruleset__eval) fed by a dissector that
 * models what a target's parser extracts from a frame (ir_dissect), so that
 * soundness can be checked without the target itself.
 *
 * Errors are negative errno; constructors return NULL and set errno.
 * Every *_free() accepts NULL.
 */
#ifndef FLOWLIFT_IR_H
#define FLOWLIFT_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define IR_VAL_MAX 16 /* bytes; ip6 addresses are the widest field */

/* The fields table (ir_field.c) has one row per id, in this order, which is
 * also the canonical order of matches in a rule's text form. */
enum ir_field_id {
	IR_F_META_IFINDEX, /* meta.ifindex: ingress device (32) */
	IR_F_ETH_DST,      /* eth.dst (48) */
	IR_F_ETH_SRC,      /* eth.src (48) */
	IR_F_ETH_TYPE,     /* eth.type: outer ethertype, 0x8100 if tagged (16) */
	IR_F_VLAN_ID,      /* vlan.id: outer tag's VID (12) */
	IR_F_VLAN_PCP,     /* vlan.pcp: outer tag's priority (3) */
	IR_F_VLAN_TYPE,    /* vlan.type: ethertype after the outer tag (16) */
	IR_F_NUM_VLANS,    /* vlan.count: number of tags (8) */
	IR_F_IP_PROTO,     /* ip.proto: IPv4 protocol, or IPv6 L4 protocol
			    * after extension headers, as parsed (8) */
	IR_F_IP_TOS,       /* ip.tos: IPv4 TOS / IPv6 traffic class (8) */
	IR_F_IP_TTL,       /* ip.ttl: IPv4 TTL / IPv6 hop limit (8) */
	IR_F_IP_FRAG,      /* ip.frag: bit 0 is_fragment, bit 1 first_fragment
			    * (flower's ip_flags frag/firstfrag) (2) */
	IR_F_IP4_IHL,      /* ip4.ihl: header length in 32-bit words (4);
			    * nftables can match it, flower cannot */
	IR_F_IP4_SRC,      /* ip4.src (32) */
	IR_F_IP4_DST,      /* ip4.dst (32) */
	IR_F_IP6_SRC,      /* ip6.src (128) */
	IR_F_IP6_DST,      /* ip6.dst (128) */
	IR_F_IP6_NEXTHDR,  /* ip6.nexthdr: the fixed header's next-header byte
			    * (8). Differs from ip.proto, which is the L4
			    * protocol after extension headers as the target
			    * parses it. nft matches it ("ip6 nexthdr");
			    * flower only via ip.proto under no-ip-options. */
	IR_F_L4_SPORT,     /* l4.sport: TCP/UDP/SCTP source port (16) */
	IR_F_L4_DPORT,     /* l4.dport (16) */
	IR_F_TCP_FLAGS,    /* tcp.flags: low 12 bits of offset/flags word (12) */
	IR_F_ICMP_TYPE,    /* icmp.type: ICMP or ICMPv6 (8) */
	IR_F_ICMP_CODE,    /* icmp.code (8) */
	IR_F_META_MARK,    /* meta.mark: skb->mark (32) */
	IR_F_META_LEN,     /* meta.len: frame length in bytes from the start
			    * of the Ethernet header, VLAN tags in-line (16).
			    * The lifter emits it (as a range, len >= N) for
			    * the bounds checks a path relied on; targets that
			    * cannot match it need the guard implied by other
			    * keys, an assumption, or a slowpath carve-out. */
	IR_F__COUNT
};

enum ir_layer {
	IR_LAYER_META,
	IR_LAYER_L2,
	IR_LAYER_L3,
	IR_LAYER_L4,
};

struct ir_field {
	enum ir_field_id id;
	const char *name;  /* "ip4.src" */
	unsigned int width; /* bits */
	enum ir_layer layer;
	const char *dissector_key; /* flow dissector key it comes from,
				    * e.g. "FLOW_DISSECTOR_KEY_IPV4_ADDRS";
				    * NULL if the flow dissector has none
				    * (ip4.ihl, ip6.nexthdr, meta.mark,
				    * meta.len: flower cannot match them) */
	/* How the text form prints values: */
	enum ir_fmt {
		IR_FMT_HEX,  /* 0x0800 */
		IR_FMT_DEC,  /* 80 */
		IR_FMT_MAC,  /* 02:00:00:00:00:01 */
		IR_FMT_IP4,  /* 10.0.0.1 */
		IR_FMT_IP6,  /* fd00::1 */
	} fmt;
};

/* The table row for 'id'; NULL if out of range. */
const struct ir_field *ir_field__get(enum ir_field_id id);
/* Look up by name; NULL if unknown. */
const struct ir_field *ir_field__by_name(const char *name);
/* Bytes a value of this field takes: ceil(width / 8). */
size_t ir_field__bytes(enum ir_field_id id);

struct ir_val {
	uint8_t b[IR_VAL_MAX];
};

uint64_t ir_val__u64(const struct ir_val *v, enum ir_field_id f);
void ir_val__from_u64(struct ir_val *v, enum ir_field_id f, uint64_t x);

enum ir_match_kind {
	IR_MATCH_MASK,  /* (pkt & mask) == key; key has no bits outside mask */
	IR_MATCH_RANGE, /* lo <= pkt <= hi, fields <= 64 bits (ports) */
};

struct ir_match {
	enum ir_field_id field;
	enum ir_match_kind kind;
	union {
		struct {
			struct ir_val key, mask;
		};
		struct {
			uint64_t lo, hi;
		};
	};
};

enum ir_verdict {
	IR_ACT_SLOWPATH, /* leave to the eBPF program (default) */
	IR_ACT_DROP,
	IR_ACT_PASS,
	IR_ACT_REDIRECT, /* to ifindex, egress or ingress */
	IR_ACT_TX,       /* back out of the port it came in on (XDP_TX) */
	IR_ACT__COUNT
};

enum ir_rewrite_kind {
	IR_RW_VLAN_PUSH, /* vid, pcp, proto */
	IR_RW_VLAN_POP,
	IR_RW_SET_FIELD, /* field = val (masked by mask) */
};

struct ir_rewrite {
	enum ir_rewrite_kind kind;
	enum ir_field_id field;     /* IR_RW_SET_FIELD */
	struct ir_val val, mask;    /* IR_RW_SET_FIELD */
	uint16_t vid, proto;        /* IR_RW_VLAN_PUSH */
	uint8_t pcp;                /* IR_RW_VLAN_PUSH */
};

#define IR_MAX_REWRITES 4

struct ir_action {
	enum ir_verdict verdict;
	uint32_t ifindex;  /* IR_ACT_REDIRECT */
	bool ingress;      /* IR_ACT_REDIRECT: to ingress instead of egress */
	uint8_t n_rewrites;
	struct ir_rewrite rewrites[IR_MAX_REWRITES];
};

/* Where a rule came from: the eBPF path (numbered by the lifter), the
 * instruction ranges it executed (in order, coalesced), and the map entries
 * whose contents it used ("map:hexkey"). Source lines are derived from insn
 * indexes through the program's BTF line info when explaining. */
struct ir_insn_range {
	uint32_t first, last; /* inclusive */
	uint32_t prog;        /* 0: the lifted program; k: prov.progs[k - 1],
			       * a program it reached by tail call */
};

struct ir_prov {
	int32_t path;                 /* -1: none (hand-written / merged) */
	uint32_t n_ranges;
	struct ir_insn_range *ranges; /* owned */
	uint32_t n_maprefs;
	char **maprefs;               /* owned: "allow:0a000000/8" */
	uint32_t n_progs;
	char **progs;                 /* owned: tail-called programs' names */
};

#define IR_MAX_MATCHES IR_F__COUNT

struct ir_rule {
	uint32_t prio;      /* lower number = evaluated first */
	uint32_t n_matches; /* at most one match per field, canonical order */
	struct ir_match matches[IR_MAX_MATCHES];
	struct ir_action action;
	struct ir_prov prov;
};

/* Assumptions about traffic a user may grant; off by default, printed in
 * every emitted rule set's header. */
enum ir_assume {
	IR_ASSUME_NO_IP_OPTIONS = 1u << 0, /* "no-ip-options": IPv4 ihl is 5
					    * and IPv6 has no extension
					    * headers */
	IR_ASSUME_WELL_FORMED = 1u << 1,   /* "well-formed" */
};

/* Name <-> flag; 0 / NULL if unknown. */
unsigned int ir_assume__by_name(const char *name);
const char *ir_assume__name(unsigned int flag);

/* Program hooks the rule set stands in for. */
enum ir_hook {
	IR_HOOK_TC_INGRESS,
	IR_HOOK_TC_EGRESS,
	IR_HOOK_XDP,
};

struct ir_ruleset;

struct ir_ruleset *ir_ruleset__new(void);
void ir_ruleset__free(struct ir_ruleset *rs);
/* Deep copy; NULL and errno on failure. */
struct ir_ruleset *ir_ruleset__clone(const struct ir_ruleset *rs);

/* Append a copy of 'r' (its provenance is deep-copied); rules keep insertion
 * order among equal priorities. */
int ir_ruleset__add(struct ir_ruleset *rs, const struct ir_rule *r);
size_t ir_ruleset__count(const struct ir_ruleset *rs);
struct ir_rule *ir_ruleset__rule(struct ir_ruleset *rs, size_t i);
const struct ir_rule *ir_ruleset__rule_c(const struct ir_ruleset *rs,
					 size_t i);
/* Remove rule i (frees its provenance). */
void ir_ruleset__remove(struct ir_ruleset *rs, size_t i);
/* Stable sort by priority. */
void ir_ruleset__sort(struct ir_ruleset *rs);

/* Header metadata: ordered key/value pairs printed as "# key: value" lines
 * (program, tag, hook, target, assumptions, map digests, ...). Setting a key
 * that exists replaces it; keys that repeat (notes) use _add. */
int ir_ruleset__set_meta(struct ir_ruleset *rs, const char *key,
			 const char *value);
int ir_ruleset__add_meta(struct ir_ruleset *rs, const char *key,
			 const char *value);
const char *ir_ruleset__meta(const struct ir_ruleset *rs, const char *key);
size_t ir_ruleset__meta_count(const struct ir_ruleset *rs);
void ir_ruleset__meta_at(const struct ir_ruleset *rs, size_t i,
			 const char **key, const char **value);

void ir_ruleset__set_assume(struct ir_ruleset *rs, unsigned int assume);
unsigned int ir_ruleset__assume(const struct ir_ruleset *rs);
void ir_ruleset__set_hook(struct ir_ruleset *rs, enum ir_hook hook);
enum ir_hook ir_ruleset__hook(const struct ir_ruleset *rs);

/* Rule helpers. */
void ir_rule__init(struct ir_rule *r);
void ir_rule__fini(struct ir_rule *r); /* frees provenance */
int ir_rule__copy(struct ir_rule *dst, const struct ir_rule *src);
/* Add a match, or intersect it with the rule's existing match on the same
 * field, keeping canonical order. Returns 0 on success, 1 if the conjunction
 * became unsatisfiable (the rule can match nothing), negative errno on
 * error (-EOPNOTSUPP: a mask and a range on one field that do not combine
 * into one match). */
int ir_rule__and(struct ir_rule *r, const struct ir_match *m);
const struct ir_match *ir_rule__find(const struct ir_rule *r,
				     enum ir_field_id f);
/* Match helpers that build a canonical key/mask. */
void ir_match__exact(struct ir_match *m, enum ir_field_id f, uint64_t v);
void ir_match__prefix(struct ir_match *m, enum ir_field_id f,
		      const uint8_t *addr, unsigned int plen);
void ir_match__range(struct ir_match *m, enum ir_field_id f, uint64_t lo,
		     uint64_t hi);

/*
 * Text form: one rule a line, canonical order, parseable back.
 *
 *   # flowlift-ir 1
 *   # program: fw
 *   # assume: no-ip-options
 *   prio 10 eth.type=0x0800 ip4.src=10.0.0.0/8 l4.dport=80-90 \
 *       -> drop @path=3 @insns=0-14,22-30 @map=allow:0a000000/8
 *
 * (one line; the backslash is for this comment only). Values: hex, decimal,
 * MAC, dotted quad or IPv6 per the field's fmt; masks as "/plen" when they
 * are a prefix, "/0xMASK" (or "/mask-in-field-format") otherwise; ranges
 * "lo-hi". Actions: drop, pass, slowpath, tx, redirect(IFINDEX,egress),
 * redirect(IFINDEX,ingress); rewrites before the verdict separated by ',':
 *   -> vlan_push(100,0,0x8100),drop   vlan_pop,pass
 *   set(eth.dst=02:00:00:00:00:01),redirect(4,egress)
 * A rule with no matches prints "prio N any -> ...".
 */
int ir_ruleset__print(const struct ir_ruleset *rs, FILE *f);
int ir_rule__print(const struct ir_rule *r, FILE *f);
/* Format one rule (no provenance) into buf; returns length or -ENOSPC. */
int ir_rule__snprint(const struct ir_rule *r, char *buf, size_t size,
		     bool with_prov);
int ir_match__snprint(const struct ir_match *m, char *buf, size_t size);
int ir_action__snprint(const struct ir_action *a, char *buf, size_t size);
/* Parse a whole text form. On error returns NULL, sets errno, and writes a
 * one-line message "LINE:COL: what" into err (if non-NULL). */
struct ir_ruleset *ir_ruleset__parse(FILE *f, const char *name, char *err,
				     size_t errsz);
struct ir_ruleset *ir_ruleset__parse_str(const char *text, char *err,
					 size_t errsz);

/* Consistency check (after every pass): canonical match order, masks within
 * field width, key within mask, ranges lo <= hi, actions valid, priorities
 * non-decreasing in list order. Returns 0 or -EINVAL with a reason in err. */
int ir_ruleset__check(const struct ir_ruleset *rs, char *err, size_t errsz);

/*
 * Dissector models and the interpreter.
 */
enum ir_dissector {
	IR_DIS_FLOWER,  /* Linux flow dissector as cls_flower uses it */
	IR_DIS_NFT,     /* nftables netdev payload expressions */
	IR_DIS_RTEFLOW, /* DPDK rte_flow pattern items, as a NIC parses */
};

/* Keys a target's parser extracts from a frame. A field that is absent
 * (header missing or truncated, not parsed) has present[f] false and value
 * zero: flower matches such a key as zero, nftables never matches it. */
struct ir_keys {
	struct ir_val v[IR_F__COUNT];
	bool present[IR_F__COUNT];
};

/* Metadata the frame does not carry. */
struct ir_meta {
	uint32_t ifindex;
	uint32_t mark;
};

/* Lowest frame length at which dissector d yields key f as present for a
 * frame shaped like k (e.g. flower's l4.dport needs the 4 port bytes of the
 * L4 header); 0 if not present. Lets legalisation decide whether a rule's
 * keys already imply its meta.len guard. */
uint32_t ir_dissect__min_len(enum ir_dissector d, const struct ir_keys *k,
			     enum ir_field_id f);

/* Parse 'frame' (starting at the Ethernet header, VLAN tags in-line) the way
 * target 'd' would. Never fails; truncation leaves keys absent. meta.* keys
 * are always present (meta may be NULL: zeros). Each model's choices are
 * in the design comment of its file (ir_dissect.c: flower, including
 * tunnels the flow dissector decapsulates: when one changes the protocol
 * flower's eth_type key is compared with, eth.type (untagged) or
 * vlan.type (one tag) is absent so no rule pinning it matches;
 * ir_dissect_nft.c; ir_dissect_rte.c). */
void ir_dissect(enum ir_dissector d, const uint8_t *frame, size_t len,
		const struct ir_meta *meta, struct ir_keys *out);

/* Does rule r match keys k under dissector d's semantics? */
bool ir_rule__matches(const struct ir_rule *r, enum ir_dissector d,
		      const struct ir_keys *k);
/* First matching rule, or NULL (slow path). */
const struct ir_rule *ir_ruleset__eval(const struct ir_ruleset *rs,
				       enum ir_dissector d,
				       const struct ir_keys *k);

/* A first-match index over a rule set (ir_index.c: tuple-space search,
 * one hash table per distinct match shape): the same answer as
 * ir_ruleset__eval without walking every rule. It refers to rs, which
 * must outlive it and not change while it is used. NULL and errno on
 * failure. */
struct ir_index;

struct ir_index *ir_index__new(const struct ir_ruleset *rs);
void ir_index__free(struct ir_index *ix);
/* Index in rs of the first rule matching k under d, or -1 (slow path). */
long ir_index__eval(const struct ir_index *ix, enum ir_dissector d,
		    const struct ir_keys *k);
/* Number of subtables (distinct shapes), for reports. */
size_t ir_index__subtables(const struct ir_index *ix);

/*
 * Target capabilities: what a backend can express. Backends fill one;
 * legalisation (compiler/pass_legalise.c) uses it.
 */
enum ir_cap_match {
	IR_CAP_EXACT = 1u << 0,
	IR_CAP_MASK = 1u << 1,   /* arbitrary masks */
	IR_CAP_PREFIX = 1u << 2, /* prefix masks only */
	IR_CAP_RANGE = 1u << 3,
};

struct ir_caps {
	const char *name; /* "flower" */
	enum ir_dissector dissector;
	unsigned int field_match[IR_F__COUNT]; /* ir_cap_match bits, 0: no */
	unsigned int verdicts;      /* 1u << enum ir_verdict */
	bool rewrites;              /* can apply ir_rewrite */
	uint32_t prio_min, prio_max;
	uint32_t max_rules;         /* 0: unlimited */
	/* Fields that need another field pinned to be matched, e.g. flower's
	 * l4 ports need ip.proto, ip fields need eth.type. Legalisation adds
	 * or checks these. */
	bool l4_needs_proto, l3_needs_ethtype;
	/* All rules of one priority must match one ethertype (tc: a flower
	 * filter's protocol is per priority); the prio pass honours it. */
	bool prio_one_ethtype;
};

/*
 * Semantic diff (ir_diff.c): the regions of packet space whose verdict
 * differs between rule sets a and b under dissector d. One region per pair
 * of rules (one in a, one in b, or the slow-path default) that decide some
 * packet differently: their intersection 'match', minus what the earlier
 * rules except_a/except_b of either set decide first; with a witness frame
 * from what is left, dissected and evaluated on both sides. approx: the
 * remainder was too fragmented to carve, the witness was sampled. At most
 * max_regions (0: 1000) are kept.
 */
#define IR_DIFF_EXCEPT 8

struct ir_diff_region {
	struct ir_rule match;       /* the two rules' intersection */
	uint32_t except_a[IR_DIFF_EXCEPT], except_b[IR_DIFF_EXCEPT];
	uint32_t n_except_a, n_except_b; /* counts (may exceed the arrays) */
	struct ir_action old_act, new_act;
	long a_rule, b_rule;        /* deciding rule index, -1: slow path */
	struct ir_keys keys;        /* the witness's keys */
	struct ir_meta meta;        /* and metadata */
	uint8_t frame[256];         /* the witness frame */
	int frame_len;
	bool approx;
};

struct ir_diff;

int ir_diff(const struct ir_ruleset *a, const struct ir_ruleset *b,
	    enum ir_dissector d, size_t max_regions, struct ir_diff **out);
size_t ir_diff__count(const struct ir_diff *diff);
const struct ir_diff_region *ir_diff__region(const struct ir_diff *diff,
					     size_t i);
bool ir_diff__truncated(const struct ir_diff *diff);
void ir_diff__free(struct ir_diff *diff);
bool ir_action__equal(const struct ir_action *a, const struct ir_action *b);

/* Build a frame whose keys under dissector d are want's present keys
 * (others take ordinary values). Returns its length, -EOPNOTSUPP if no
 * frame has those keys, -ENOSPC if cap is too small (ir_synth.c). */
int ir_keys__synth(const struct ir_keys *want, enum ir_dissector d,
		   uint8_t *frame, size_t cap);

#endif /* FLOWLIFT_IR_H */
