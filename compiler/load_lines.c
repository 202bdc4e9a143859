// SPDX-License-Identifier: Apache-2.0
/*
 * load_lines.c - .BTF.ext: per-instruction source lines for diagnostics,
 * and the refusal of CO-RE relocations (they need the target kernel's BTF,
 * which an offline compile does not have).
 *
 * The section is read directly (libbpf 1.1 exposes only its raw bytes):
 * a header, then for line info a record size and per ELF section a list of
 * {insn byte offset, file, line text, line << 10 | column} records whose
 * strings live in .BTF. Every length is checked against the section.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "common/common.h"
#include "compiler/load_internal.h"

struct ext_hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len; /* if hdr_len covers them */
};

struct ext_line {
	uint32_t insn_off, file_name_off, line_off, line_col;
};

/* The [off, off+len) sub-block after the header, or NULL. */
static const uint8_t *ext_block(const struct load_object *lo, uint32_t off,
				uint32_t len, struct ext_hdr *h)
{
	size_t start;

	if (!lo->btf_ext || lo->btf_ext_len < 24)
		return NULL;
	memset(h, 0, sizeof(*h));
	memcpy(h, lo->btf_ext, lo->btf_ext_len < sizeof(*h) ?
	       lo->btf_ext_len : sizeof(*h));
	if (h->magic != 0xeB9F || h->hdr_len < 24 ||
	    h->hdr_len > lo->btf_ext_len)
		return NULL;
	if (h->hdr_len < 32)
		h->core_relo_off = h->core_relo_len = 0;
	start = (size_t)h->hdr_len + off;
	if (start > lo->btf_ext_len || len > lo->btf_ext_len - start)
		return NULL;
	return lo->btf_ext + start;
}

static const char *btf_str(const struct load_object *lo, uint32_t off)
{
	const char *s = lo->btf ? btf__name_by_offset(lo->btf, off) : NULL;

	return s ? s : "";
}

static const char *trim(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

/* Records of section 'sec' that fall into function f, into lines[]. */
static void take_records(const struct load_object *lo, const uint8_t *p,
			 uint32_t n, uint32_t rec, const struct load_func *f,
			 struct lift_line *lines, size_t img_off)
{
	struct ext_line r;
	size_t idx;
	uint32_t i;

	for (i = 0; i < n; i++, p += rec) {
		memcpy(&r, p, sizeof(r));
		idx = r.insn_off / sizeof(struct bpf_insn);
		/* line 0: compiler-made code with no source position */
		if (r.insn_off % sizeof(struct bpf_insn) || idx < f->off ||
		    idx >= f->off + f->n || !(r.line_col >> 10))
			continue;
		lines[img_off + idx - f->off] = (struct lift_line){
			.file = btf_str(lo, r.file_name_off),
			.text = trim(btf_str(lo, r.line_off)),
			.line = r.line_col >> 10,
			.col = r.line_col & 0x3ff,
		};
	}
}

static int fill_seg(const struct load_object *lo, const uint8_t *blk,
		    uint32_t len, const struct load_seg *seg,
		    struct lift_line *lines, char *err, size_t errsz)
{
	const struct load_func *f = &lo->funcs[seg->func];
	const char *want = lo->secs[f->sec].name;
	uint32_t rec, hdr[2];
	size_t pos = 4;

	memcpy(&rec, blk, 4);
	if (rec < sizeof(struct ext_line))
		goto bad;
	while (pos < len) {
		if (len - pos < 8)
			goto bad;
		memcpy(hdr, blk + pos, 8);
		pos += 8;
		if (hdr[1] > (len - pos) / rec)
			goto bad;
		if (!strcmp(btf_str(lo, hdr[0]), want))
			take_records(lo, blk + pos, hdr[1], rec, f, lines,
				     seg->img_off);
		pos += (size_t)hdr[1] * rec;
	}
	return 0;
bad:
	return fl_err(err, errsz, -EINVAL,
		      "%s: section '.BTF.ext': corrupt line info",
		      lo->obj.path);
}

int load_lines__fill(struct load_object *lo, struct lift_prog *prog,
		     const struct load_seg *segs, size_t n_segs, char *err,
		     size_t errsz)
{
	const uint8_t *blk = NULL;
	struct ext_hdr h;
	size_t i;
	int ret;

	prog->lines = calloc(prog->n_insns ? prog->n_insns : 1,
			     sizeof(*prog->lines));
	if (!prog->lines)
		return -ENOMEM;
	if (lo->btf_ext) {
		blk = ext_block(lo, 0, 0, &h);
		if (!blk)
			return fl_err(err, errsz, -EINVAL,
				      "%s: section '.BTF.ext': bad header",
				      lo->obj.path);
		blk = ext_block(lo, h.line_info_off, h.line_info_len, &h);
		if (!blk)
			return fl_err(err, errsz, -EINVAL,
				      "%s: section '.BTF.ext': line info "
				      "out of bounds", lo->obj.path);
	}
	if (!blk || h.line_info_len < 4)
		return 0;
	for (i = 0; i < n_segs; i++) {
		ret = fill_seg(lo, blk, h.line_info_len, &segs[i],
			       prog->lines, err, errsz);
		if (ret)
			return ret;
	}
	for (i = 1; i < prog->n_insns; i++)
		if (!prog->lines[i].file)
			prog->lines[i] = prog->lines[i - 1];
	return 0;
}

int load_lines__check_core(struct load_object *lo, char *err, size_t errsz)
{
	const uint8_t *blk;
	struct ext_hdr h;
	uint32_t v[4] = { 0 };

	if (!lo->btf_ext)
		return 0;
	if (!ext_block(lo, 0, 0, &h))
		return fl_err(err, errsz, -EINVAL,
			      "%s: section '.BTF.ext': bad header",
			      lo->obj.path);
	if (!h.core_relo_len)
		return 0;
	blk = ext_block(lo, h.core_relo_off, h.core_relo_len, &h);
	if (blk && h.core_relo_len >= 4 + 8 + 16) {
		memcpy(v, blk + 4, 8);     /* sec_name_off, num_info */
		memcpy(v + 2, blk + 12, 4); /* first record's insn_off */
		return fl_err(err, errsz, -EOPNOTSUPP,
			      "%s: section '%s' offset %u: CO-RE relocation "
			      "(needs the target kernel's BTF) is not "
			      "supported",
			      lo->obj.path, btf_str(lo, v[0]), v[2]);
	}
	return fl_err(err, errsz, -EOPNOTSUPP,
		      "%s: section '.BTF.ext': CO-RE relocations are not "
		      "supported", lo->obj.path);
}
