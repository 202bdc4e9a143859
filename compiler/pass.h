/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pass.h - the IR passes that run after lifting (internal to compiler/).
 *
 * The lifter hands over a rule set in first-match order (prio = path order);
 * lift_run_passes() runs a flat pipeline over it:
 *
 *   normalise -> shadow -> merge -> prio -> legalise (only with a target)
 *
 * Every pass keeps the rule set's meaning exactly under every dissector, or
 * only moves packets to the slow path; it never changes a verdict that is not
 * slowpath. ir_ruleset__check() runs after every pass that changed the IR.
 *
 * The pass_* helpers below are shared by the passes: match and rule algebra
 * (overlap and containment are conservative: "may overlap", "surely
 * contains"), a candidate index that keeps the passes near-linear on large
 * rule sets of exact matches, and a vector of rules to rebuild a set in one
 * go instead of removing rules one by one.
 */
#ifndef FLOWLIFT_PASS_H
#define FLOWLIFT_PASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler/compiler.h"
#include "ir/ir.h"

/* Run every pass; see above. 0 or negative errno with a message in err. */
int lift_run_passes(struct ir_ruleset *rs, const struct lift_opts *opts,
		    struct lift_stats *st, char *err, size_t errsz);

/* One pass: returns 1 if it changed the IR, 0 if not, negative errno. */
typedef int (*lift_pass_fn)(struct ir_ruleset *rs,
			    const struct lift_opts *opts,
			    struct lift_stats *st, char *err, size_t errsz);

int lift_pass_normalise(struct ir_ruleset *rs, const struct lift_opts *opts,
			struct lift_stats *st, char *err, size_t errsz);
int lift_pass_shadow(struct ir_ruleset *rs, const struct lift_opts *opts,
		     struct lift_stats *st, char *err, size_t errsz);
int lift_pass_merge(struct ir_ruleset *rs, const struct lift_opts *opts,
		    struct lift_stats *st, char *err, size_t errsz);
int lift_pass_prio(struct ir_ruleset *rs, const struct lift_opts *opts,
		   struct lift_stats *st, char *err, size_t errsz);
int lift_pass_legalise(struct ir_ruleset *rs, const struct lift_opts *opts,
		       struct lift_stats *st, char *err, size_t errsz);

/* Note in rs's header that 'cut' of 'total' queries of a pass ran out of
 * their analysis budget and took the safe answer ('safe', e.g. "rules
 * kept"); nothing when cut is 0. 0 or negative errno. */
int pass_note_budget(struct ir_ruleset *rs, const char *pass, size_t cut,
		     size_t total, const char *safe);

/* Run a single pass by name (with the check after it); for tests and
 * `--dump-after`. -ENOENT if the name is unknown. */
int lift_run_pass(const char *name, struct ir_ruleset *rs,
		  const struct lift_opts *opts, struct lift_stats *st,
		  char *err, size_t errsz);

/*
 * Match algebra (pass_match.c). Values are big-endian ir_vals.
 */
/* Full-width mask of field f. */
void pass_field_mask(enum ir_field_id f, struct ir_val *m);
/* Largest value of field f (fields of at most 64 bits). */
uint64_t pass_field_max(enum ir_field_id f);
bool pass_val_eq(const struct ir_val *a, const struct ir_val *b, size_t n);
/* Prefix length if m is a prefix mask of field f, else -1. */
int pass_mask_plen(enum ir_field_id f, const struct ir_val *m);
bool pass_match_is_exact(const struct ir_match *m);
/* Accepts every value (zero mask / full range). */
bool pass_match_is_any(const struct ir_match *m);
/* Accepts value 0 (so, under flower, also packets without the key). */
bool pass_match_accepts_zero(const struct ir_match *m);
/* The match's set as one interval [lo, hi] (ranges, prefix masks) for
 * fields of at most 64 bits; false otherwise. */
bool pass_match_interval(const struct ir_match *m, uint64_t *lo,
			 uint64_t *hi);
/* Canonical match for [lo, hi]: exact, prefix mask, or range. */
void pass_match_from_interval(struct ir_match *m, enum ir_field_id f,
			      uint64_t lo, uint64_t hi);
/* May a value satisfy both? (true when unsure) */
bool pass_match_overlap(const struct ir_match *a, const struct ir_match *b);
/* Does 'outer' accept every value 'inner' accepts? (false when unsure) */
bool pass_match_contains(const struct ir_match *outer,
			 const struct ir_match *inner);
bool pass_match_eq(const struct ir_match *a, const struct ir_match *b);
uint64_t pass_match_hash(const struct ir_match *m, uint64_t h);

/* Can a target with match capabilities 'cap' (ir_cap_match bits) express
 * m as it is? */
bool pass_match_expressible(const struct ir_match *m, unsigned int cap);
/* m as a union of disjoint matches the target can express, into out (at
 * most max). Returns the count, -E2BIG if more are needed, -EOPNOTSUPP if
 * the target cannot match the field at all (pass_expand.c). */
int pass_expand_match(const struct ir_match *m, unsigned int cap,
		      struct ir_match *out, size_t max);

/* Rules. */
bool pass_action_eq(const struct ir_action *a, const struct ir_action *b);
uint64_t pass_action_hash(const struct ir_action *a, uint64_t h);
/* May one packet match both rules, under some dissector? */
bool pass_rules_overlap(const struct ir_rule *a, const struct ir_rule *b);
/* Does every packet that matches 'inner' match 'outer', under every
 * dissector? (false when unsure) */
bool pass_rule_covers(const struct ir_rule *outer,
		      const struct ir_rule *inner);
bool pass_matches_eq(const struct ir_rule *a, const struct ir_rule *b);
/* Same matches on every field but 'skip'. */
bool pass_matches_eq_except(const struct ir_rule *a, const struct ir_rule *b,
			    enum ir_field_id skip);
/* Hash of the matches, skipping field 'skip' (IR_F__COUNT: none). */
uint64_t pass_matches_hash(const struct ir_rule *r, enum ir_field_id skip);
/* Remove the match on field f, if any. */
void pass_rule_drop_match(struct ir_rule *r, enum ir_field_id f);
/* Append src's provenance (insn ranges, map refs) to dst's; path becomes
 * -1 when they differ. */
int pass_prov_merge(struct ir_prov *dst, const struct ir_prov *src);

/*
 * A growable vector of rules that owns them; pass_rvec__install() replaces
 * a rule set's rules with it in O(n).
 */
struct pass_rvec {
	struct ir_rule *r;
	size_t n, cap;
};

/* Append a deep copy of r. */
int pass_rvec__push(struct pass_rvec *v, const struct ir_rule *r);
/* Append r itself; takes ownership of its provenance. */
int pass_rvec__push_move(struct pass_rvec *v, struct ir_rule *r);
void pass_rvec__fini(struct pass_rvec *v);
/* Replace rs's rules by v's (in order). v is emptied. */
int pass_rvec__install(struct pass_rvec *v, struct ir_ruleset *rs);
/* Keep the rules of rs for which keep[i] is true, in order. */
int pass_keep(struct ir_ruleset *rs, const bool *keep);

/*
 * Candidate index (pass_index.c): for a rule, the positions of rules that
 * may overlap it, without looking at all of them. The set is bucketed by the
 * field on which the most rules have distinct exact values; a rule exact on
 * it only meets its own bucket and the rules not exact on it.
 */
struct pass_index;

struct pass_index *pass_index__new(const struct ir_ruleset *rs);
void pass_index__free(struct pass_index *idx);
/* Call fn(pos, arg) for candidate positions in [from, to), ascending.
 * Stops when fn returns non-zero (returns that). Each visit costs one unit
 * of *budget; returns -E2BIG when it runs out. */
typedef int (*pass_index_fn)(size_t pos, void *arg);
int pass_index__foreach(const struct pass_index *idx, const struct ir_rule *r,
			size_t from, size_t to, pass_index_fn fn, void *arg,
			uint64_t *budget);
/* The same for the candidates that may contain r (a superset of the rules
 * whose value set on the index's field contains r's): the rules filed
 * under a prefix that contains r's lowest value, and the unfiled ones. */
int pass_index__foreach_cover(const struct pass_index *idx,
			      const struct ir_rule *r, size_t from, size_t to,
			      pass_index_fn fn, void *arg, uint64_t *budget);
/* A pass's total budget of visits for a set of n rules: at least 32M, and
 * 64 per rule, so that a few queries over the whole set (the catch-all
 * rules a program ends with) stay within it at any size. */
uint64_t pass_index__budget(size_t n);
/* The field used for bucketing, or IR_F__COUNT if none. */
enum ir_field_id pass_index__field(const struct pass_index *idx);

/*
 * Dissector-aware facts (pass_dis.c): what a rule implies about the frames
 * it matches under one target's parser.
 */
struct pass_dis_info {
	uint32_t needs;   /* bit per field: the rule needs the key present */
	uint32_t absent;  /* bit per field: no frame it matches has the key */
	uint32_t min_len; /* every frame it matches is at least this long */
	uint32_t max_len; /* and at most this long */
	bool empty;       /* it matches no frame at all */
};

/* Does m need its key present to match, under dissector d? */
bool pass_dis_needs(enum ir_dissector d, const struct ir_match *m);
/* Does every frame r matches have its (outer) IPv4 header parsed, ihl in
 * [5, 15], by r's needed keys other than 'skip' (or the assumptions)? */
bool pass_dis_ip4_parsed(enum ir_dissector d, unsigned int assume,
			 const struct ir_rule *r, enum ir_field_id skip);
/* Under well-formed traffic, the least length of a frame r matches (its
 * Ethernet header, an untagged IP header, a TCP/UDP/ICMP header when r
 * excludes later fragments). */
uint32_t pass_dis_wf_floor(const struct ir_rule *r);
void pass_dis__info(enum ir_dissector d, unsigned int assume,
		    const struct ir_rule *r, struct pass_dis_info *out);
/* May one frame match both under the dissector the infos were made for?
 * (true when unsure) */
bool pass_dis__overlap(const struct ir_rule *a, const struct pass_dis_info *ia,
		       const struct ir_rule *b, const struct pass_dis_info *ib);

/*
 * Priority assignment (pass_prio.c) with a caller's conflict test: rule
 * 'later' must come after rule 'earlier' (positions in list order) when
 * it returns true. NULL: overlap with another action.
 */
typedef bool (*pass_conflict_fn)(const struct ir_ruleset *rs, size_t earlier,
				 size_t later, void *arg);
int pass_prio_assign(struct ir_ruleset *rs, const struct ir_caps *caps,
		     pass_conflict_fn conflict, void *arg,
		     struct lift_stats *st, char *err, size_t errsz);

#endif /* FLOWLIFT_PASS_H */
