// SPDX-License-Identifier: Apache-2.0
/*
 * json_stream.c - a top-level JSON array read one element at a time.
 *
 * `bpftool map dump -j` writes one array with an object per entry; a map
 * of ten million entries is a file of about a gigabyte, whose DOM would
 * take tens of gigabytes. This reader only finds where each element ends
 * (strings, escapes and nesting tracked) and hands that slice to the DOM
 * parser, which does all validation, so memory is bounded by the largest
 * element. Line numbers in messages and in the DOM are the file's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

enum jstream_state {
	JS_START, /* nothing read yet */
	JS_FIRST, /* after '[': an element or ']' */
	JS_NEXT,  /* after an element: ',' or ']' */
	JS_DONE,
};

struct fl_jstream {
	FILE *f;
	enum jstream_state state;
	bool is_array;
	size_t line, col;
	char *buf;
	size_t n, cap;
};

struct fl_jstream *fl_jstream__new(FILE *f)
{
	struct fl_jstream *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->f = f;
	s->line = 1;
	return s;
}

void fl_jstream__free(struct fl_jstream *s)
{
	if (!s)
		return;
	free(s->buf);
	free(s);
}

bool fl_jstream__is_array(const struct fl_jstream *s)
{
	return s->is_array;
}

static int get(struct fl_jstream *s)
{
	int c = getc_unlocked(s->f);

	if (c == '\n') {
		s->line++;
		s->col = 0;
	} else if (c != EOF) {
		s->col++;
	}
	return c;
}

static void unget(struct fl_jstream *s, int c)
{
	/* Only delimiters are pushed back, never a newline. */
	ungetc(c, s->f);
	s->col--;
}

static int skip_ws(struct fl_jstream *s)
{
	int c;

	do
		c = get(s);
	while (c == ' ' || c == '\t' || c == '\r' || c == '\n');
	return c;
}

static int put(struct fl_jstream *s, int c)
{
	if (s->n + 1 >= s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 4096;
		char *nb;

		if (s->n + 1 >= FL_JSTREAM_MAX_ELEM)
			return -E2BIG;
		nb = realloc(s->buf, ncap);
		if (!nb)
			return -ENOMEM;
		s->buf = nb;
		s->cap = ncap;
	}
	s->buf[s->n++] = (char)c;
	return 0;
}

static int fail(struct fl_jstream *s, char *err, size_t errsz, int ret,
		const char *what)
{
	s->state = JS_DONE;
	if (ret == -E2BIG)
		what = "element larger than the streaming limit";
	else if (ret == -ENOMEM)
		what = "out of memory";
	else if (ferror(s->f))
		what = "read error";
	return fl_err(err, errsz, ret, "%zu:%zu: %s", s->line, s->col + 1,
		      what);
}

/*
 * Collect one element starting with c into buf. At depth 0 outside a
 * string, ',' or a closing bracket ends it (pushed back); with 'whole'
 * (not an array) only the end of the file does.
 */
static int collect(struct fl_jstream *s, int c, bool whole)
{
	bool in_str = false, esc = false;
	size_t depth = 0;
	int ret;

	s->n = 0;
	for (; c != EOF; c = get(s)) {
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			depth++;
		} else if (c == ']' || c == '}' || c == ',') {
			if (!depth && !whole) {
				unget(s, c);
				break;
			}
			if (c != ',' && depth)
				depth--;
		}
		ret = put(s, c);
		if (ret)
			return ret;
	}
	return c == EOF && !whole ? -EINVAL : 0;
}

static int parse_elem(struct fl_jstream *s, int c, bool whole,
		      struct fl_jval **out, char *err, size_t errsz)
{
	size_t line = s->line;
	int ret = collect(s, c, whole);

	if (ret)
		return fail(s, err, errsz, ret, "unterminated array");
	*out = fl_json_parse_at(s->buf, s->n, line, err, errsz);
	if (!*out) {
		s->state = JS_DONE;
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	}
	return 1;
}

static int end_of_array(struct fl_jstream *s, char *err, size_t errsz)
{
	int c = skip_ws(s);

	s->state = JS_DONE;
	if (c != EOF)
		return fail(s, err, errsz, -EINVAL,
			    "trailing characters after the JSON value");
	return ferror(s->f) ? fail(s, err, errsz, -EIO, "") : 0;
}

int fl_jstream__next(struct fl_jstream *s, struct fl_jval **out, char *err,
		     size_t errsz)
{
	int c;

	*out = NULL;
	switch (s->state) {
	case JS_START:
		c = skip_ws(s);
		if (c == EOF)
			return fail(s, err, errsz, -EINVAL,
				    "unexpected end of input");
		if (c != '[') {
			s->state = JS_DONE;
			return parse_elem(s, c, true, out, err, errsz);
		}
		s->is_array = true;
		s->state = JS_FIRST;
		c = skip_ws(s);
		if (c == ']')
			return end_of_array(s, err, errsz);
		break;
	case JS_NEXT:
		c = skip_ws(s);
		if (c == ']')
			return end_of_array(s, err, errsz);
		if (c != ',')
			return fail(s, err, errsz, -EINVAL,
				    c == EOF ? "unterminated array" :
					       "expected ',' or ']'");
		c = skip_ws(s);
		break;
	default:
		return 0;
	}
	if (c == EOF || c == ']' || c == ',')
		return fail(s, err, errsz, -EINVAL,
			    c == EOF ? "unterminated array" :
				       "expected a value");
	s->state = JS_NEXT;
	return parse_elem(s, c, false, out, err, errsz);
}
