// SPDX-License-Identifier: Apache-2.0
/*
 * util.c - error formatting, hex, whole-file reads, and output files that
 * appear only when complete (a failed command leaves no partial file).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"

int fl_err(char *err, size_t errsz, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return ret;
}

void fl_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int fl_unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i = 0;

	while (i < n) {
		int hi, lo;

		while (*s == ' ' || *s == '\t')
			s++;
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
			s += 2;
		hi = hexval(s[0]);
		lo = hi < 0 ? -1 : hexval(s[1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return *s ? -EINVAL : 0;
}

char *fl_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t got;

		if (cap - n < 65536) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb)
				goto fail;
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		errno = EIO;
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}

int fl_open_outfile(struct fl_outfile *o, const char *path)
{
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	o->path = strdup(path);
	if (!o->path || asprintf(&o->tmp, "%s.tmpXXXXXX", path) < 0) {
		o->tmp = NULL;
		goto nomem;
	}
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		int e = -errno;

		fl_abort_outfile(o);
		return e;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		unlink(o->tmp);
		goto nomem;
	}
	return 0;
nomem:
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return -ENOMEM;
}

int fl_commit_outfile(struct fl_outfile *o)
{
	int err = 0;

	if (!o->tmp) {
		if (o->f && fflush(o->f))
			err = -errno;
		memset(o, 0, sizeof(*o));
		return err;
	}
	if (fflush(o->f) || ferror(o->f))
		err = -EIO;
	if (fclose(o->f) && !err)
		err = -errno;
	o->f = NULL;
	if (!err && rename(o->tmp, o->path))
		err = -errno;
	if (err)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
	return err;
}

void fl_abort_outfile(struct fl_outfile *o)
{
	if (o->tmp) {
		if (o->f)
			fclose(o->f);
		unlink(o->tmp);
	}
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
}
