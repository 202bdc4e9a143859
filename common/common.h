/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common.h - small utilities every layer uses: SHA-1 (BPF program tags,
 * map digests), hex, a JSON writer (-j output) and a JSON reader (bpftool
 * map dumps), and error-message formatting.
 */
#ifndef FLOWLIFT_COMMON_H
#define FLOWLIFT_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* printf into err[errsz] (if err non-NULL); returns 'ret' so callers can
 * write `return fl_err(err, errsz, -EINVAL, "map '%s': ...", name);`. */
int fl_err(char *err, size_t errsz, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* SHA-1 */
struct fl_sha1 {
	uint32_t h[5];
	uint64_t len;
	uint8_t buf[64];
	size_t n;
};
void fl_sha1__init(struct fl_sha1 *s);
void fl_sha1__update(struct fl_sha1 *s, const void *data, size_t len);
void fl_sha1__final(struct fl_sha1 *s, uint8_t out[20]);
void fl_sha1(const void *data, size_t len, uint8_t out[20]);

/* Hex: out needs 2*n+1 bytes. fl_unhex parses exactly n bytes from hex
 * digits (spaces and "0x" prefixes allowed between bytes); -EINVAL. */
void fl_hex(const uint8_t *b, size_t n, char *out);
int fl_unhex(const char *s, uint8_t *out, size_t n);

/* JSON writer, in the style of bpftool's json_writer: commas and nesting
 * are tracked for the caller. Keys only inside objects. */
struct fl_json;
struct fl_json *fl_json__new(FILE *f, bool pretty);
void fl_json__free(struct fl_json *j); /* ends with a newline */
void fl_json__obj_begin(struct fl_json *j);
void fl_json__obj_end(struct fl_json *j);
void fl_json__arr_begin(struct fl_json *j);
void fl_json__arr_end(struct fl_json *j);
void fl_json__key(struct fl_json *j, const char *key);
void fl_json__str(struct fl_json *j, const char *s);
void fl_json__strf(struct fl_json *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fl_json__u64(struct fl_json *j, uint64_t v);
void fl_json__i64(struct fl_json *j, int64_t v);
void fl_json__dbl(struct fl_json *j, double v);
void fl_json__bool(struct fl_json *j, bool v);
void fl_json__null(struct fl_json *j);
/* key + value shorthands */
void fl_json__kstr(struct fl_json *j, const char *k, const char *s);
void fl_json__ku64(struct fl_json *j, const char *k, uint64_t v);
void fl_json__ki64(struct fl_json *j, const char *k, int64_t v);
void fl_json__kbool(struct fl_json *j, const char *k, bool v);

/* JSON reader: a small DOM for documents of moderate size. */
enum fl_jtype {
	FL_JNULL,
	FL_JBOOL,
	FL_JNUM,
	FL_JSTR,
	FL_JARR,
	FL_JOBJ,
};

struct fl_jval {
	enum fl_jtype type;
	bool b;
	double num;
	char *num_text; /* FL_JNUM: the literal, for exact integers */
	char *str;      /* FL_JSTR (unescaped, NUL-terminated) */
	size_t n;       /* FL_JARR/FL_JOBJ: children */
	struct fl_jval *items;
	char **keys;    /* FL_JOBJ: key of each child */
	size_t line;    /* where it started, for messages */
};

/* Parse text; NULL on error with "LINE:COL: what" in err. */
struct fl_jval *fl_json_parse(const char *text, size_t len, char *err,
			      size_t errsz);
/* The same for a piece of a larger text whose first line is 'line'. */
struct fl_jval *fl_json_parse_at(const char *text, size_t len, size_t line,
				 char *err, size_t errsz);
void fl_jval__free(struct fl_jval *v);

/* Streaming reader for a document that is one large array (a bpftool map
 * dump): each top-level element is handed out as its own small DOM, so
 * memory is bounded by the largest element, not by the file. Elements
 * larger than FL_JSTREAM_MAX_ELEM bytes are refused (-E2BIG). */
#define FL_JSTREAM_MAX_ELEM (64u << 20)
struct fl_jstream;
/* Reads from f (not owned; a pipe is fine). NULL + errno. */
struct fl_jstream *fl_jstream__new(FILE *f);
void fl_jstream__free(struct fl_jstream *s);
/* 1: *out is the next element (the caller frees it); 0: the array ended
 * and only whitespace follows; negative errno with "LINE:COL: what" in
 * err. A document that is not an array comes out whole as one element,
 * and fl_jstream__is_array() then says false. */
int fl_jstream__next(struct fl_jstream *s, struct fl_jval **out, char *err,
		     size_t errsz);
bool fl_jstream__is_array(const struct fl_jstream *s);
const struct fl_jval *fl_jval__get(const struct fl_jval *obj,
				   const char *key);

/* Read a whole file into a NUL-terminated malloc'd buffer; NULL + errno. */
char *fl_read_file(const char *path, size_t *len);

/* Write to 'path' atomically: *tmp is opened on a temporary next to it;
 * fl_commit_file renames it into place, fl_abort_file removes it. So that a
 * failed command leaves no partial output file. "-" means stdout. */
struct fl_outfile {
	FILE *f;
	char *path;
	char *tmp;
};
int fl_open_outfile(struct fl_outfile *o, const char *path);
int fl_commit_outfile(struct fl_outfile *o);
void fl_abort_outfile(struct fl_outfile *o);

#endif /* FLOWLIFT_COMMON_H */
