// SPDX-License-Identifier: Apache-2.0
/*
 * rt_testrun.c - re-deciding a flow by running the slow-path program on a
 * frame built from the flow key (BPF_PROG_TEST_RUN), for revalidation.
 * Why this and not the lifter: see rt_bpf.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <string.h>

#include <bpf/bpf.h>

#include "runtime/rt_internal.h"

static const uint8_t mac_dst[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t mac_src[6] = { 2, 0, 0, 0, 0, 1 };

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons(~s & 0xffff);
}

static void put16(uint8_t *p, uint16_t host)
{
	p[0] = host >> 8;
	p[1] = host & 0xff;
}

/* The L4 header for k at p; returns its length (payload included). */
static size_t l4(const struct flowlift_flow_key *k, uint8_t *p)
{
	memset(p, 0, 32);
	switch (k->proto) {
	case IPPROTO_TCP:
		memcpy(p, &k->sport, 2);
		memcpy(p + 2, &k->dport, 2);
		p[7] = 1;       /* seq */
		p[12] = 5 << 4; /* doff */
		p[13] = 0x10;   /* ACK */
		put16(p + 14, 65535);
		return 20;
	case IPPROTO_UDP:
		memcpy(p, &k->sport, 2);
		memcpy(p + 2, &k->dport, 2);
		put16(p + 4, 16);
		return 16;
	case IPPROTO_SCTP:
		memcpy(p, &k->sport, 2);
		memcpy(p + 2, &k->dport, 2);
		return 16;
	case IPPROTO_ICMP:
		p[0] = 8; /* echo request */
		return 16;
	case IPPROTO_ICMPV6:
		p[0] = 128;
		return 16;
	default:
		return 16;
	}
}

size_t rt_frame__build(const struct flowlift_flow_key *k, uint8_t *buf,
		       size_t size)
{
	bool v6 = k->family == 6;
	size_t off = 14, l3, n;

	if (size < 14 + 4 + 40 + 32)
		return 0;
	memset(buf, 0, size);
	memcpy(buf, mac_dst, 6);
	memcpy(buf + 6, mac_src, 6);
	if (k->flags & FLOWLIFT_KEY_VLAN) {
		put16(buf + 12, ETH_P_8021Q);
		put16(buf + 14, k->vlan_id);
		off += 4;
	}
	put16(buf + off - 2, v6 ? ETH_P_IPV6 : ETH_P_IP);
	l3 = off;
	if (v6) {
		buf[l3] = 0x60;
		buf[l3 + 6] = k->proto;
		buf[l3 + 7] = 64;
		memcpy(buf + l3 + 8, k->src, 16);
		memcpy(buf + l3 + 24, k->dst, 16);
		n = l4(k, buf + l3 + 40);
		put16(buf + l3 + 4, n);
		return l3 + 40 + n;
	}
	buf[l3] = 0x45;
	buf[l3 + 6] = 0x40; /* DF */
	buf[l3 + 8] = 64;
	buf[l3 + 9] = k->proto;
	memcpy(buf + l3 + 12, k->src, 4);
	memcpy(buf + l3 + 16, k->dst, 4);
	n = l4(k, buf + l3 + 20);
	put16(buf + l3 + 2, 20 + n);
	memcpy(buf + l3 + 10, &(uint16_t){ csum(buf + l3, 20) }, 2);
	return l3 + 20 + n;
}

/* Return code -> verdict class; 0 if it says nothing clear. */
static uint8_t verdict_of(uint32_t type, uint32_t retval)
{
	if (type == BPF_PROG_TYPE_XDP) {
		switch (retval) {
		case XDP_DROP:
			return FLOWLIFT_DROP;
		case XDP_PASS:
			return FLOWLIFT_PASS;
		case XDP_TX:
			return FLOWLIFT_TX;
		case XDP_REDIRECT:
			return FLOWLIFT_REDIRECT;
		default:
			return 0; /* XDP_ABORTED */
		}
	}
	switch ((int)retval) {
	case TC_ACT_OK:
		return FLOWLIFT_PASS;
	case TC_ACT_SHOT:
		return FLOWLIFT_DROP;
	case TC_ACT_REDIRECT:
		return FLOWLIFT_REDIRECT;
	default:
		return 0;
	}
}

static int run(const struct rt_prog *p, const struct flowlift_flow_key *k,
	       uint8_t *frame, size_t len, uint32_t *retval)
{
	struct xdp_md xctx = { .data_end = len, .ingress_ifindex = k->ifindex };
	struct __sk_buff sctx = { .ifindex = k->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = len, .repeat = 1);
	bool xdp = p->type == BPF_PROG_TYPE_XDP;
	int ret;

	if (xdp != (k->hook == FLOWLIFT_HOOK_XDP))
		return -EXDEV; /* reported by another program's hook */
	o.ctx_in = xdp ? (void *)&xctx : (void *)&sctx;
	o.ctx_size_in = xdp ? sizeof(xctx) : sizeof(sctx);
	ret = bpf_prog_test_run_opts(p->fd, &o);
	if (ret && xdp && k->ifindex == 1) {
		/* test runs without a context report loopback (1), which
		 * has no XDP queue to run with: the same without ctx */
		o.ctx_in = NULL;
		o.ctx_size_in = 0;
		ret = bpf_prog_test_run_opts(p->fd, &o);
	}
	if (ret)
		return -errno;
	*retval = o.retval;
	return 0;
}

int rt_prog__decide(void *arg, const struct flowlift_flow_key *k,
		    struct rt_rule *r)
{
	const struct rt_prog *p = arg;
	uint64_t before[FLOWLIFT_STAT__COUNT], after[FLOWLIFT_STAT__COUNT];
	uint8_t frame[128];
	struct flowlift_seen s;
	size_t len = rt_frame__build(k, frame, sizeof(frame));
	uint32_t retval = 0;
	uint8_t v;
	int ret;

	if (p->seen_fd < 0 || p->stats_fd < 0)
		return -ENOENT; /* cannot tell what it decided */
	ret = rt_prog__counters(p, before) ?: run(p, k, frame, len, &retval) ?:
	      rt_prog__counters(p, after);
	if (ret)
		return ret;
	if (after[FLOWLIFT_STAT_EVENTS] + after[FLOWLIFT_STAT_SKIPPED] ==
	    before[FLOWLIFT_STAT_EVENTS] + before[FLOWLIFT_STAT_SKIPPED])
		return 1; /* the program no longer reports this flow */
	if (bpf_map_lookup_elem(p->seen_fd, k, &s))
		return -errno;
	v = verdict_of(p->type, retval);
	if (!v || v != s.verdict)
		return -EPROTO; /* returned one thing, reported another */
	r->verdict = s.verdict;
	r->flags = s.flags;
	r->redirect_ifindex = s.redirect_ifindex;
	return 0;
}
