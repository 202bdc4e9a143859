// SPDX-License-Identifier: Apache-2.0
/*
 * ir_text.c - the canonical text form (see ir.h): one rule a line, matches
 * in field order, values in each field's format. It is what developers diff
 * and golden tests compare, so it must be stable and parse back to the same
 * rule set (ir_parse.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir_internal.h"

/* Append to a buffer, remembering the length it would have needed. */
struct sbuf {
	char *buf;
	size_t size, len;
};

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	size_t room = sb->len < sb->size ? sb->size - sb->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? sb->buf + sb->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->len += (size_t)n;
}

static void sb_val(struct sbuf *sb, const struct ir_val *v, enum ir_field_id f)
{
	char tmp[64];

	ir_val__snprint(v, f, tmp, sizeof(tmp));
	sb_printf(sb, "%s", tmp);
}

static void sb_u64(struct sbuf *sb, uint64_t x, enum ir_field_id f)
{
	struct ir_val v;

	ir_val__from_u64(&v, f, x);
	sb_val(sb, &v, f);
}

/* "/plen", or the mask in the field's format (hex for numbers). */
static void sb_mask(struct sbuf *sb, const struct ir_val *mask,
		    enum ir_field_id f)
{
	const struct ir_field *fd = ir_field__get(f);
	int plen = ir_val__plen(mask, f);

	if (plen == (int)fd->width)
		return;
	if (plen >= 0) {
		sb_printf(sb, "/%d", plen);
		return;
	}
	if (fd->fmt == IR_FMT_DEC)
		sb_printf(sb, "/0x%0*" PRIx64, (int)(fd->width + 3) / 4,
			  ir_val__u64(mask, f));
	else {
		sb_printf(sb, "/");
		sb_val(sb, mask, f);
	}
}

static void sb_match(struct sbuf *sb, const struct ir_match *m)
{
	const struct ir_field *fd = ir_field__get(m->field);

	sb_printf(sb, "%s=", fd ? fd->name : "?");
	if (!fd)
		return;
	if (m->kind == IR_MATCH_RANGE) {
		sb_u64(sb, m->lo, m->field);
		sb_printf(sb, "-");
		sb_u64(sb, m->hi, m->field);
		return;
	}
	sb_val(sb, &m->key, m->field);
	sb_mask(sb, &m->mask, m->field);
}

static const char *const verdict_names[IR_ACT__COUNT] = {
	[IR_ACT_SLOWPATH] = "slowpath", [IR_ACT_DROP] = "drop",
	[IR_ACT_PASS] = "pass",         [IR_ACT_REDIRECT] = "redirect",
	[IR_ACT_TX] = "tx",
};

const char *ir_verdict__name(enum ir_verdict v)
{
	return (unsigned int)v < IR_ACT__COUNT ? verdict_names[v] : NULL;
}

static void sb_rewrite(struct sbuf *sb, const struct ir_rewrite *rw)
{
	struct ir_match m = { .field = rw->field, .kind = IR_MATCH_MASK };

	switch (rw->kind) {
	case IR_RW_VLAN_PUSH:
		sb_printf(sb, "vlan_push(%u,%u,0x%04x)", rw->vid, rw->pcp,
			  rw->proto);
		break;
	case IR_RW_VLAN_POP:
		sb_printf(sb, "vlan_pop");
		break;
	case IR_RW_SET_FIELD:
		m.key = rw->val;
		m.mask = rw->mask;
		sb_printf(sb, "set(");
		sb_match(sb, &m);
		sb_printf(sb, ")");
		break;
	default:
		sb_printf(sb, "?");
	}
}

static void sb_action(struct sbuf *sb, const struct ir_action *a)
{
	const char *v = ir_verdict__name(a->verdict);

	for (unsigned int i = 0; i < a->n_rewrites && i < IR_MAX_REWRITES;
	     i++) {
		sb_rewrite(sb, &a->rewrites[i]);
		sb_printf(sb, ",");
	}
	if (a->verdict == IR_ACT_REDIRECT)
		sb_printf(sb, "redirect(%" PRIu32 ",%s)", a->ifindex,
			  a->ingress ? "ingress" : "egress");
	else
		sb_printf(sb, "%s", v ? v : "?");
}

static void sb_prov(struct sbuf *sb, const struct ir_prov *p)
{
	if (p->path >= 0)
		sb_printf(sb, " @path=%" PRId32, p->path);
	for (uint32_t i = 0; i < p->n_ranges; i++) {
		const struct ir_insn_range *r = &p->ranges[i];

		sb_printf(sb, "%s", i ? "," : " @insns=");
		/* a tail-called program's ranges follow its name */
		if (r->prog && r->prog <= p->n_progs &&
		    (!i || p->ranges[i - 1].prog != r->prog))
			sb_printf(sb, "%s:", p->progs[r->prog - 1]);
		sb_printf(sb, "%" PRIu32, r->first);
		if (r->last != r->first)
			sb_printf(sb, "-%" PRIu32, r->last);
	}
	for (uint32_t i = 0; i < p->n_maprefs; i++)
		sb_printf(sb, " @map=%s", p->maprefs[i]);
}

static void sb_rule(struct sbuf *sb, const struct ir_rule *r, bool with_prov)
{
	sb_printf(sb, "prio %" PRIu32, r->prio);
	if (!r->n_matches)
		sb_printf(sb, " any");
	for (uint32_t i = 0; i < r->n_matches && i < IR_MAX_MATCHES; i++) {
		sb_printf(sb, " ");
		sb_match(sb, &r->matches[i]);
	}
	sb_printf(sb, " -> ");
	sb_action(sb, &r->action);
	if (with_prov)
		sb_prov(sb, &r->prov);
}

static int sb_result(const struct sbuf *sb)
{
	if (sb->len >= sb->size)
		return -ENOSPC;
	return (int)sb->len;
}

int ir_match__snprint(const struct ir_match *m, char *buf, size_t size)
{
	struct sbuf sb = { buf, size, 0 };

	sb_match(&sb, m);
	return sb_result(&sb);
}

int ir_action__snprint(const struct ir_action *a, char *buf, size_t size)
{
	struct sbuf sb = { buf, size, 0 };

	sb_action(&sb, a);
	return sb_result(&sb);
}

int ir_rule__snprint(const struct ir_rule *r, char *buf, size_t size,
		     bool with_prov)
{
	struct sbuf sb = { buf, size, 0 };

	sb_rule(&sb, r, with_prov);
	return sb_result(&sb);
}

int ir_rule__print(const struct ir_rule *r, FILE *f)
{
	struct sbuf sb = { NULL, 0, 0 };
	int ret = 0;

	/* Measure, then format: provenance can be long. */
	sb_rule(&sb, r, true);
	sb.size = sb.len + 1;
	sb.buf = malloc(sb.size);
	if (!sb.buf)
		return -ENOMEM;
	sb.len = 0;
	sb_rule(&sb, r, true);
	if (fprintf(f, "%s\n", sb.buf) < 0)
		ret = -EIO;
	free(sb.buf);
	return ret;
}

int ir_ruleset__print(const struct ir_ruleset *rs, FILE *f)
{
	bool has_assume = false;

	fprintf(f, "# flowlift-ir 1\n");
	for (size_t i = 0; i < rs->n_meta; i++) {
		const char *v = rs->meta[i].value;

		has_assume |= !strcmp(rs->meta[i].key, "assume");
		fprintf(f, "# %s:%s%s\n", rs->meta[i].key, *v ? " " : "", v);
	}
	if (!has_assume) {
		fprintf(f, "# assume:");
		for (unsigned int b = 1; b; b <<= 1)
			if ((rs->assume & b) && ir_assume__name(b))
				fprintf(f, " %s", ir_assume__name(b));
		fprintf(f, "%s\n", rs->assume ? "" : " none");
	}
	for (size_t i = 0; i < rs->n; i++) {
		int err = ir_rule__print(&rs->rules[i], f);

		if (err)
			return err;
	}
	if (fflush(f) || ferror(f))
		return -EIO;
	return 0;
}
