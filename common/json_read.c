// SPDX-License-Identifier: Apache-2.0
/*
 * json_read.c - a small recursive-descent JSON parser into a DOM. Strict
 * RFC 8259 (no comments, no trailing commas), nesting bounded so hostile
 * input cannot exhaust the stack, errors as "LINE:COL: what".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

#define JSON_MAX_DEPTH 256

struct parser {
	const char *s, *end;
	size_t line;
	const char *line_start;
	char *err;
	size_t errsz;
	bool failed;
};

static void perr(struct parser *p, const char *what)
{
	if (p->failed)
		return;
	p->failed = true;
	fl_err(p->err, p->errsz, 0, "%zu:%zu: %s", p->line,
	       (size_t)(p->s - p->line_start) + 1, what);
}

static void skip_ws(struct parser *p)
{
	while (p->s < p->end) {
		char c = *p->s;

		if (c == '\n') {
			p->line++;
			p->line_start = p->s + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			break;
		}
		p->s++;
	}
}

static int grow(struct fl_jval *v, size_t *cap, bool keys)
{
	size_t ncap;
	void *ni, *nk;

	if (v->n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	ni = realloc(v->items, ncap * sizeof(*v->items));
	if (!ni)
		return -ENOMEM;
	v->items = ni;
	if (keys) {
		nk = realloc(v->keys, ncap * sizeof(*v->keys));
		if (!nk)
			return -ENOMEM;
		v->keys = nk;
	}
	*cap = ncap;
	return 0;
}

static void put_utf8(char **o, unsigned int cp)
{
	char *q = *o;

	if (cp < 0x80) {
		*q++ = (char)cp;
	} else if (cp < 0x800) {
		*q++ = (char)(0xc0 | cp >> 6);
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*q++ = (char)(0xe0 | cp >> 12);
		*q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*q++ = (char)(0xf0 | cp >> 18);
		*q++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	}
	*o = q;
}

static int hex4(const char *s, unsigned int *out)
{
	unsigned int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* At the opening quote; returns a malloc'd unescaped string. */
static char *parse_string(struct parser *p)
{
	const char *q = ++p->s;
	char *out, *o;

	while (q < p->end && *q != '"') {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= p->end) {
		p->s--; /* point at the opening quote */
		perr(p, "unterminated string");
		return NULL;
	}
	out = malloc((size_t)(q - p->s) + 1);
	if (!out) {
		perr(p, "out of memory");
		return NULL;
	}
	o = out;
	while (p->s < q) {
		unsigned char c = (unsigned char)*p->s;
		unsigned int cp;

		if (c < 0x20) {
			perr(p, "control character in string");
			goto fail;
		}
		if (c != '\\') {
			*o++ = (char)c;
			p->s++;
			continue;
		}
		p->s++;
		switch (*p->s) {
		case '"': case '\\': case '/':
			*o++ = *p->s;
			break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (q - p->s < 5 || hex4(p->s + 1, &cp)) {
				perr(p, "bad \\u escape");
				goto fail;
			}
			p->s += 4;
			if (cp == 0) {
				perr(p, "\\u0000 in string");
				goto fail;
			}
			put_utf8(&o, cp);
			break;
		default:
			perr(p, "bad escape in string");
			goto fail;
		}
		p->s++;
	}
	*o = '\0';
	p->s = q + 1;
	return out;
fail:
	free(out);
	return NULL;
}

static int parse_value(struct parser *p, struct fl_jval *v, int depth);

static int parse_container(struct parser *p, struct fl_jval *v, int depth,
			   bool obj)
{
	char close = obj ? '}' : ']';
	size_t cap = 0;

	v->type = obj ? FL_JOBJ : FL_JARR;
	p->s++;
	skip_ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		return 0;
	}
	for (;;) {
		char *key = NULL;

		skip_ws(p);
		if (obj) {
			if (p->s >= p->end || *p->s != '"') {
				perr(p, "expected a string key");
				return -EINVAL;
			}
			key = parse_string(p);
			if (!key)
				return -EINVAL;
			skip_ws(p);
			if (p->s >= p->end || *p->s != ':') {
				free(key);
				perr(p, "expected ':'");
				return -EINVAL;
			}
			p->s++;
		}
		if (grow(v, &cap, obj)) {
			free(key);
			perr(p, "out of memory");
			return -ENOMEM;
		}
		if (obj)
			v->keys[v->n] = key;
		memset(&v->items[v->n], 0, sizeof(v->items[0]));
		v->n++;
		if (parse_value(p, &v->items[v->n - 1], depth + 1))
			return -EINVAL;
		skip_ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			p->s++;
			return 0;
		}
		perr(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		return -EINVAL;
	}
}

static int parse_number(struct parser *p, struct fl_jval *v)
{
	const char *st = p->s;
	char *endp;

	if (p->s < p->end && *p->s == '-')
		p->s++;
	if (p->s >= p->end || *p->s < '0' || *p->s > '9') {
		perr(p, "unexpected character");
		return -EINVAL;
	}
	while (p->s < p->end && strchr("0123456789+-.eE", *p->s))
		p->s++;
	v->type = FL_JNUM;
	v->num_text = strndup(st, (size_t)(p->s - st));
	if (!v->num_text) {
		perr(p, "out of memory");
		return -ENOMEM;
	}
	v->num = strtod(v->num_text, &endp);
	if (*endp) {
		p->s = st;
		perr(p, "malformed number");
		return -EINVAL;
	}
	return 0;
}

static int parse_value(struct parser *p, struct fl_jval *v, int depth)
{
	static const struct {
		const char *word;
		enum fl_jtype type;
		bool b;
	} words[] = {
		{ "true", FL_JBOOL, true },
		{ "false", FL_JBOOL, false },
		{ "null", FL_JNULL, false },
	};

	if (depth > JSON_MAX_DEPTH) {
		perr(p, "nesting too deep");
		return -EINVAL;
	}
	skip_ws(p);
	v->line = p->line;
	if (p->s >= p->end) {
		perr(p, "unexpected end of input");
		return -EINVAL;
	}
	switch (*p->s) {
	case '{':
		return parse_container(p, v, depth, true);
	case '[':
		return parse_container(p, v, depth, false);
	case '"':
		v->type = FL_JSTR;
		v->str = parse_string(p);
		return v->str ? 0 : -EINVAL;
	default:
		break;
	}
	for (size_t i = 0; i < FL_ARRAY_SIZE(words); i++) {
		size_t n = strlen(words[i].word);

		if ((size_t)(p->end - p->s) >= n &&
		    !memcmp(p->s, words[i].word, n)) {
			v->type = words[i].type;
			v->b = words[i].b;
			p->s += n;
			return 0;
		}
	}
	return parse_number(p, v);
}

struct fl_jval *fl_json_parse(const char *text, size_t len, char *err,
			      size_t errsz)
{
	return fl_json_parse_at(text, len, 1, err, errsz);
}

struct fl_jval *fl_json_parse_at(const char *text, size_t len, size_t line,
				 char *err, size_t errsz)
{
	/* an empty element may come without a buffer: NULL + 0 is undefined */
	const char *t = text ? text : "";
	struct parser p = { .s = t, .end = t + (text ? len : 0), .line = line,
			    .line_start = t, .err = err, .errsz = errsz };
	struct fl_jval *v = calloc(1, sizeof(*v));

	if (!v) {
		fl_err(err, errsz, 0, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	if (parse_value(&p, v, 0))
		goto fail;
	skip_ws(&p);
	if (p.s != p.end) {
		perr(&p, "trailing characters after the JSON value");
		goto fail;
	}
	return v;
fail:
	fl_jval__free(v);
	errno = EINVAL;
	return NULL;
}

static void jval_fini(struct fl_jval *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jval_fini(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v->num_text);
}

void fl_jval__free(struct fl_jval *v)
{
	if (!v)
		return;
	jval_fini(v);
	free(v);
}

const struct fl_jval *fl_jval__get(const struct fl_jval *obj, const char *key)
{
	if (!obj || obj->type != FL_JOBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}
