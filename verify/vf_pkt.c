// SPDX-License-Identifier: Apache-2.0
/*
 * vf_pkt.c - build test frames from a struct vf_pkt.
 *
 * Every header field is written as the spec says, even when that makes the
 * frame malformed (wrong ethertype, ihl < 5, protocol that does not match
 * the L4 header): the point is to show parsers frames they disagree on.
 * Lengths (IPv4 total length, IPv6 payload length, UDP length) and
 * checksums (IPv4 header, TCP/UDP/ICMPv6 with pseudo-header, ICMP) are
 * always those of the whole frame, so that a truncated frame is exactly a
 * prefix of its whole one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "verify/verify.h"

#define ETH_HLEN_ 14

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t vf_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *b = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint16_t vf_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

void vf_pkt__init(struct vf_pkt *p, int ip_version, enum vf_l4 l4)
{
	static const uint8_t dmac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t smac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

	memset(p, 0, sizeof(*p));
	memcpy(p->dmac, dmac, 6);
	memcpy(p->smac, smac, 6);
	p->ttl = 64;
	p->l4 = l4;
	if (ip_version == 6) {
		p->ethertype = 0x86dd;
		p->l3 = VF_L3_IP6;
		p->saddr6[0] = 0x20, p->saddr6[1] = 0x01;
		p->saddr6[2] = 0x0d, p->saddr6[3] = 0xb8;
		p->saddr6[15] = 1;
		memcpy(p->daddr6, p->saddr6, 16);
		p->daddr6[15] = 2;
	} else {
		p->ethertype = 0x0800;
		p->l3 = VF_L3_IP4;
		p->saddr4[0] = 192, p->saddr4[2] = 2, p->saddr4[3] = 1;
		p->daddr4[0] = 198, p->daddr4[1] = 51, p->daddr4[2] = 100;
		p->daddr4[3] = 2;
	}
	switch (l4) {
	case VF_L4_TCP:
		p->proto = 6;
		p->tcp_flags = 0x02;
		break;
	case VF_L4_UDP:
		p->proto = 17;
		break;
	case VF_L4_ICMP:
		p->proto = 1;
		p->icmp_type = 8;
		break;
	case VF_L4_ICMP6:
		p->proto = 58;
		p->icmp_type = 128;
		break;
	default:
		p->proto = 253; /* experimental */
		break;
	}
	p->sport = 40000;
	p->dport = 80;
	p->payload_len = 8;
}

static size_t l4_hdr_len(uint8_t l4)
{
	switch (l4) {
	case VF_L4_TCP:
		return 20;
	case VF_L4_UDP:
	case VF_L4_ICMP:
	case VF_L4_ICMP6:
		return 8;
	default:
		return 0;
	}
}

static size_t ext_len(const struct vf_ip6_ext *e)
{
	return e->type == 44 ? 8 : 8 * ((size_t)e->len8 + 1);
}

/* Bytes of L3 header (IPv4 with options, IPv6 with extension headers). */
static size_t l3_hdr_len(const struct vf_pkt *p)
{
	size_t n = 0;

	switch (p->l3) {
	case VF_L3_IP4:
		return 4 * (size_t)(p->ihl >= 5 ? p->ihl : 5);
	case VF_L3_IP6:
		n = 40;
		for (unsigned int i = 0; i < p->n_exts && i < VF_MAX_EXTS; i++)
			n += ext_len(&p->exts[i]);
		return n;
	case VF_L3_ARP:
		return 28;
	default:
		return 0;
	}
}

static void put_ip4(const struct vf_pkt *p, uint8_t *h, size_t hlen,
		    size_t tot)
{
	uint8_t ihl = p->ihl ? p->ihl : 5;

	h[0] = (uint8_t)((p->version ? p->version : 4) << 4 | (ihl & 0xf));
	h[1] = p->tos;
	put16(h + 2, (uint16_t)tot);
	put16(h + 4, p->ip_id);
	put16(h + 6, p->frag);
	h[8] = p->ttl;
	h[9] = p->proto;
	memcpy(h + 12, p->saddr4, 4);
	memcpy(h + 16, p->daddr4, 4);
	if (hlen > 20) {
		/* Router Alert first, then NOPs up to the header's end. */
		h[20] = 0x94, h[21] = 4, h[22] = 0, h[23] = 0;
		memset(h + 24, 1, hlen - 24);
	}
	put16(h + 10, (uint16_t)~vf_csum_fold(vf_csum_add(0, h, hlen)));
}

static void put_ip6(const struct vf_pkt *p, uint8_t *h, size_t plen)
{
	size_t off = 40;
	uint8_t ver = p->version ? p->version : 6;

	put32(h, (uint32_t)ver << 28 | (uint32_t)p->tos << 20 |
		 (p->flowlabel & 0xfffff));
	put16(h + 4, (uint16_t)plen);
	h[6] = p->n_exts ? p->exts[0].type : p->proto;
	h[7] = p->ttl;
	memcpy(h + 8, p->saddr6, 16);
	memcpy(h + 24, p->daddr6, 16);
	for (unsigned int i = 0; i < p->n_exts && i < VF_MAX_EXTS; i++) {
		const struct vf_ip6_ext *e = &p->exts[i];
		uint8_t *x = h + off;
		size_t n = ext_len(e);

		x[0] = i + 1 < p->n_exts ? p->exts[i + 1].type : p->proto;
		if (e->type == 44) {
			x[1] = 0;
			put16(x + 2, (uint16_t)(e->frag_off << 3 | e->more));
			put32(x + 4, 0x1234abcdu);
		} else if (e->type == 43) {
			x[1] = e->len8;
			x[2] = 4; /* segment routing header, no segments left */
			x[3] = 0;
		} else {
			x[1] = e->len8;
			x[2] = 1; /* PadN over the rest */
			x[3] = (uint8_t)(n - 4);
		}
		off += n;
	}
}

static void put_l4(const struct vf_pkt *p, uint8_t *h, size_t l4len,
		   const uint8_t *l3, size_t l3len)
{
	uint32_t sum = 0;
	size_t csum_off;
	uint8_t pseudo[40];

	switch (p->l4) {
	case VF_L4_TCP:
		put16(h, p->sport);
		put16(h + 2, p->dport);
		put32(h + 4, 0x01020304);
		put32(h + 8, p->tcp_flags & 0x10 ? 0x0a0b0c0d : 0);
		put16(h + 12, (uint16_t)(5 << 12 | (p->tcp_flags & 0xfff)));
		put16(h + 14, 65535);
		csum_off = 16;
		break;
	case VF_L4_UDP:
		put16(h, p->sport);
		put16(h + 2, p->dport);
		put16(h + 4, (uint16_t)l4len);
		csum_off = 6;
		break;
	case VF_L4_ICMP:
	case VF_L4_ICMP6:
		h[0] = p->icmp_type;
		h[1] = p->icmp_code;
		put16(h + 4, p->sport); /* identifier */
		put16(h + 6, 1);        /* sequence */
		csum_off = 2;
		break;
	default:
		return;
	}
	if (p->l4 != VF_L4_ICMP && p->l3 == VF_L3_IP4 && l3len >= 20) {
		memcpy(pseudo, l3 + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = p->proto;
		put16(pseudo + 10, (uint16_t)l4len);
		sum = vf_csum_add(0, pseudo, 12);
	} else if (p->l4 != VF_L4_ICMP && p->l3 == VF_L3_IP6) {
		memcpy(pseudo, l3 + 8, 32);
		sum = vf_csum_add(0, pseudo, 32);
		put32(pseudo, (uint32_t)l4len);
		pseudo[4] = pseudo[5] = pseudo[6] = 0;
		pseudo[7] = p->proto;
		sum = vf_csum_add(sum, pseudo, 8);
	}
	sum = vf_csum_add(sum, h, l4len);
	put16(h + csum_off, (uint16_t)~vf_csum_fold(sum));
	if (p->l4 == VF_L4_UDP && get16(h + csum_off) == 0)
		put16(h + csum_off, 0xffff);
}

int vf_pkt__build(const struct vf_pkt *p, uint8_t *buf, size_t size,
		  struct vf_layout *lay)
{
	uint8_t f[VF_FRAME_MAX];
	struct vf_layout l = { 0 };
	size_t off = 12, l3len, l4hl, n;

	memcpy(f, p->dmac, 6);
	memcpy(f + 6, p->smac, 6);
	for (unsigned int i = 0; i < p->n_vlans && i < VF_MAX_VLANS; i++) {
		put16(f + off, p->vlans[i].tpid);
		put16(f + off + 2, p->vlans[i].tci);
		off += 4;
	}
	put16(f + off, p->ethertype);
	off += 2;
	l.l2_len = l.l3_off = (uint32_t)off;
	l3len = l3_hdr_len(p);
	l4hl = p->l3 == VF_L3_ARP ? 0 : l4_hdr_len(p->l4);
	n = off + l3len + l4hl + p->payload_len;
	if (n > sizeof(f))
		return -ENOSPC;
	memset(f + off, 0, n - off);
	l.l3_len = (uint32_t)l3len;
	l.l4_off = (uint32_t)(off + l3len);
	l.l4_len = (uint32_t)l4hl;
	l.pay_off = (uint32_t)(off + l3len + l4hl);
	for (size_t i = 0; i < p->payload_len; i++)
		f[l.pay_off + i] = i < VF_PAYLOAD_HEAD ? p->head[i] :
			(uint8_t)(0x41 + i % 26);
	if (p->l3 == VF_L3_ARP) {
		put16(f + off, 1);
		put16(f + off + 2, 0x0800);
		f[off + 4] = 6, f[off + 5] = 4;
		put16(f + off + 6, 1);
		memcpy(f + off + 8, p->smac, 6);
		memcpy(f + off + 14, p->saddr4, 4);
		memcpy(f + off + 24, p->daddr4, 4);
	} else if (p->l3 == VF_L3_IP4) {
		/* Addresses first: the L4 checksum reads them from the header;
		 * the IPv4 checksum last, over the final header. */
		memcpy(f + off + 12, p->saddr4, 4);
		memcpy(f + off + 16, p->daddr4, 4);
		put_l4(p, f + l.l4_off, n - l.l4_off, f + off, l3len);
		put_ip4(p, f + off, l3len, n - off);
	} else if (p->l3 == VF_L3_IP6) {
		put_ip6(p, f + off, n - off - 40);
		put_l4(p, f + l.l4_off, n - l.l4_off, f + off, l3len);
	} else {
		put_l4(p, f + l.l4_off, n - l.l4_off, f + off, l3len);
	}
	l.full_len = (uint32_t)n;
	l.len = p->trunc && p->trunc < n ? p->trunc : (uint32_t)n;
	if (l.len > size)
		return -ENOSPC;
	memcpy(buf, f, l.len);
	if (lay)
		*lay = l;
	return (int)l.len;
}

/*
 * describe: a small parser for report lines, independent of any target's.
 */
static const char *tcp_flag_str(uint16_t fl, char *b)
{
	static const char names[] = "FSRPAUEC";
	int n = 0;

	for (int i = 0; i < 8; i++)
		if (fl & (1u << i))
			b[n++] = names[i];
	if (!n)
		b[n++] = '.';
	b[n] = 0;
	return b;
}

static int describe_l4(uint8_t proto, const uint8_t *h, size_t avail,
		       char *buf, size_t size)
{
	char fl[10];

	if ((proto == 6 && avail >= 14) || (proto == 17 && avail >= 4))
		return snprintf(buf, size, " %s %u > %u%s%s%s",
				proto == 6 ? "tcp" : "udp", get16(h),
				get16(h + 2), proto == 6 ? " [" : "",
				proto == 6 ? tcp_flag_str(get16(h + 12) & 0xfff,
							  fl) : "",
				proto == 6 ? "]" : "");
	if ((proto == 1 || proto == 58) && avail >= 2)
		return snprintf(buf, size, " icmp%s type %u code %u",
				proto == 58 ? "6" : "", h[0], h[1]);
	return snprintf(buf, size, " proto %u%s", proto,
			avail < 4 ? " (l4 truncated)" : "");
}

int vf_frame__describe(const uint8_t *f, size_t len, char *buf, size_t size)
{
	size_t off = 12, o = 0;
	uint16_t et;

#define OUT(...)                                                          \
	do {                                                              \
		int _r = snprintf(buf + o, o < size ? size - o : 0,       \
				  __VA_ARGS__);                           \
		if (_r > 0)                                               \
			o += (size_t)_r;                                  \
	} while (0)

	if (size)
		buf[0] = 0;
	if (len < ETH_HLEN_) {
		OUT("runt (%zu bytes)", len);
		return (int)o;
	}
	et = get16(f + off);
	while ((et == 0x8100 || et == 0x88a8) && off + 6 <= len) {
		OUT("vlan %u%s ", get16(f + off + 2) & 0xfff,
		    et == 0x88a8 ? "(ad)" : "");
		off += 4;
		et = get16(f + off);
	}
	off += 2;
	if (et == 0x0800 && off + 20 <= len) {
		const uint8_t *h = f + off;
		size_t ihl = (size_t)(h[0] & 0xf) * 4;
		uint16_t fr = get16(h + 6);
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, h + 12, a, sizeof(a));
		inet_ntop(AF_INET, h + 16, b, sizeof(b));
		OUT("ip4 %s > %s ttl %u tos 0x%02x", a, b, h[8], h[1]);
		if ((h[0] >> 4) != 4 || ihl != 20)
			OUT(" ver %u ihl %zu", h[0] >> 4, ihl / 4);
		if (fr & 0x3fff)
			OUT(" frag off %u%s", (fr & 0x1fff) * 8,
			    fr & 0x2000 ? " MF" : "");
		if (ihl >= 20 && !(fr & 0x1fff) && off + ihl <= len) {
			int r = describe_l4(h[9], f + off + ihl,
					    len - off - ihl, buf + o,
					    o < size ? size - o : 0);
			o += r > 0 ? (size_t)r : 0;
		} else {
			OUT(" proto %u", h[9]);
		}
	} else if (et == 0x86dd && off + 40 <= len) {
		const uint8_t *h = f + off;
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
		uint8_t nh = h[6];
		size_t p = off + 40;
		bool nonfirst = false;

		inet_ntop(AF_INET6, h + 8, a, sizeof(a));
		inet_ntop(AF_INET6, h + 24, b, sizeof(b));
		OUT("ip6 %s > %s hlim %u", a, b, h[7]);
		while ((nh == 0 || nh == 43 || nh == 60 || nh == 44) &&
		       p + 8 <= len) {
			OUT(" ext %u", nh);
			if (nh == 44 && (get16(f + p + 2) >> 3))
				nonfirst = true;
			nh = f[p];
			p += nh == 44 ? 8 : 8 * ((size_t)f[p + 1] + 1);
			if (p > len)
				break;
		}
		if (!nonfirst && p <= len) {
			int r = describe_l4(nh, f + p, len - p, buf + o,
					    o < size ? size - o : 0);
			o += r > 0 ? (size_t)r : 0;
		} else {
			OUT(" proto %u", nh);
		}
	} else {
		OUT("ethertype 0x%04x%s", et,
		    et == 0x0800 || et == 0x86dd ? " (l3 truncated)" : "");
	}
	OUT(" len %zu", len);
#undef OUT
	return (int)o;
}

/*
 * Assumptions: frames a granted assumption excludes are not judged.
 *  - no-ip-options: IPv4 with ihl != 5, IPv6 with extension headers;
 *  - well-formed: every header complete and consistent: Ethernet and tags,
 *    the IP header of the ethertype's version with ihl >= 5 and a total
 *    (payload) length that fits the frame and covers the header, and in
 *    a first fragment the TCP (data offset >= 5), UDP or ICMP header.
 */
static bool ip6_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51 ||
	       nh == 135 || nh == 139 || nh == 140;
}

static bool l4_complete(uint8_t proto, const uint8_t *h, size_t avail)
{
	switch (proto) {
	case 6:
		return avail >= 20 && (h[12] >> 4) >= 5 &&
		       (size_t)(h[12] >> 4) * 4 <= avail;
	case 17:
	case 1:
	case 58:
		return avail >= 8;
	default:
		return true;
	}
}

static bool ip4_breaks(const uint8_t *h, size_t avail, unsigned int assume)
{
	size_t ihl, tot;
	uint16_t fr;

	if (avail < 20)
		return assume & IR_ASSUME_WELL_FORMED;
	ihl = (size_t)(h[0] & 0xf) * 4;
	if ((assume & IR_ASSUME_NO_IP_OPTIONS) && ihl != 20)
		return true;
	if (!(assume & IR_ASSUME_WELL_FORMED))
		return false;
	tot = get16(h + 2);
	fr = get16(h + 6);
	if ((h[0] >> 4) != 4 || ihl < 20 || tot < ihl || tot > avail)
		return true;
	return !(fr & 0x1fff) && !l4_complete(h[9], h + ihl, tot - ihl);
}

static bool ip6_breaks(const uint8_t *h, size_t avail, unsigned int assume)
{
	size_t p = 40, end;
	uint8_t nh;

	if (avail < 40)
		return assume & IR_ASSUME_WELL_FORMED;
	nh = h[6];
	if ((assume & IR_ASSUME_NO_IP_OPTIONS) && ip6_ext(nh))
		return true;
	if (!(assume & IR_ASSUME_WELL_FORMED))
		return false;
	end = 40 + (size_t)get16(h + 4);
	if ((h[0] >> 4) != 6 || end > avail)
		return true;
	while (ip6_ext(nh)) {
		if (p + 8 > end)
			return true;
		if (nh == 44 && (get16(h + p + 2) >> 3))
			return false; /* not a first fragment */
		nh = h[p];
		p += nh == 44 ? 8 : 8 * ((size_t)h[p + 1] + 1);
		if (p > end)
			return true;
	}
	return !l4_complete(nh, h + p, end - p);
}

bool vf_frame__breaks(const uint8_t *f, size_t len, unsigned int assume)
{
	size_t off = 12;
	uint16_t et;

	if (!assume)
		return false;
	if (len < ETH_HLEN_)
		return assume & IR_ASSUME_WELL_FORMED;
	et = get16(f + off);
	while (et == 0x8100 || et == 0x88a8) {
		if (off + 6 > len)
			return assume & IR_ASSUME_WELL_FORMED;
		off += 4;
		et = get16(f + off);
	}
	off += 2;
	if (et == 0x0800)
		return ip4_breaks(f + off, len - off, assume);
	if (et == 0x86dd)
		return ip6_breaks(f + off, len - off, assume);
	return false;
}
