/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backends_internal.h - what the backend files share: the ops structs,
 * device-name resolution, header printing, the flower rule <-> text line
 * helpers that apply and the netlink code reuse, and the flower netlink
 * encoder/decoder (exposed for tests and `apply --dry-run`).
 */
#ifndef FLOWLIFT_BACKENDS_INTERNAL_H
#define FLOWLIFT_BACKENDS_INTERNAL_H

#include <linux/netlink.h>

#include "backends/backends.h"

extern const struct be_ops be_flower_ops;
extern const struct be_ops be_nft_ops;
extern const struct be_ops be_rteflow_ops;

extern const struct ir_caps be_flower_caps;
extern const struct ir_caps be_nft_caps;
extern const struct ir_caps be_rteflow_caps;

/* Name of ifindex: from o->ifnames, else the host (if_indextoname).
 * -ENODEV with a reason in err if neither knows it. */
int be_ifname(const struct be_opts *o, uint32_t ifindex, char name[IF_NAMESIZE],
	      char *err, size_t errsz);
/* Reverse: from o->ifnames, else if_nametoindex; 0 if unknown. */
uint32_t be_ifindex(const struct be_opts *o, const char *name);

/* "# key: value" lines for the rule set's meta, then a counts line. */
void be_print_meta(const struct ir_ruleset *rs, FILE *f);
/* Rules whose matches equal an earlier rule's: they can never match
 * (first match wins), and flower would refuse them (EEXIST). A malloc'd
 * array of n flags; NULL on ENOMEM. */
bool *be_duplicates(const struct ir_ruleset *rs, size_t *n_dup);
/* "# ifname: IFINDEX=NAME" for every device rs names, so that the text
 * reads back on another host (parse uses them before the host's). */
void be_print_ifnames(const struct ir_ruleset *rs, const struct be_opts *o,
		      FILE *f);
/* Append the mapping of an "# ifname: I=NAME" line to *tab: 1 if it was
 * one, 0 if not, -ENOMEM. */
int be_parse_ifname_line(const char *line, struct be_ifname **tab,
			 size_t *n);
/* Number of distinct priorities in rs (sorted). */
size_t be_count_prios(const struct ir_ruleset *rs);
/* Add "# key: value" comment line to rs meta unless key is in skip; a
 * value the IR refuses is an error "LINENO: bad header line ..." in err. */
/* A line of a rule file without its leading blanks and line end (in
 * place). */
char *be_trim_line(char *line);
int be_parse_meta_line(struct ir_ruleset *rs, const char *line,
		       const char *const *skip, size_t lineno, char *err,
		       size_t errsz);

/* Parsers: a non-negative number (decimal or 0x); AND match m into rule
 * r, "conflicting matches on FIELD" in err if they cannot both hold. */
int be_parse_u64(const char *s, uint64_t *v);
int be_rule_add(struct ir_rule *r, const struct ir_match *m, char *err,
		size_t errsz);

/* How a value is written in nft and testpmd text. */
enum be_vfmt { BE_V_DEC, BE_V_HEX, BE_V_MAC, BE_V_IP4, BE_V_IP6 };
void be_print_val(FILE *out, enum be_vfmt fmt, enum ir_field_id f,
		  const struct ir_val *v);

/* Can caps match field f at all? */
bool be_caps_has(const struct ir_caps *caps, enum ir_field_id f);
/* Exact value of rule r's match on f (must be a full-width mask). */
bool be_rule_exact(const struct ir_rule *r, enum ir_field_id f, uint64_t *v);
/* Is m's mask all ones over the field width? */
bool be_match_is_exact(const struct ir_match *m);
/* Prefix length of m's mask, or -1 if it is not a prefix. */
int be_match_plen(const struct ir_match *m);

/* The ethertype a rule's L3 fields sit behind: vlan.type when eth.type
 * is a VLAN TPID, else eth.type; 0 if not pinned. */
uint16_t be_rule_l3_type(const struct ir_rule *r);
bool be_eth_is_vlan(uint16_t type);

/*
 * tc flower: one filter as a text line.
 */
/* The slow path chain for sw/both offload: the eBPF program must also be
 * attached there (see be_flower.c). */
uint32_t be_flower_slow_chain(const struct be_opts *o);
/* Parse one "filter add ..." line (no "tc " prefix) into f. */
int be_flower_parse_line(const char *line, const struct be_opts *o,
			 struct be_flower_filter *f, char *err, size_t errsz);
/* The same for a stream of lines (apply): line is split in place, and f
 * is the previous call's filter (or zeroed once): only what that call
 * and be_flower_filter_place set is cleared, not the whole filter. */
int be_flower_parse_next(char *line, const struct be_opts *o,
			 struct be_flower_filter *f, char *err, size_t errsz);
/* be_flower_filter_from_rule(f, &f->rule, o) without the copy: f (as
 * parsed) becomes o's filter in place. */
int be_flower_filter_place(struct be_flower_filter *f,
			   const struct be_opts *o, char *err, size_t errsz);
/* Print filter f as one "filter add ..." line (no newline). */
int be_flower_print_filter(const struct be_flower_filter *f,
			   const struct be_opts *o, FILE *out, char *err,
			   size_t errsz);
/* Fill the filter fields (protocol, prio, chain, offload...) for rule r. */
int be_flower_filter_from_rule(struct be_flower_filter *f,
			       const struct ir_rule *r, const struct be_opts *o,
			       char *err, size_t errsz);

/* tc flower keys as iproute2 spells them (be_flower.c's table). */
enum fk_fmt {
	FK_IFNAME,
	FK_DEC,
	FK_MAC,
	FK_ETHTYPE,
	FK_PROTO,
	FK_HEXMASK,
	FK_FRAG,
	FK_ADDR,
	FK_PORT,
	FK_DECMASK,
};

struct flower_key {
	enum ir_field_id field;
	const char *kw;
	enum fk_fmt fmt;
};

const struct flower_key *be_flower_key_by_kw(const char *kw, bool v6);
int be_flower_ethtype_parse(const char *s, uint16_t *t);
int be_flower_proto_parse(const char *s, uint8_t *p);

/*
 * tc flower netlink encoding (be_flower_nl.c).
 */
/* Encode an RTM_NEWTFILTER (add) or RTM_DELTFILTER message for f into buf
 * (size bytes) with nlmsg_flags; returns the nlmsghdr or NULL + errno. */
struct nlmsghdr *be_flower_nl__encode(void *buf, size_t size, int type,
				      uint16_t flags,
				      const struct be_flower_filter *f,
				      const struct be_opts *o, char *err,
				      size_t errsz);
/* Decode a tc filter message (new/del/get reply) of kind flower into f.
 * -ENOENT if it is not a flower filter, -EINVAL on a malformed message,
 * -EOPNOTSUPP for a key or action flowlift does not model (reason in
 * err). */
int be_flower_nl__decode(const struct nlmsghdr *nlh, const struct be_opts *o,
			 struct be_flower_filter *f, char *err, size_t errsz);
/* Print a message decoded (header, the rule, then one attribute a line)
 * for --dry-run. */
void be_flower_nl__describe(const struct nlmsghdr *nlh, const struct be_opts *o,
			    FILE *out);
/* Attribute name for describe and tests ("TCA_FLOWER_KEY_IPV4_DST"). */
const char *be_flower_nl__attr_name(uint16_t type);

/* Flower key attributes: one row per (field, context). */
enum fa_cond {
	FA_ANY,
	FA_TCP,
	FA_UDP,
	FA_SCTP,
	FA_ICMP4,
	FA_ICMP6,
	FA_V4,
	FA_V6
};

struct fa {
	enum ir_field_id field;
	uint16_t key, mask; /* mask 0: none */
	uint8_t len;
	enum fa_cond cond;
	unsigned int flags;
};

#define FA_HOST16 1u	    /* u16 in host order (vlan id) */
#define FA_NO_EXACT_MASK 2u /* tc sends no mask for an exact value */

extern const struct fa be_flower_fattrs[];
extern const size_t be_flower_n_fattrs;

/* Send/collect helpers (be_nl.c) used by the flower code. */
/* Queue a copy of nlh (seq and NLM_F_REQUEST set here; flush asks for
 * the acks). */
int be_nl__queue(struct be_nl *nl, const struct nlmsghdr *nlh, uint64_t tag);
/* Encode in place: be_nl__tail gives BE_NL_MSG_MAX (4 KiB) of room at the
 * end of the batch (NULL + errno); be_nl__commit queues the message
 * written there, as be_nl__queue does. */
void *be_nl__tail(struct be_nl *nl);
int be_nl__commit(struct be_nl *nl, struct nlmsghdr *nlh, uint64_t tag);
int be_nl__dump(struct be_nl *nl, struct nlmsghdr *req,
		int (*cb)(const struct nlmsghdr *nlh, void *arg), void *arg);

#endif /* FLOWLIFT_BACKENDS_INTERNAL_H */
