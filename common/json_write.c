// SPDX-License-Identifier: Apache-2.0
/*
 * json_write.c - a streaming JSON writer (after bpftool's json_writer): the
 * caller emits structure, the writer places commas, indentation and
 * escapes.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "common/common.h"

#define FL_JSON_DEPTH 64

struct fl_json {
	FILE *f;
	bool pretty;
	int depth;
	bool first[FL_JSON_DEPTH]; /* no element yet at this depth */
	bool after_key;
};

struct fl_json *fl_json__new(FILE *f, bool pretty)
{
	struct fl_json *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->f = f;
	j->pretty = pretty;
	j->first[0] = true;
	return j;
}

void fl_json__free(struct fl_json *j)
{
	if (!j)
		return;
	fputc('\n', j->f);
	fflush(j->f);
	free(j);
}

static void indent(struct fl_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Before any value or key: separator and indentation. */
static void sep(struct fl_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	if (j->depth)
		indent(j);
	j->first[j->depth] = false;
}

static void open(struct fl_json *j, char c)
{
	sep(j);
	fputc(c, j->f);
	if (j->depth < FL_JSON_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct fl_json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth)
		j->depth--;
	if (!empty)
		indent(j);
	fputc(c, j->f);
}

void fl_json__obj_begin(struct fl_json *j)
{
	open(j, '{');
}

void fl_json__obj_end(struct fl_json *j)
{
	close_(j, '}');
}

void fl_json__arr_begin(struct fl_json *j)
{
	open(j, '[');
}

void fl_json__arr_end(struct fl_json *j)
{
	close_(j, ']');
}

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

void fl_json__key(struct fl_json *j, const char *key)
{
	sep(j);
	put_str(j->f, key);
	fputs(j->pretty ? ": " : ":", j->f);
	j->after_key = true;
}

void fl_json__str(struct fl_json *j, const char *s)
{
	sep(j);
	put_str(j->f, s ? s : "");
}

void fl_json__strf(struct fl_json *j, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	fl_json__str(j, n < 0 ? "" : s);
	if (n >= 0)
		free(s);
}

void fl_json__u64(struct fl_json *j, uint64_t v)
{
	sep(j);
	fprintf(j->f, "%" PRIu64, v);
}

void fl_json__i64(struct fl_json *j, int64_t v)
{
	sep(j);
	fprintf(j->f, "%" PRId64, v);
}

void fl_json__dbl(struct fl_json *j, double v)
{
	sep(j);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);
}

void fl_json__bool(struct fl_json *j, bool v)
{
	sep(j);
	fputs(v ? "true" : "false", j->f);
}

void fl_json__null(struct fl_json *j)
{
	sep(j);
	fputs("null", j->f);
}

void fl_json__kstr(struct fl_json *j, const char *k, const char *s)
{
	fl_json__key(j, k);
	fl_json__str(j, s);
}

void fl_json__ku64(struct fl_json *j, const char *k, uint64_t v)
{
	fl_json__key(j, k);
	fl_json__u64(j, v);
}

void fl_json__ki64(struct fl_json *j, const char *k, int64_t v)
{
	fl_json__key(j, k);
	fl_json__i64(j, v);
}

void fl_json__kbool(struct fl_json *j, const char *k, bool v)
{
	fl_json__key(j, k);
	fl_json__bool(j, v);
}
