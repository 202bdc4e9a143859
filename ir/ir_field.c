// SPDX-License-Identifier: Apache-2.0
/*
 * ir_field.c - the fields table every layer maps from, field values
 * (big-endian, right-aligned in ceil(width/8) bytes) and their text form,
 * and the names of assumptions and hooks.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "ir/ir_internal.h"

#define F(id_, name_, width_, layer_, key_, fmt_)                          \
	[id_] = { .id = id_, .name = name_, .width = width_,               \
		  .layer = IR_LAYER_##layer_, .dissector_key = key_,        \
		  .fmt = IR_FMT_##fmt_ }
#define FDK(k) "FLOW_DISSECTOR_KEY_" #k

/* One row per enum ir_field_id, in enum order. dissector_key is NULL where
 * the kernel's flow dissector has no key for the field (flower cannot
 * match it). */
static const struct ir_field fields[IR_F__COUNT] = {
	F(IR_F_META_IFINDEX, "meta.ifindex", 32, META, FDK(META), DEC),
	F(IR_F_ETH_DST, "eth.dst", 48, L2, FDK(ETH_ADDRS), MAC),
	F(IR_F_ETH_SRC, "eth.src", 48, L2, FDK(ETH_ADDRS), MAC),
	F(IR_F_ETH_TYPE, "eth.type", 16, L2, FDK(BASIC), HEX),
	F(IR_F_VLAN_ID, "vlan.id", 12, L2, FDK(VLAN), DEC),
	F(IR_F_VLAN_PCP, "vlan.pcp", 3, L2, FDK(VLAN), DEC),
	F(IR_F_VLAN_TYPE, "vlan.type", 16, L2, FDK(VLAN), HEX),
	F(IR_F_NUM_VLANS, "vlan.count", 8, L2, FDK(NUM_OF_VLANS), DEC),
	F(IR_F_IP_PROTO, "ip.proto", 8, L3, FDK(BASIC), DEC),
	F(IR_F_IP_TOS, "ip.tos", 8, L3, FDK(IP), HEX),
	F(IR_F_IP_TTL, "ip.ttl", 8, L3, FDK(IP), DEC),
	F(IR_F_IP_FRAG, "ip.frag", 2, L3, FDK(CONTROL), HEX),
	F(IR_F_IP4_IHL, "ip4.ihl", 4, L3, NULL, DEC),
	F(IR_F_IP4_SRC, "ip4.src", 32, L3, FDK(IPV4_ADDRS), IP4),
	F(IR_F_IP4_DST, "ip4.dst", 32, L3, FDK(IPV4_ADDRS), IP4),
	F(IR_F_IP6_SRC, "ip6.src", 128, L3, FDK(IPV6_ADDRS), IP6),
	F(IR_F_IP6_DST, "ip6.dst", 128, L3, FDK(IPV6_ADDRS), IP6),
	F(IR_F_IP6_NEXTHDR, "ip6.nexthdr", 8, L3, NULL, DEC),
	F(IR_F_L4_SPORT, "l4.sport", 16, L4, FDK(PORTS), DEC),
	F(IR_F_L4_DPORT, "l4.dport", 16, L4, FDK(PORTS), DEC),
	F(IR_F_TCP_FLAGS, "tcp.flags", 12, L4, FDK(TCP), HEX),
	F(IR_F_ICMP_TYPE, "icmp.type", 8, L4, FDK(ICMP), DEC),
	F(IR_F_ICMP_CODE, "icmp.code", 8, L4, FDK(ICMP), DEC),
	F(IR_F_META_MARK, "meta.mark", 32, META, NULL, HEX),
	F(IR_F_META_LEN, "meta.len", 16, META, NULL, DEC),
};

const struct ir_field *ir_field__get(enum ir_field_id id)
{
	if ((unsigned int)id >= IR_F__COUNT)
		return NULL;
	return &fields[id];
}

const struct ir_field *ir_field__by_name(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < IR_F__COUNT; i++)
		if (!strcmp(fields[i].name, name))
			return &fields[i];
	return NULL;
}

size_t ir_field__bytes(enum ir_field_id id)
{
	const struct ir_field *f = ir_field__get(id);

	return f ? (f->width + 7) / 8 : 0;
}

uint64_t ir_field__max(enum ir_field_id f)
{
	unsigned int w = ir_field__get(f)->width;

	return w >= 64 ? UINT64_MAX : (UINT64_C(1) << w) - 1;
}

uint64_t ir_val__u64(const struct ir_val *v, enum ir_field_id f)
{
	size_t n = ir_field__bytes(f);
	uint64_t x = 0;

	if (n > 8)
		n = 8; /* wider fields: the first 8 bytes */
	for (size_t i = 0; i < n; i++)
		x = x << 8 | v->b[i];
	return x;
}

void ir_val__from_u64(struct ir_val *v, enum ir_field_id f, uint64_t x)
{
	size_t n = ir_field__bytes(f);

	memset(v, 0, sizeof(*v));
	if (n > 8)
		n = 8;
	x &= ir_field__max(f);
	for (size_t i = 0; i < n; i++) /* big-endian: last byte lowest */
		v->b[n - 1 - i] = (uint8_t)(x >> (8 * i));
}

/* Byte and bit of bit i of field f, counting from its most significant
 * bit. */
static void bitpos(enum ir_field_id f, unsigned int i, size_t *byte,
		   uint8_t *bit)
{
	unsigned int pos = (unsigned int)ir_field__bytes(f) * 8 -
			   ir_field__get(f)->width + i;

	*byte = pos / 8;
	*bit = (uint8_t)(0x80 >> (pos % 8));
}

void ir_val__prefix_mask(struct ir_val *m, enum ir_field_id f,
			 unsigned int plen)
{
	unsigned int w = ir_field__get(f)->width;

	memset(m, 0, sizeof(*m));
	for (unsigned int i = 0; i < plen && i < w; i++) {
		size_t byte;
		uint8_t bit;

		bitpos(f, i, &byte, &bit);
		m->b[byte] |= bit;
	}
}

void ir_val__full(struct ir_val *v, enum ir_field_id f)
{
	ir_val__prefix_mask(v, f, ir_field__get(f)->width);
}

int ir_val__plen(const struct ir_val *mask, enum ir_field_id f)
{
	struct ir_val p;
	unsigned int w = ir_field__get(f)->width, plen = 0;

	for (; plen < w; plen++) {
		size_t byte;
		uint8_t bit;

		bitpos(f, plen, &byte, &bit);
		if (!(mask->b[byte] & bit))
			break;
	}
	ir_val__prefix_mask(&p, f, plen);
	return memcmp(&p, mask, sizeof(p)) ? -1 : (int)plen;
}

bool ir_val__is_zero(const struct ir_val *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v->b[i])
			return false;
	return true;
}

bool ir_val__fits(const struct ir_val *v, enum ir_field_id f)
{
	struct ir_val full;

	ir_val__full(&full, f);
	for (size_t i = 0; i < IR_VAL_MAX; i++)
		if (v->b[i] & ~full.b[i])
			return false;
	return true;
}

int ir_val__snprint(const struct ir_val *v, enum ir_field_id f, char *buf,
		    size_t size)
{
	const struct ir_field *fd = ir_field__get(f);
	char tmp[INET6_ADDRSTRLEN];
	const uint8_t *b = v->b;

	switch (fd->fmt) {
	case IR_FMT_MAC:
		return snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x",
				b[0], b[1], b[2], b[3], b[4], b[5]);
	case IR_FMT_IP4:
		return snprintf(buf, size, "%u.%u.%u.%u", b[0], b[1], b[2],
				b[3]);
	case IR_FMT_IP6:
		inet_ntop(AF_INET6, b, tmp, sizeof(tmp));
		return snprintf(buf, size, "%s", tmp);
	case IR_FMT_HEX:
		return snprintf(buf, size, "0x%0*" PRIx64,
				(int)(fd->width + 3) / 4, ir_val__u64(v, f));
	case IR_FMT_DEC:
	default:
		return snprintf(buf, size, "%" PRIu64, ir_val__u64(v, f));
	}
}

static int parse_num(const char *s, size_t len, enum ir_field_id f,
		     struct ir_val *v)
{
	char tmp[32], *end;
	unsigned long long x;

	if (!len || len >= sizeof(tmp) || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	errno = 0;
	x = strtoull(tmp, &end, 0);
	if (*end || (tmp[0] == '0' && len > 1 && tmp[1] != 'x' &&
		     tmp[1] != 'X'))
		return -EINVAL; /* no octal, no trailing garbage */
	if (errno == ERANGE || x > ir_field__max(f))
		return -ERANGE;
	ir_val__from_u64(v, f, x);
	return 0;
}

static int parse_mac(const char *s, size_t len, struct ir_val *v)
{
	unsigned int b[6];
	char tmp[18];
	int n = 0;

	if (len != 17)
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (i % 3 == 2 ? tmp[i] != ':' : !isxdigit((unsigned char)tmp[i]))
			return -EINVAL;
	if (sscanf(tmp, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &n) != 6 || n != 17)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	for (int i = 0; i < 6; i++)
		v->b[i] = (uint8_t)b[i];
	return 0;
}

static int parse_addr(const char *s, size_t len, int af, struct ir_val *v)
{
	char tmp[INET6_ADDRSTRLEN + 1];

	if (!len || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	memset(v, 0, sizeof(*v));
	return inet_pton(af, tmp, v->b) == 1 ? 0 : -EINVAL;
}

int ir_val__parse(const char *s, size_t len, enum ir_field_id f,
		  struct ir_val *v)
{
	switch (ir_field__get(f)->fmt) {
	case IR_FMT_MAC:
		return parse_mac(s, len, v);
	case IR_FMT_IP4:
		return parse_addr(s, len, AF_INET, v);
	case IR_FMT_IP6:
		return parse_addr(s, len, AF_INET6, v);
	default:
		return parse_num(s, len, f, v);
	}
}

static const char *const assume_names[] = {
	"no-ip-options",
	"well-formed",
};

unsigned int ir_assume__by_name(const char *name)
{
	for (size_t i = 0; name && i < FL_ARRAY_SIZE(assume_names); i++)
		if (!strcmp(name, assume_names[i]))
			return 1u << i;
	return 0;
}

const char *ir_assume__name(unsigned int flag)
{
	for (size_t i = 0; i < FL_ARRAY_SIZE(assume_names); i++)
		if (flag == 1u << i)
			return assume_names[i];
	return NULL;
}

int ir_assume__parse(const char *s, unsigned int *out)
{
	unsigned int a = 0;

	while (*s) {
		size_t n;
		char tok[32];
		unsigned int f;

		s += strspn(s, " ,\t");
		n = strcspn(s, " ,\t");
		if (!n)
			break;
		if (n >= sizeof(tok))
			return -EINVAL;
		memcpy(tok, s, n);
		tok[n] = '\0';
		s += n;
		if (!strcmp(tok, "none"))
			continue;
		f = ir_assume__by_name(tok);
		if (!f)
			return -EINVAL;
		a |= f;
	}
	*out = a;
	return 0;
}

static const char *const hook_names[] = {
	[IR_HOOK_TC_INGRESS] = "tc-ingress",
	[IR_HOOK_TC_EGRESS] = "tc-egress",
	[IR_HOOK_XDP] = "xdp",
};

const char *ir_hook__name(enum ir_hook h)
{
	if ((unsigned int)h >= FL_ARRAY_SIZE(hook_names))
		return NULL;
	return hook_names[h];
}

int ir_hook__by_name(const char *name, enum ir_hook *h)
{
	for (size_t i = 0; i < FL_ARRAY_SIZE(hook_names); i++) {
		if (!strcmp(name, hook_names[i])) {
			*h = (enum ir_hook)i;
			return 0;
		}
	}
	return -EINVAL;
}
