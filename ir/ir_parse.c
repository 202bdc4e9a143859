// SPDX-License-Identifier: Apache-2.0
/*
 * ir_parse.c - the parser of the text form that ir_text.c prints. Strict:
 * unknown fields, values wider than their field, key bits outside the mask,
 * duplicate fields and trailing garbage are errors, reported once as
 * "[NAME:]LINE:COL: what". Lines may be arbitrarily long (getline).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir_internal.h"

struct parser {
	const char *name;
	unsigned long line;
	const char *base; /* start of the current line, for columns */
	char *err;
	size_t errsz;
	struct ir_ruleset *rs;
	bool seen_header;
};

static int perr(struct parser *p, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, const char *at, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err && p->errsz)
		snprintf(p->err, p->errsz, "%s%s%lu:%ld: %s",
			 p->name ? p->name : "", p->name ? ":" : "", p->line,
			 (long)(at - p->base) + 1, msg);
	return -EINVAL;
}

/* A token: [s, s + n). */
struct tok {
	const char *s;
	size_t n;
};

static bool next_tok(const char **pos, struct tok *t)
{
	const char *s = *pos;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return false;
	t->s = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	t->n = (size_t)(s - t->s);
	*pos = s;
	return true;
}

static bool tok_is(const struct tok *t, const char *w)
{
	return t->n == strlen(w) && !memcmp(t->s, w, t->n);
}

/* Quote a token for a message, shortened. */
static const char *q(const struct tok *t, char *buf, size_t size)
{
	int n = t->n > 40 ? 40 : (int)t->n;

	snprintf(buf, size, "%.*s%s", n, t->s, t->n > 40 ? "..." : "");
	return buf;
}

static int parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;

	if (!n)
		return -EINVAL;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (size_t i = 2; i < n; i++) {
			int d = isdigit((unsigned char)s[i]) ? s[i] - '0'
				: isxdigit((unsigned char)s[i])
					? (tolower((unsigned char)s[i]) - 'a' + 10)
					: -1;

			if (d < 0)
				return -EINVAL;
			if (x > (UINT64_MAX >> 4))
				return -ERANGE;
			x = x << 4 | (uint64_t)d;
		}
	} else {
		if (n > 1 && s[0] == '0')
			return -EINVAL;
		for (size_t i = 0; i < n; i++) {
			if (!isdigit((unsigned char)s[i]))
				return -EINVAL;
			if (x > (UINT64_MAX - 9) / 10)
				return -ERANGE;
			x = x * 10 + (uint64_t)(s[i] - '0');
		}
	}
	if (x > max)
		return -ERANGE;
	*out = x;
	return 0;
}

static int val_err(struct parser *p, const char *at, int err,
		   const struct ir_field *fd, const char *what)
{
	if (err == -ERANGE)
		return perr(p, at, "%s wider than field '%s' (%u bits)", what,
			    fd->name, fd->width);
	return perr(p, at, "bad %s for field '%s'", what, fd->name);
}

static int parse_mask(struct parser *p, const char *s, size_t n,
		      const struct ir_field *fd, struct ir_val *mask)
{
	uint64_t plen;
	size_t i;
	int err;

	for (i = 0; i < n && isdigit((unsigned char)s[i]); i++)
		;
	if (n && i == n) {
		err = parse_u64(s, n, fd->width, &plen);
		if (err)
			return perr(p, s, "prefix length exceeds %u bits of '%s'",
				    fd->width, fd->name);
		ir_val__prefix_mask(mask, fd->id, (unsigned int)plen);
		return 0;
	}
	err = ir_val__parse(s, n, fd->id, mask);
	if (!err && !ir_val__fits(mask, fd->id))
		err = -ERANGE;
	return err ? val_err(p, s, err, fd, "mask") : 0;
}

/* "field=value[/mask]" or "field=lo-hi" (value part only: s..s+n). */
static int parse_value(struct parser *p, const char *s, size_t n,
		       const struct ir_field *fd, struct ir_match *m)
{
	const char *dash = memchr(s, '-', n), *slash = memchr(s, '/', n);
	struct ir_val lo, hi;
	int err;

	memset(m, 0, sizeof(*m));
	m->field = fd->id;
	if (dash) {
		if (fd->width > 64)
			return perr(p, s, "ranges need a field of at most 64 bits; '%s' has %u",
				    fd->name, fd->width);
		err = ir_val__parse(s, (size_t)(dash - s), fd->id, &lo);
		if (err)
			return val_err(p, s, err, fd, "range start");
		err = ir_val__parse(dash + 1, n - (size_t)(dash - s) - 1,
				    fd->id, &hi);
		if (err)
			return val_err(p, dash + 1, err, fd, "range end");
		m->kind = IR_MATCH_RANGE;
		m->lo = ir_val__u64(&lo, fd->id);
		m->hi = ir_val__u64(&hi, fd->id);
		if (m->lo > m->hi)
			return perr(p, s, "empty range for '%s'", fd->name);
		return 0;
	}
	m->kind = IR_MATCH_MASK;
	err = ir_val__parse(s, slash ? (size_t)(slash - s) : n, fd->id, &m->key);
	if (!err && !ir_val__fits(&m->key, fd->id))
		err = -ERANGE;
	if (err)
		return val_err(p, s, err, fd, "value");
	if (!slash) {
		ir_val__full(&m->mask, fd->id);
		return 0;
	}
	err = parse_mask(p, slash + 1, n - (size_t)(slash - s) - 1, fd,
			 &m->mask);
	if (err)
		return err;
	for (size_t i = 0; i < IR_VAL_MAX; i++)
		if (m->key.b[i] & ~m->mask.b[i])
			return perr(p, s, "key has bits outside the mask for '%s'",
				    fd->name);
	return 0;
}

/* "field=..." into m. */
static int parse_match(struct parser *p, const struct tok *t,
		       struct ir_match *m)
{
	const char *eq = memchr(t->s, '=', t->n);
	const struct ir_field *fd = NULL;
	char name[32], b[64];
	size_t nl;

	if (!eq)
		return perr(p, t->s, "expected 'field=value', got '%s'",
			    q(t, b, sizeof(b)));
	nl = (size_t)(eq - t->s);
	if (nl && nl < sizeof(name)) {
		memcpy(name, t->s, nl);
		name[nl] = '\0';
		fd = ir_field__by_name(name);
	}
	if (!fd)
		return perr(p, t->s, "unknown field '%.*s'",
			    (int)(nl > 40 ? 40 : nl), t->s);
	return parse_value(p, eq + 1, t->n - nl - 1, fd, m);
}

static int add_match(struct parser *p, struct ir_rule *r, const struct tok *t)
{
	struct ir_match m;
	uint32_t i;
	int err;

	err = parse_match(p, t, &m);
	if (err)
		return err;
	if (ir_rule__find(r, m.field))
		return perr(p, t->s, "duplicate field '%s'",
			    ir_field__get(m.field)->name);
	for (i = 0; i < r->n_matches && r->matches[i].field < m.field; i++)
		;
	memmove(&r->matches[i + 1], &r->matches[i],
		(r->n_matches - i) * sizeof(m));
	r->matches[i] = m;
	r->n_matches++;
	return 0;
}

/* Split "name(args)" -> args; false if not of that shape. */
static bool call_args(const char *s, size_t n, const char *name,
		      struct tok *args)
{
	size_t nl = strlen(name);

	if (n < nl + 2 || memcmp(s, name, nl) || s[nl] != '(' ||
	    s[n - 1] != ')')
		return false;
	args->s = s + nl + 1;
	args->n = n - nl - 2;
	return true;
}

/* Next comma-separated piece of args. */
static bool next_arg(struct tok *args, struct tok *a)
{
	const char *c;

	if (!args->s)
		return false;
	c = memchr(args->s, ',', args->n);
	a->s = args->s;
	a->n = c ? (size_t)(c - args->s) : args->n;
	if (c) {
		args->n -= a->n + 1;
		args->s = c + 1;
	} else {
		args->s = NULL;
	}
	return true;
}

static int parse_num_arg(struct parser *p, struct tok *args, uint64_t max,
			 const char *what, uint64_t *out)
{
	struct tok a;

	if (!next_arg(args, &a))
		return perr(p, args->s ? args->s : p->base,
			    "missing %s", what);
	if (parse_u64(a.s, a.n, max, out))
		return perr(p, a.s, "bad %s (at most %" PRIu64 ")", what, max);
	return 0;
}

static int parse_rewrite(struct parser *p, const struct tok *t,
			 struct ir_rewrite *rw)
{
	struct tok args;
	uint64_t x;
	char b[64];
	int err;

	memset(rw, 0, sizeof(*rw));
	if (tok_is(t, "vlan_pop")) {
		rw->kind = IR_RW_VLAN_POP;
		return 0;
	}
	if (call_args(t->s, t->n, "vlan_push", &args)) {
		rw->kind = IR_RW_VLAN_PUSH;
		err = parse_num_arg(p, &args, 4095, "vlan id", &x);
		rw->vid = (uint16_t)x;
		err = err ?: parse_num_arg(p, &args, 7, "vlan pcp", &x);
		rw->pcp = (uint8_t)x;
		err = err ?: parse_num_arg(p, &args, 0xffff, "vlan proto", &x);
		rw->proto = (uint16_t)x;
		if (!err && args.s)
			return perr(p, args.s, "too many vlan_push arguments");
		return err;
	}
	if (call_args(t->s, t->n, "set", &args)) {
		struct ir_match m;

		err = parse_match(p, &args, &m);
		if (err)
			return err;
		if (m.kind != IR_MATCH_MASK)
			return perr(p, args.s, "set() takes a value, not a range");
		rw->kind = IR_RW_SET_FIELD;
		rw->field = m.field;
		rw->val = m.key;
		rw->mask = m.mask;
		return 0;
	}
	return perr(p, t->s, "unknown action '%s'", q(t, b, sizeof(b)));
}

static int parse_verdict(struct parser *p, const struct tok *t,
			 struct ir_action *act)
{
	struct tok args, a;
	uint64_t x;
	char b[64];

	if (call_args(t->s, t->n, "redirect", &args)) {
		act->verdict = IR_ACT_REDIRECT;
		if (parse_num_arg(p, &args, UINT32_MAX, "ifindex", &x))
			return -EINVAL;
		act->ifindex = (uint32_t)x;
		if (!next_arg(&args, &a))
			return perr(p, t->s, "redirect needs egress or ingress");
		if (args.s)
			return perr(p, args.s, "too many redirect arguments");
		if (tok_is(&a, "egress") || tok_is(&a, "ingress")) {
			act->ingress = tok_is(&a, "ingress");
			return 0;
		}
		return perr(p, a.s, "redirect direction must be egress or ingress");
	}
	for (int v = 0; v < IR_ACT__COUNT; v++) {
		if (v != IR_ACT_REDIRECT && tok_is(t, ir_verdict__name(v))) {
			act->verdict = (enum ir_verdict)v;
			return 0;
		}
	}
	return perr(p, t->s, "unknown verdict '%s'", q(t, b, sizeof(b)));
}

/* "rw,rw,...,verdict" */
static int parse_action(struct parser *p, const struct tok *t,
			struct ir_action *act)
{
	struct tok rest = *t, piece;
	int depth = 0;

	memset(act, 0, sizeof(*act));
	for (;;) {
		size_t i;

		for (i = 0; i < rest.n; i++) {
			depth += rest.s[i] == '(';
			depth -= rest.s[i] == ')';
			if (rest.s[i] == ',' && !depth)
				break;
		}
		piece.s = rest.s;
		piece.n = i;
		if (!piece.n)
			return perr(p, piece.s, "empty action");
		if (i == rest.n)
			return parse_verdict(p, &piece, act);
		if (act->n_rewrites >= IR_MAX_REWRITES)
			return perr(p, piece.s, "more than %d rewrites",
				    IR_MAX_REWRITES);
		if (parse_rewrite(p, &piece, &act->rewrites[act->n_rewrites]))
			return -EINVAL;
		act->n_rewrites++;
		rest.s += i + 1;
		rest.n -= i + 1;
	}
}

/* "NAME:" before a range: the ranges from there on are in the program
 * NAME reached by tail call. */
static int parse_insns_prog(struct parser *p, struct tok *a,
			    struct ir_prov *prov, uint32_t *prog)
{
	const char *colon = memchr(a->s, ':', a->n);
	size_t n = colon ? (size_t)(colon - a->s) : 0;
	char **v;

	if (!colon)
		return 0;
	if (!n)
		return perr(p, a->s, "empty program name");
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)a->s[i]) && a->s[i] != '_')
			return perr(p, a->s, "bad program name");
	a->s += n + 1;
	a->n -= n + 1;
	for (uint32_t k = 0; k < prov->n_progs; k++)
		if (!strncmp(prov->progs[k], a->s - n - 1, n) &&
		    !prov->progs[k][n]) {
			*prog = k + 1;
			return 0;
		}
	v = realloc(prov->progs, (prov->n_progs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	prov->progs = v;
	v[prov->n_progs] = strndup(a->s - n - 1, n);
	if (!v[prov->n_progs])
		return -ENOMEM;
	*prog = ++prov->n_progs;
	return 0;
}

static int parse_insns(struct parser *p, struct tok *args,
		       struct ir_prov *prov)
{
	struct tok a;
	size_t n = 1;
	uint32_t prog = 0;

	for (size_t i = 0; i < args->n; i++)
		n += args->s[i] == ',';
	prov->ranges = calloc(n, sizeof(*prov->ranges));
	if (!prov->ranges)
		return -ENOMEM;
	while (next_arg(args, &a)) {
		const char *dash;
		struct ir_insn_range *r = &prov->ranges[prov->n_ranges];
		uint64_t lo, hi;
		int err = parse_insns_prog(p, &a, prov, &prog);

		if (err)
			return err;
		dash = memchr(a.s, '-', a.n);

		if (parse_u64(a.s, dash ? (size_t)(dash - a.s) : a.n,
			      UINT32_MAX, &lo))
			return perr(p, a.s, "bad instruction index");
		hi = lo;
		if (dash && parse_u64(dash + 1, a.n - (size_t)(dash - a.s) - 1,
				      UINT32_MAX, &hi))
			return perr(p, dash + 1, "bad instruction index");
		if (hi < lo)
			return perr(p, a.s, "empty instruction range");
		r->first = (uint32_t)lo;
		r->last = (uint32_t)hi;
		r->prog = prog;
		prov->n_ranges++;
	}
	return 0;
}

static int add_mapref(struct ir_prov *prov, const char *s, size_t n)
{
	char **v = realloc(prov->maprefs,
			   (prov->n_maprefs + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	prov->maprefs = v;
	v[prov->n_maprefs] = strndup(s, n);
	if (!v[prov->n_maprefs])
		return -ENOMEM;
	prov->n_maprefs++;
	return 0;
}

static int parse_prov(struct parser *p, const struct tok *t,
		      struct ir_prov *prov)
{
	struct tok v;
	uint64_t x;
	char b[64];

	if (t->n > 6 && !memcmp(t->s, "@path=", 6)) {
		if (prov->path >= 0)
			return perr(p, t->s, "duplicate @path");
		if (parse_u64(t->s + 6, t->n - 6, INT32_MAX, &x))
			return perr(p, t->s + 6, "bad path number");
		prov->path = (int32_t)x;
		return 0;
	}
	if (t->n > 7 && !memcmp(t->s, "@insns=", 7)) {
		if (prov->n_ranges)
			return perr(p, t->s, "duplicate @insns");
		v.s = t->s + 7;
		v.n = t->n - 7;
		return parse_insns(p, &v, prov);
	}
	if (t->n > 5 && !memcmp(t->s, "@map=", 5))
		return add_mapref(prov, t->s + 5, t->n - 5);
	return perr(p, t->s, "unexpected '%s'", q(t, b, sizeof(b)));
}

static int parse_rule(struct parser *p, const char *line)
{
	const char *pos = line;
	struct ir_rule r;
	struct tok t;
	uint64_t prio;
	bool any = false;
	char b[64];
	int err = -EINVAL;

	ir_rule__init(&r);
	if (!next_tok(&pos, &t) || !tok_is(&t, "prio"))
		return perr(p, line, "expected 'prio N'");
	if (!next_tok(&pos, &t))
		return perr(p, pos, "expected a priority after 'prio'");
	if (parse_u64(t.s, t.n, UINT32_MAX, &prio))
		return perr(p, t.s, "bad priority '%s' (0..4294967295)",
			    q(&t, b, sizeof(b)));
	r.prio = (uint32_t)prio;
	for (;;) {
		if (!next_tok(&pos, &t))
			return perr(p, pos, "expected '->' and an action");
		if (tok_is(&t, "->"))
			break;
		if (tok_is(&t, "any") && !r.n_matches && !any) {
			any = true;
			continue;
		}
		if (any)
			return perr(p, t.s, "'any' cannot be combined with matches");
		if (add_match(p, &r, &t))
			return -EINVAL;
	}
	if (!any && !r.n_matches)
		return perr(p, t.s, "no matches; write 'any'");
	if (!next_tok(&pos, &t))
		return perr(p, pos, "expected an action after '->'");
	if (parse_action(p, &t, &r.action))
		return -EINVAL;
	while (next_tok(&pos, &t)) {
		err = parse_prov(p, &t, &r.prov);
		if (err)
			goto out;
	}
	err = ir_ruleset__add(p->rs, &r);
	if (err)
		perr(p, line, "out of memory");
out:
	ir_rule__fini(&r);
	return err;
}

static int parse_meta(struct parser *p, const char *line)
{
	const char *k = line + 1, *colon;
	char *key;
	int err;

	if (*k == ' ')
		k++;
	colon = k + strcspn(k, ": \t");
	if (colon == k || *colon != ':' || (colon[1] && colon[1] != ' '))
		return perr(p, line, "expected '# key: value'");
	key = strndup(k, (size_t)(colon - k));
	if (!key)
		return -ENOMEM;
	err = ir_ruleset__add_meta(p->rs, key, colon[1] ? colon + 2 : "");
	if (err == -EINVAL)
		perr(p, colon + 1, "bad value for '%s'", key);
	free(key);
	return err;
}

static int parse_line(struct parser *p, char *line, size_t len)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	p->line++;
	p->base = line;
	if (memchr(line, '\0', len))
		return perr(p, (char *)memchr(line, '\0', len), "NUL byte");
	if (line[strspn(line, " \t")] == '\0')
		return 0;
	if (!p->seen_header) {
		if (strcmp(line, "# flowlift-ir 1"))
			return perr(p, line, "expected the header '# flowlift-ir 1'");
		p->seen_header = true;
		return 0;
	}
	if (line[0] == '#')
		return parse_meta(p, line);
	return parse_rule(p, line);
}

static struct ir_ruleset *finish(struct parser *p, int err)
{
	if (!err && !p->seen_header) {
		p->line = 1;
		p->base = "";
		err = perr(p, p->base, "expected the header '# flowlift-ir 1'");
	}
	if (err) {
		if (err == -ENOMEM && p->err && p->errsz)
			snprintf(p->err, p->errsz, "%lu:1: out of memory",
				 p->line);
		ir_ruleset__free(p->rs);
		errno = -err;
		return NULL;
	}
	return p->rs;
}

struct ir_ruleset *ir_ruleset__parse(FILE *f, const char *name, char *err,
				     size_t errsz)
{
	struct parser p = { .name = name, .err = err, .errsz = errsz };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;

	p.rs = ir_ruleset__new();
	if (!p.rs)
		return NULL;
	while (!ret && (n = getline(&line, &cap, f)) >= 0)
		ret = parse_line(&p, line, (size_t)n);
	if (!ret && ferror(f)) {
		ret = -EIO;
		snprintf(err ? err : (char[1]){ 0 }, err ? errsz : 1,
			 "%s%sread error", name ? name : "", name ? ": " : "");
	}
	free(line);
	return finish(&p, ret);
}

struct ir_ruleset *ir_ruleset__parse_str(const char *text, char *err,
					 size_t errsz)
{
	struct parser p = { .err = err, .errsz = errsz };
	const char *s = text;
	int ret = 0;

	p.rs = ir_ruleset__new();
	if (!p.rs)
		return NULL;
	while (!ret && *s) {
		size_t n = strcspn(s, "\n");
		char *line = strndup(s, n);

		if (!line) {
			ret = -ENOMEM;
			break;
		}
		ret = parse_line(&p, line, n);
		free(line);
		s += n + (s[n] == '\n');
	}
	return finish(&p, ret);
}
