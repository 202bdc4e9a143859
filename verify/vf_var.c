// SPDX-License-Identifier: Apache-2.0
/*
 * vf_var.c - the malformed variants of one frame (truncations at every
 * header boundary and beside it, IPv4 options and fragments, IPv6
 * extension headers, VLAN and QinQ tags, wrong ethertypes, TTL extremes,
 * TCP flag combinations, protocol bytes that lie about the L4 header), and
 * the frame list they go into.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verify/verify.h"
#include "verify/vf_internal.h"

/*
 * Malformed variants of one frame.
 */
static int add_var(struct vf_frames *fs, const struct vf_pkt *k,
		   const char *fmt, unsigned int a)
{
	char kind[40];

	snprintf(kind, sizeof(kind), fmt, a);
	return vf_frames__add_spec(fs, k, kind);
}

static int var_trunc(const struct vf_pkt *base, struct vf_frames *fs)
{
	uint32_t b[16], n = 0, seen[64] = { 0 }, ns = 0;
	struct vf_layout l;
	struct vf_pkt k = *base;
	uint8_t buf[VF_FRAME_MAX];
	int err;

	k.trunc = 0;
	if (vf_pkt__build(&k, buf, sizeof(buf), &l) < 0)
		return 0;
	b[n++] = 14;
	b[n++] = 12 + 4 * base->n_vlans + 2;
	b[n++] = l.l3_off + (base->l3 == VF_L3_IP6 ? 40 :
			     base->l3 == VF_L3_IP4 ? 20 : 0);
	b[n++] = l.l4_off;
	b[n++] = l.l4_off + 2;
	b[n++] = l.l4_off + 4;
	b[n++] = l.l4_off + (base->l4 == VF_L4_TCP ? 14 : 2);
	b[n++] = l.pay_off;
	b[n++] = l.pay_off + 1;
	b[n++] = l.pay_off + 3;
	for (uint32_t i = 0; i < n; i++) {
		for (int d = -1; d <= 1; d++) {
			uint32_t t = b[i] + (uint32_t)d;
			bool dup = false;

			if (!t || t >= l.full_len)
				continue;
			for (uint32_t j = 0; j < ns; j++)
				dup |= seen[j] == t;
			if (dup || ns == FL_ARRAY_SIZE(seen))
				continue;
			seen[ns++] = t;
			k.trunc = t;
			err = add_var(fs, &k, "trunc %u", t);
			if (err)
				return err;
		}
	}
	return 0;
}

static int var_ip(const struct vf_pkt *base, uint64_t *s,
		  struct vf_frames *fs)
{
	static const struct { uint16_t frag; const char *kind; } frags[] = {
		{ 0x2000, "frag first" },
		{ 0x2000 | 185, "frag middle" },
		{ 185, "frag last" },
		{ 0x4000, "df" },
		{ 0x2000 | 1, "frag off 8" },
	};
	static const struct { uint8_t n; uint8_t t[3]; const char *kind; }
	exts[] = {
		{ 1, { 0 }, "ip6 hbh" },
		{ 1, { 43 }, "ip6 routing" },
		{ 1, { 60 }, "ip6 dstopt" },
		{ 1, { 44 }, "ip6 frag first" },
		{ 3, { 0, 60, 43 }, "ip6 hbh+dst+rt" },
		{ 2, { 0, 44 }, "ip6 hbh+frag" },
	};
	struct vf_pkt k;
	int err = 0;

	if (base->l3 == VF_L3_IP4) {
		for (unsigned int ihl = 6; ihl <= 15 && !err; ihl++) {
			k = *base;
			k.ihl = (uint8_t)ihl;
			err = add_var(fs, &k, "ip4 ihl %u", ihl);
		}
		for (size_t i = 0; i < FL_ARRAY_SIZE(frags) && !err; i++) {
			k = *base;
			k.frag = frags[i].frag;
			err = vf_frames__add_spec(fs, &k, frags[i].kind);
		}
	} else if (base->l3 == VF_L3_IP6) {
		for (size_t i = 0; i < FL_ARRAY_SIZE(exts) && !err; i++) {
			k = *base;
			k.n_exts = exts[i].n;
			for (int j = 0; j < exts[i].n; j++) {
				memset(&k.exts[j], 0, sizeof(k.exts[j]));
				k.exts[j].type = exts[i].t[j];
				k.exts[j].len8 = (uint8_t)vf_rnd(s, 2);
			}
			err = vf_frames__add_spec(fs, &k, exts[i].kind);
		}
		for (int m = 0; m < 2 && !err; m++) {
			k = *base;
			k.n_exts = 1;
			memset(&k.exts[0], 0, sizeof(k.exts[0]));
			k.exts[0].type = 44;
			k.exts[0].frag_off = 185;
			k.exts[0].more = !m;
			err = vf_frames__add_spec(fs, &k, m ? "ip6 frag last" :
						  "ip6 frag middle");
		}
	}
	for (int t = 0; t < 3 && !err; t++) {
		static const uint8_t ttl[] = { 0, 1, 255 };

		k = *base;
		k.ttl = ttl[t];
		err = add_var(fs, &k, "ttl %u", ttl[t]);
	}
	return err;
}

static int var_l2(const struct vf_pkt *base, uint64_t *s,
		  struct vf_frames *fs)
{
	static const uint16_t wrong[] = { 0x0800, 0x86dd, 0x0806, 0x88cc,
					  0x8100 };
	struct vf_pkt k;
	int err = 0;

	k = *base;
	k.n_vlans = 1;
	k.vlans[0] = (struct vf_vlan){ 0x8100, (uint16_t)(vf_rnd(s, 4094) + 1) };
	err = vf_frames__add_spec(fs, &k, "vlan");
	k.vlans[0].tci = (uint16_t)(5 << 13); /* priority tagged, vid 0 */
	err = err ?: vf_frames__add_spec(fs, &k, "vlan prio-only");
	k.n_vlans = 2;
	k.vlans[0] = (struct vf_vlan){ 0x88a8, 300 };
	k.vlans[1] = (struct vf_vlan){ 0x8100, 10 };
	err = err ?: vf_frames__add_spec(fs, &k, "qinq 88a8");
	k.vlans[0].tpid = 0x8100;
	err = err ?: vf_frames__add_spec(fs, &k, "qinq 8100");
	for (size_t i = 0; i < FL_ARRAY_SIZE(wrong) && !err; i++) {
		if (wrong[i] == base->ethertype)
			continue;
		k = *base;
		k.ethertype = wrong[i];
		err = add_var(fs, &k, "ethertype 0x%04x", wrong[i]);
	}
	return err;
}

static int var_l4(const struct vf_pkt *base, struct vf_frames *fs)
{
	static const uint8_t icmp4[] = { 0, 3, 5, 8, 11, 13 };
	static const uint8_t icmp6[] = { 1, 2, 128, 129, 133, 135, 136 };
	static const uint8_t protos[] = { 0, 6, 17, 132, 255 };
	struct vf_pkt k;
	int err = 0;

	if (base->l4 == VF_L4_TCP)
		for (size_t i = 0; i < vf_n_tcp_combos && !err; i++) {
			k = *base;
			k.tcp_flags = vf_tcp_combos[i];
			err = add_var(fs, &k, "tcp flags 0x%03x", k.tcp_flags);
		}
	if (base->l4 == VF_L4_ICMP || base->l4 == VF_L4_ICMP6) {
		const uint8_t *t = base->l4 == VF_L4_ICMP ? icmp4 : icmp6;
		size_t n = base->l4 == VF_L4_ICMP ? sizeof(icmp4) :
			   sizeof(icmp6);

		for (size_t i = 0; i < n && !err; i++) {
			k = *base;
			k.icmp_type = t[i];
			err = add_var(fs, &k, "icmp type %u", t[i]);
		}
	}
	/* The L4 header stays, the protocol byte lies about it. */
	for (size_t i = 0; i < FL_ARRAY_SIZE(protos) && !err; i++) {
		if (protos[i] == base->proto || base->l3 == VF_L3_NONE)
			continue;
		k = *base;
		k.proto = protos[i];
		err = add_var(fs, &k, "proto %u over l4", protos[i]);
	}
	return err;
}

int vf_gen__variants(const struct vf_pkt *base, uint64_t seed,
		     struct vf_frames *fs)
{
	uint64_t s = seed;

	return var_trunc(base, fs) ?: var_ip(base, &s, fs) ?:
	       var_l2(base, &s, fs) ?: var_l4(base, fs);
}

/*
 * Frame lists.
 */
static int frames_grow(struct vf_frames *fs)
{
	if (fs->n == fs->cap) {
		size_t c = fs->cap ? 2 * fs->cap : 256;
		struct vf_frame *nv = realloc(fs->v, c * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		fs->v = nv;
		fs->cap = c;
	}
	return 0;
}

int vf_frames__add_raw(struct vf_frames *fs, const uint8_t *data,
		       size_t len, uint32_t mark, const char *kind)
{
	struct vf_frame *f;
	int err = frames_grow(fs);

	if (err)
		return err;
	f = &fs->v[fs->n];
	memset(f, 0, sizeof(*f));
	f->data = malloc(len ? len : 1);
	if (!f->data)
		return -ENOMEM;
	memcpy(f->data, data, len);
	f->len = (uint32_t)len;
	f->mark = mark;
	snprintf(f->kind, sizeof(f->kind), "%s", kind);
	fs->n++;
	return 0;
}

int vf_frames__add_spec(struct vf_frames *fs, const struct vf_pkt *p,
			const char *kind)
{
	uint8_t buf[VF_FRAME_MAX];
	int len = vf_pkt__build(p, buf, sizeof(buf), NULL);
	int err;

	if (len < 0)
		return len;
	err = vf_frames__add_raw(fs, buf, (size_t)len, p->mark, kind);
	if (err)
		return err;
	fs->v[fs->n - 1].has_spec = true;
	fs->v[fs->n - 1].spec = *p;
	return 0;
}

void vf_frames__fini(struct vf_frames *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->v[i].data);
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}
