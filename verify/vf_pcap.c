// SPDX-License-Identifier: Apache-2.0
/*
 * vf_pcap.c - classic libpcap files: a reader for --pcap replay and a
 * writer for tests. Both byte orders and both timestamp resolutions are
 * read (magic a1b2c3d4 microseconds, a1b23c4d nanoseconds); only the
 * Ethernet link type (1) is accepted, since the kernel and the dissector
 * models start at the Ethernet header. pcapng is refused with a message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/verify.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAPNG_MAGIC 0x0a0d0d0au
#define LINKTYPE_ETHERNET 1
#define PCAP_MAX_CAPLEN (256u * 1024)

static uint32_t rd32(const uint8_t *b, bool swap)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static int read_records(FILE *f, const char *path, bool swap,
			struct vf_frames *fs, char *err, size_t errsz)
{
	uint8_t rec[16], *buf = NULL;
	size_t nrec = 0;
	int ret = 0;

	for (;;) {
		size_t got = fread(rec, 1, sizeof(rec), f);
		uint32_t incl, orig;

		if (got == 0)
			break;
		if (got != sizeof(rec)) {
			ret = fl_err(err, errsz, -EINVAL,
				     "%s: record %zu: truncated record header",
				     path, nrec + 1);
			break;
		}
		incl = rd32(rec + 8, swap);
		orig = rd32(rec + 12, swap);
		if (incl > PCAP_MAX_CAPLEN) {
			ret = fl_err(err, errsz, -EINVAL,
				     "%s: record %zu: captured length %u is "
				     "implausible", path, nrec + 1, incl);
			break;
		}
		free(buf);
		buf = malloc(incl ? incl : 1);
		if (!buf) {
			ret = -ENOMEM;
			break;
		}
		if (fread(buf, 1, incl, f) != incl) {
			ret = fl_err(err, errsz, -EINVAL,
				     "%s: record %zu: truncated packet data "
				     "(%u bytes announced)", path, nrec + 1,
				     incl);
			break;
		}
		nrec++;
		ret = vf_frames__add_raw(fs, buf, incl, 0,
					 incl < orig ? "pcap (snapped)" :
					 "pcap");
		if (ret)
			break;
	}
	free(buf);
	return ret;
}

int vf_pcap__read(const char *path, struct vf_frames *fs, char *err,
		  size_t errsz)
{
	uint8_t hdr[24];
	uint32_t magic, link;
	bool swap;
	FILE *f;
	int ret;

	f = fopen(path, "rb");
	if (!f)
		return fl_err(err, errsz, -errno, "%s: %s", path,
			      strerror(errno));
	if (fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr)) {
		ret = fl_err(err, errsz, -EINVAL,
			     "%s: too short for a pcap file header", path);
		goto out;
	}
	memcpy(&magic, hdr, 4);
	swap = magic == __builtin_bswap32(PCAP_MAGIC_US) ||
	       magic == __builtin_bswap32(PCAP_MAGIC_NS);
	if (swap)
		magic = __builtin_bswap32(magic);
	if (magic == PCAPNG_MAGIC) {
		ret = fl_err(err, errsz, -EOPNOTSUPP,
			     "%s: pcapng is not supported; convert with "
			     "'editcap -F pcap'", path);
		goto out;
	}
	if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS) {
		ret = fl_err(err, errsz, -EINVAL,
			     "%s: not a pcap file (magic 0x%08x)", path, magic);
		goto out;
	}
	link = rd32(hdr + 20, swap) & 0x0fffffff; /* high bits: FCS info */
	if (link != LINKTYPE_ETHERNET) {
		ret = fl_err(err, errsz, -EOPNOTSUPP,
			     "%s: link type %u is not Ethernet (1)", path, link);
		goto out;
	}
	ret = read_records(f, path, swap, fs, err, errsz);
out:
	fclose(f);
	return ret;
}

int vf_pcap__write(FILE *f, const struct vf_frames *fs)
{
	uint32_t hdr[6] = { PCAP_MAGIC_US, 0x00040002, 0, 0, 65535,
			    LINKTYPE_ETHERNET };

	if (fwrite(hdr, sizeof(hdr), 1, f) != 1)
		return -EIO;
	for (size_t i = 0; i < fs->n; i++) {
		uint32_t rec[4] = { (uint32_t)i, 0, fs->v[i].len,
				    fs->v[i].len };

		if (fwrite(rec, sizeof(rec), 1, f) != 1 ||
		    fwrite(fs->v[i].data, 1, fs->v[i].len, f) != fs->v[i].len)
			return -EIO;
	}
	return fflush(f) ? -EIO : 0;
}
