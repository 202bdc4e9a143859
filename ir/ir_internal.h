/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ir_internal.h - what the ir/ files share and nobody else needs: the rule
 * set's layout, bit helpers for field values, and the dissector back ends.
 */
#ifndef FLOWLIFT_IR_INTERNAL_H
#define FLOWLIFT_IR_INTERNAL_H

#include "ir/ir.h"

struct ir_meta_kv {
	char *key;
	char *value;
};

struct ir_ruleset {
	struct ir_rule *rules;
	size_t n, cap;
	struct ir_meta_kv *meta;
	size_t n_meta, cap_meta;
	unsigned int assume;
	enum ir_hook hook;
};

/* All-ones value of field f (its width, right-aligned). */
void ir_val__full(struct ir_val *v, enum ir_field_id f);
bool ir_val__is_zero(const struct ir_val *v, size_t n);
/* Prefix length if 'mask' is a contiguous prefix of field f, else -1. */
int ir_val__plen(const struct ir_val *mask, enum ir_field_id f);
/* Mask of the top plen bits of field f. */
void ir_val__prefix_mask(struct ir_val *m, enum ir_field_id f,
			 unsigned int plen);
/* Largest value of a field <= 64 bits. */
uint64_t ir_field__max(enum ir_field_id f);
/* 'v' has no bits above the field's width. */
bool ir_val__fits(const struct ir_val *v, enum ir_field_id f);

int ir_prov__copy(struct ir_prov *dst, const struct ir_prov *src);
void ir_prov__fini(struct ir_prov *p);

/* Hook names for the "hook" meta key. */
const char *ir_hook__name(enum ir_hook h);
int ir_hook__by_name(const char *name, enum ir_hook *h);
/* Parse an assumption list ("none", or names separated by spaces or
 * commas); -EINVAL on an unknown name. */
int ir_assume__parse(const char *s, unsigned int *out);

const char *ir_verdict__name(enum ir_verdict v);

/* Formatting of one value in its field's format; returns the length
 * snprintf would write. */
int ir_val__snprint(const struct ir_val *v, enum ir_field_id f, char *buf,
		    size_t size);
/* Parse a value in field f's format (decimal or 0x hex for numbers);
 * -EINVAL if malformed, -ERANGE if wider than the field. */
int ir_val__parse(const char *s, size_t len, enum ir_field_id f,
		  struct ir_val *v);

/* Dissector back ends (ir_dissect.c, ir_dissect_nft.c, ir_dissect_rte.c). */
void ir_dissect__flower(const uint8_t *p, size_t len, struct ir_keys *k);
void ir_dissect__nft(const uint8_t *p, size_t len, struct ir_keys *k);
void ir_dissect__rteflow(const uint8_t *p, size_t len, struct ir_keys *k);
/* Set key f of k from the len bytes at p (big-endian). */
void ir_keys__set(struct ir_keys *k, enum ir_field_id f, const uint8_t *p,
		  size_t len);
void ir_keys__set_u64(struct ir_keys *k, enum ir_field_id f, uint64_t x);
void ir_keys__clear(struct ir_keys *k, enum ir_field_id f);

/* Protocol numbers and ethertypes the models use. */
#define IR_ETH_HLEN 14
#define IR_ETH_P_IP 0x0800
#define IR_ETH_P_IPV6 0x86dd
#define IR_ETH_P_8021Q 0x8100
#define IR_ETH_P_8021AD 0x88a8
#define IR_IPPROTO_HOPOPTS 0
#define IR_IPPROTO_ICMP 1
#define IR_IPPROTO_IPIP 4
#define IR_IPPROTO_TCP 6
#define IR_IPPROTO_UDP 17
#define IR_IPPROTO_DCCP 33
#define IR_IPPROTO_IPV6 41
#define IR_IPPROTO_ROUTING 43
#define IR_IPPROTO_FRAGMENT 44
#define IR_IPPROTO_GRE 47
#define IR_IPPROTO_ESP 50
#define IR_IPPROTO_AH 51
#define IR_IPPROTO_ICMPV6 58
#define IR_IPPROTO_NONE 59
#define IR_IPPROTO_DSTOPTS 60
#define IR_IPPROTO_SCTP 132
#define IR_IPPROTO_UDPLITE 136

static inline uint16_t ir_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

#endif /* FLOWLIFT_IR_INTERNAL_H */
