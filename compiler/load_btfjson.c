// SPDX-License-Identifier: Apache-2.0
/*
 * load_btfjson.c - the "formatted" side of `bpftool map dump -j`: a JSON
 * value printed by bpftool's btf_dumper back into the bytes of a BTF type.
 *
 * What btf_dumper prints, and so what is accepted: integers as numbers
 * (bool as true/false, 128-bit ones as "0x..." strings), enums as the
 * enumerator's name or a number, char arrays as strings, other arrays as
 * JSON arrays, structs and unions as objects keyed by member name
 * (anonymous members inline, bitfields included). Missing struct members
 * are zero; unknown ones, floats and anything else are errors that name
 * the field.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "common/common.h"
#include "compiler/load_internal.h"

struct conv {
	const struct btf *btf;
	char *err;
	size_t errsz;
	const char *what; /* "map 'x': entry 3: key" */
	int depth;
};

static int cerr(struct conv *c, const char *field, const char *why)
{
	return fl_err(c->err, c->errsz, -EINVAL, "%s%s%s: %s", c->what,
		      field && *field ? ": field " : "", field ? field : "",
		      why);
}

static const struct btf_type *resolve(const struct btf *btf, uint32_t *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);
	int guard = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t)) && guard++ < 64) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/* A JSON integer (number literal, bool, or "0x.."/decimal string). */
static int json_int(const struct fl_jval *v, bool is_signed, uint64_t *out)
{
	const char *s;
	char *end;

	if (v->type == FL_JBOOL) {
		*out = v->b;
		return 0;
	}
	if (v->type == FL_JNUM)
		s = v->num_text;
	else if (v->type == FL_JSTR)
		s = v->str;
	else
		return -EINVAL;
	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	if (s[0] == '-') {
		if (!is_signed)
			return -ERANGE;
		*out = (uint64_t)strtoll(s, &end, 0);
	} else {
		*out = strtoull(s, &end, 0);
	}
	if (errno || *end)
		return errno ? -ERANGE : -EINVAL;
	return 0;
}

static bool fits(uint64_t v, unsigned int bits, bool is_signed)
{
	int64_t sv = (int64_t)v;

	if (bits >= 64)
		return true;
	if (is_signed)
		return sv >= -(1LL << (bits - 1)) && sv < (1LL << (bits - 1));
	return v < (1ULL << bits);
}

/* Store the low 'bits' of v at bit offset 'boff' of out (little endian). */
static void put_bits(uint8_t *out, uint32_t boff, uint32_t bits, uint64_t v)
{
	uint32_t i;

	for (i = 0; i < bits; i++, v >>= 1) {
		uint32_t b = boff + i;

		if (v & 1)
			out[b / 8] |= (uint8_t)(1u << (b % 8));
		else
			out[b / 8] &= (uint8_t)~(1u << (b % 8));
	}
}

static int conv_int128(struct conv *c, const struct fl_jval *v, uint8_t *out,
		       const char *field)
{
	const char *s = v->type == FL_JSTR ? v->str : NULL;
	size_t n, i;
	uint8_t be[16] = { 0 };

	if (!s || strncmp(s, "0x", 2))
		return cerr(c, field, "expected a \"0x...\" 128-bit integer");
	s += 2;
	n = strlen(s);
	if (!n || n > 32)
		return cerr(c, field, "bad 128-bit integer");
	for (i = 0; i < n; i++) {
		char d[3] = { '0', s[n - 1 - i], 0 };
		uint8_t b;

		if (fl_unhex(d, &b, 1))
			return cerr(c, field, "bad 128-bit integer");
		be[15 - i / 2] |= (uint8_t)(i % 2 ? b << 4 : b);
	}
	for (i = 0; i < 16; i++)
		out[i] = be[15 - i];
	return 0;
}

static int put_int(struct conv *c, bool sgn, const struct fl_jval *v,
		   uint8_t *out, uint32_t boff, uint32_t bits,
		   const char *field)
{
	uint64_t x;
	int ret;

	if (bits > 64)
		return cerr(c, field, "integer wider than 64 bits");
	ret = json_int(v, sgn, &x);
	if (ret)
		return cerr(c, field, ret == -ERANGE ? "integer out of range"
						     : "expected an integer");
	if (!fits(x, bits, sgn))
		return cerr(c, field, "integer out of range");
	put_bits(out, boff, bits, x);
	return 0;
}

static int conv_int(struct conv *c, const struct btf_type *t,
		    const struct fl_jval *v, uint8_t *out, uint32_t boff,
		    uint32_t bits, const char *field)
{
	bool sgn = btf_int_encoding(t) & BTF_INT_SIGNED;

	if (t->size == 16 && !bits)
		return conv_int128(c, v, out, field);
	return put_int(c, sgn, v, out, boff, bits ? bits : btf_int_bits(t),
		       field);
}

static int conv_enum(struct conv *c, const struct btf_type *t,
		     const struct fl_jval *v, uint8_t *out, const char *field)
{
	const struct btf_enum *e = btf_enum(t);
	uint64_t x;
	uint16_t i;

	if (!btf_is_enum(t))
		return cerr(c, field, "64-bit enums are not supported");
	if (v->type == FL_JSTR) {
		for (i = 0; i < btf_vlen(t); i++) {
			const char *n = btf__name_by_offset(c->btf,
							    e[i].name_off);

			if (n && !strcmp(n, v->str)) {
				x = (uint32_t)e[i].val;
				put_bits(out, 0, t->size * 8, x);
				return 0;
			}
		}
	}
	if (json_int(v, true, &x) || (!fits(x, t->size * 8, true) &&
				      !fits(x, t->size * 8, false)))
		return cerr(c, field, "expected an enumerator or integer");
	put_bits(out, 0, t->size * 8, x);
	return 0;
}

static int conv(struct conv *c, uint32_t id, const struct fl_jval *v,
		uint8_t *out, size_t size, const char *field);

static bool is_char(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = resolve(btf, &id);

	return t && btf_is_int(t) && t->size == 1;
}

static int conv_array(struct conv *c, const struct btf_type *t,
		      const struct fl_jval *v, uint8_t *out, size_t size,
		      const char *field)
{
	const struct btf_array *a = btf_array(t);
	long long esz = btf__resolve_size(c->btf, a->type);
	size_t i;
	int ret;

	if (esz <= 0 || (uint64_t)esz * a->nelems > size)
		return cerr(c, field, "bad array type");
	if (v->type == FL_JSTR && is_char(c->btf, a->type)) {
		if (strlen(v->str) > a->nelems)
			return cerr(c, field, "string longer than the array");
		memcpy(out, v->str, strlen(v->str));
		return 0;
	}
	if (v->type != FL_JARR || v->n != a->nelems)
		return cerr(c, field, "expected an array of the declared "
				      "length");
	for (i = 0; i < v->n; i++) {
		ret = conv(c, a->type, &v->items[i], out + i * (size_t)esz,
			   (size_t)esz, field);
		if (ret)
			return ret;
	}
	return 0;
}

static int conv_member(struct conv *c, const struct btf_type *t,
		       const struct btf_member *m, const struct fl_jval *mv,
		       uint8_t *out, size_t size)
{
	const char *name = btf__name_by_offset(c->btf, m->name_off) ?: "?";
	uint32_t boff = btf_member_bit_offset(t, (uint32_t)(m - btf_members(
								 t)));
	uint32_t bsz = btf_member_bitfield_size(t, (uint32_t)(m -
							       btf_members(t)));
	uint32_t mid = m->type;
	const struct btf_type *mt = resolve(c->btf, &mid);
	long long msz = btf__resolve_size(c->btf, m->type);

	if (!mt || msz < 0 || boff / 8 > size)
		return cerr(c, name, "bad member type");
	if (bsz || boff % 8) {
		if (!btf_is_int(mt) ||
		    boff + (bsz ? bsz : (uint64_t)msz * 8) > size * 8)
			return cerr(c, name, "bad bitfield");
		return conv_int(c, mt, mv, out, boff, bsz ? bsz :
				(uint32_t)msz * 8, name);
	}
	if ((size_t)msz > size - boff / 8)
		return cerr(c, name, "member past the end of its struct");
	return conv(c, m->type, mv, out + boff / 8, (size_t)msz, name);
}

static const char *member_name(struct conv *c, const struct btf_member *m)
{
	const char *n = btf__name_by_offset(c->btf, m->name_off);

	return n ? n : "";
}

static int conv_struct(struct conv *c, const struct btf_type *t,
		       const struct fl_jval *v, uint8_t *out, size_t size,
		       const char *field)
{
	const struct btf_member *m = btf_members(t);
	size_t i, used = 0;
	uint16_t k;
	int ret;

	if (v->type != FL_JOBJ)
		return cerr(c, field, "expected an object");
	for (k = 0; k < btf_vlen(t); k++, m++) {
		const char *name = btf__name_by_offset(c->btf, m->name_off);
		const struct fl_jval *mv;

		if (!name || !*name) { /* anonymous: members inline */
			uint32_t off = btf_member_bit_offset(t, k) / 8;
			uint32_t aid = m->type;
			long long asz = btf__resolve_size(c->btf, aid);

			if (asz < 0 || off + (size_t)asz > size)
				return cerr(c, field, "bad anonymous member");
			ret = conv(c, aid, v, out + off, (size_t)asz, field);
			if (ret)
				return ret;
			used = v->n;
			continue;
		}
		mv = fl_jval__get(v, name);
		if (!mv)
			continue;
		used++;
		ret = conv_member(c, t, m, mv, out, size);
		if (ret)
			return ret;
	}
	if (used < v->n) {
		for (i = 0; i < v->n; i++) {
			bool known = false;

			m = btf_members(t);
			for (k = 0; k < btf_vlen(t) && !known; k++, m++)
				known = !strcmp(member_name(c, m), v->keys[i]);
			if (!known)
				return cerr(c, v->keys[i], "no such member");
		}
	}
	return 0;
}

static int conv(struct conv *c, uint32_t id, const struct fl_jval *v,
		uint8_t *out, size_t size, const char *field)
{
	const struct btf_type *t = resolve(c->btf, &id);
	int ret = 0;

	if (!t)
		return cerr(c, field, "bad BTF type");
	if (++c->depth > 32)
		return cerr(c, field, "types nest too deep");
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		ret = t->size > size ? cerr(c, field, "bad int size") :
			conv_int(c, t, v, out, 0, 0, field);
		break;
	case BTF_KIND_PTR:
		ret = size < 8 ? cerr(c, field, "bad pointer") :
			put_int(c, false, v, out, 0, 64, field);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		ret = t->size > size ? cerr(c, field, "bad enum size") :
			conv_enum(c, t, v, out, field);
		break;
	case BTF_KIND_ARRAY:
		ret = conv_array(c, t, v, out, size, field);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		ret = t->size > size ? cerr(c, field, "bad struct size") :
			conv_struct(c, t, v, out, size, field);
		break;
	default:
		ret = cerr(c, field, "this BTF kind cannot be converted; use "
				     "the hex form");
	}
	c->depth--;
	return ret;
}

int load_btfjson__to_bytes(const struct btf *btf, uint32_t type_id,
			   const struct fl_jval *v, uint8_t *out, size_t size,
			   const char *what, char *err, size_t errsz)
{
	struct conv c = { .btf = btf, .err = err, .errsz = errsz,
			  .what = what };
	long long sz;

	if (!btf || !type_id)
		return fl_err(err, errsz, -EINVAL,
			      "%s: formatted form needs the map's BTF type "
			      "(the definition has none); use the hex form",
			      what);
	sz = btf__resolve_size(btf, type_id);
	if (sz < 0 || (size_t)sz != size)
		return fl_err(err, errsz, -EINVAL,
			      "%s: BTF type is %lld bytes, map says %zu", what,
			      sz, size);
	memset(out, 0, size);
	return conv(&c, type_id, v, out, size, "");
}
