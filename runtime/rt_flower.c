// SPDX-License-Identifier: Apache-2.0
/*
 * rt_flower.c - the agent's flower backend: each flow is one exact-match
 * tc flower filter on the agent's device, in the agent's chain and
 * priority band (prio_base + 0 IPv4, + 1 IPv6, + 2 VLAN-tagged: one tc
 * protocol per priority), installed and removed in netlink batches with a
 * result (errno + extended ack) per request (backends.h).
 *
 * Ownership is the action cookie: "flft", the instance id (both sides of a
 * restart agree on it), and the hook the flow was reported on (XDP and tc
 * ingress flows both land on tc ingress). A dump lists the filters in the
 * band whose cookie names this instance; others are left alone.
 *
 * Every rule also matches "not a fragment": the slow path never reports
 * fragments, and a first fragment carries ports flower would match.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "common/common.h"
#include "runtime/rt_internal.h"

#define RT_COOKIE_LEN 12
#define RT_BAND_V4 0
#define RT_BAND_V6 1
#define RT_BAND_VLAN 2

struct rt_flower {
	struct rt_backend base;
	struct rt_flower_opts o;
	struct be_nl *nl;
	uint32_t ifindex;
};

static void cookie_of(const struct rt_flower *fl, uint8_t hook, uint8_t *c)
{
	uint32_t inst = htonl(fl->o.instance);

	memset(c, 0, RT_COOKIE_LEN);
	memcpy(c, "flft", 4);
	memcpy(c + 4, &inst, 4);
	c[8] = hook;
}

/* The hook, or -1 if the cookie is not this instance's. */
static int cookie_hook(const struct rt_flower *fl,
		       const struct be_flower_filter *f)
{
	uint8_t want[RT_COOKIE_LEN];

	if (f->cookie_len != RT_COOKIE_LEN)
		return -1;
	cookie_of(fl, f->cookie[8], want);
	if (memcmp(want, f->cookie, RT_COOKIE_LEN) ||
	    f->cookie[8] >= FLOWLIFT_HOOK__COUNT)
		return -1;
	return f->cookie[8];
}

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP;
}

static int and(struct ir_rule *r, const struct ir_match *m)
{
	int ret = ir_rule__and(r, m);

	return ret > 0 ? -EINVAL : ret;
}

static int build_rule(const struct rt_rule *x, struct ir_rule *r,
		      uint16_t *proto)
{
	const struct flowlift_flow_key *k = &x->key;
	bool v6 = k->family == 6;
	uint16_t l3 = v6 ? ETH_P_IPV6 : ETH_P_IP;
	enum ir_field_id src = v6 ? IR_F_IP6_SRC : IR_F_IP4_SRC;
	enum ir_field_id dst = v6 ? IR_F_IP6_DST : IR_F_IP4_DST;
	unsigned int plen = v6 ? 128 : 32;
	struct ir_match m;
	int ret = 0;

	ir_rule__init(r);
	*proto = k->flags & FLOWLIFT_KEY_VLAN ? ETH_P_8021Q : l3;
	ir_match__exact(&m, IR_F_ETH_TYPE, *proto);
	ret = ret ?: and(r, &m);
	if (k->flags & FLOWLIFT_KEY_VLAN) {
		ir_match__exact(&m, IR_F_VLAN_ID, k->vlan_id);
		ret = ret ?: and(r, &m);
		ir_match__exact(&m, IR_F_VLAN_TYPE, l3);
		ret = ret ?: and(r, &m);
	}
	ir_match__exact(&m, IR_F_IP_PROTO, k->proto);
	ret = ret ?: and(r, &m);
	ir_match__exact(&m, IR_F_IP_FRAG, 0);
	ret = ret ?: and(r, &m);
	ir_match__prefix(&m, src, k->src, plen);
	ret = ret ?: and(r, &m);
	ir_match__prefix(&m, dst, k->dst, plen);
	ret = ret ?: and(r, &m);
	if (has_ports(k->proto)) {
		ir_match__exact(&m, IR_F_L4_SPORT, ntohs(k->sport));
		ret = ret ?: and(r, &m);
		ir_match__exact(&m, IR_F_L4_DPORT, ntohs(k->dport));
		ret = ret ?: and(r, &m);
	}
	r->action.verdict = x->verdict; /* same numbering as ir_verdict */
	r->action.ifindex = x->redirect_ifindex;
	r->action.ingress = x->flags & FLOWLIFT_REDIRECT_INGRESS;
	return ret;
}

static int filter_of(const struct rt_flower *fl, const struct rt_rule *x,
		     struct be_flower_filter *f)
{
	bool egress = x->key.hook == FLOWLIFT_HOOK_TC_EGRESS;
	int ret;

	if (x->key.ifindex != fl->ifindex || egress != fl->o.egress)
		return -EXDEV;
	memset(f, 0, sizeof(*f));
	ret = build_rule(x, &f->rule, &f->protocol);
	if (ret)
		return ret;
	f->ifindex = fl->ifindex;
	f->egress = fl->o.egress;
	f->chain = fl->o.chain;
	f->prio = fl->o.prio_base + (x->key.flags & FLOWLIFT_KEY_VLAN ?
					     RT_BAND_VLAN :
				     x->key.family == 6 ? RT_BAND_V6 :
							  RT_BAND_V4);
	f->rule.prio = f->prio;
	f->handle = x->handle;
	f->offload = fl->o.offload_sw ? BE_OFFLOAD_SW : BE_OFFLOAD_HW;
	cookie_of(fl, x->key.hook, f->cookie);
	f->cookie_len = RT_COOKIE_LEN;
	return 0;
}

static void result_cb(uint64_t tag, int err, const char *msg, void *arg)
{
	struct rt_req *q = (struct rt_req *)arg + tag;

	q->err = err;
	snprintf(q->msg, sizeof(q->msg), "%s", msg ? msg : "");
}

static int batch(struct rt_backend *be, struct rt_req *reqs, size_t n,
		 bool add)
{
	struct rt_flower *fl = (struct rt_flower *)be;
	struct be_flower_filter f;
	size_t queued = 0;
	int ret;

	for (size_t i = 0; i < n; i++) {
		reqs[i].msg[0] = 0;
		reqs[i].err = filter_of(fl, &reqs[i].rule, &f);
		if (reqs[i].err) {
			snprintf(reqs[i].msg, sizeof(reqs[i].msg),
				 "flow not on %s %s", fl->o.dev,
				 fl->o.egress ? "egress" : "ingress");
			continue;
		}
		reqs[i].err = add ? be_flower_nl__add(fl->nl, &f, i) :
				    be_flower_nl__del(fl->nl, &f, i);
		if (reqs[i].err)
			continue;
		/* no reply yet: treat as a transient failure */
		reqs[i].err = -EIO;
		snprintf(reqs[i].msg, sizeof(reqs[i].msg), "no netlink reply");
		queued++;
	}
	if (!queued)
		return 0;
	ret = be_nl__flush(fl->nl, result_cb, reqs);
	/* per-request errors are in reqs; a transport error left the
	 * unanswered ones at -EIO */
	return ret == -ENOBUFS || ret == -EIO ? ret : 0;
}

static int flower_add(struct rt_backend *be, struct rt_req *reqs, size_t n)
{
	return batch(be, reqs, n, true);
}

static int flower_del(struct rt_backend *be, struct rt_req *reqs, size_t n)
{
	return batch(be, reqs, n, false);
}

static bool exact(const struct ir_rule *r, enum ir_field_id id,
		  unsigned int plen_bits, uint8_t *out)
{
	const struct ir_match *m = ir_rule__find(r, id);
	size_t n = ir_field__bytes(id);

	if (!m || m->kind != IR_MATCH_MASK)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t full = i == 0 && plen_bits % 8 ?
				       (uint8_t)((1u << plen_bits % 8) - 1) :
				       0xff;

		if (m->mask.b[i] != full)
			return false;
	}
	if (out)
		memcpy(out, m->key.b, n);
	return true;
}

static bool exact_u64(const struct ir_rule *r, enum ir_field_id id,
		      uint64_t *v)
{
	const struct ir_field *fd = ir_field__get(id);
	const struct ir_match *m = ir_rule__find(r, id);

	if (!m || !exact(r, id, fd->width, NULL))
		return false;
	*v = ir_val__u64(&m->key, id);
	return true;
}

/* Read a dumped filter back into the flow it stands for. */
static bool parse_filter(const struct rt_flower *fl,
			 const struct be_flower_filter *f, int hook,
			 struct rt_rule *x)
{
	const struct ir_rule *r = &f->rule;
	struct flowlift_flow_key *k = &x->key;
	uint64_t l3 = 0, proto = 0, v;

	memset(x, 0, sizeof(*x));
	x->handle = f->handle;
	k->ifindex = fl->ifindex;
	k->hook = hook;
	if (!exact_u64(r, IR_F_ETH_TYPE, &l3))
		return false;
	if (l3 == ETH_P_8021Q) {
		if (!exact_u64(r, IR_F_VLAN_ID, &v) ||
		    !exact_u64(r, IR_F_VLAN_TYPE, &l3))
			return false;
		k->flags = FLOWLIFT_KEY_VLAN;
		k->vlan_id = v;
	}
	if (!exact_u64(r, IR_F_IP_PROTO, &proto))
		return false;
	k->proto = proto;
	if (l3 == ETH_P_IP) {
		k->family = 4;
		if (!exact(r, IR_F_IP4_SRC, 32, k->src) ||
		    !exact(r, IR_F_IP4_DST, 32, k->dst))
			return false;
	} else if (l3 == ETH_P_IPV6) {
		k->family = 6;
		if (!exact(r, IR_F_IP6_SRC, 128, k->src) ||
		    !exact(r, IR_F_IP6_DST, 128, k->dst))
			return false;
	} else {
		return false;
	}
	if (has_ports(k->proto)) {
		if (!exact_u64(r, IR_F_L4_SPORT, &v))
			return false;
		k->sport = htons(v);
		if (!exact_u64(r, IR_F_L4_DPORT, &v))
			return false;
		k->dport = htons(v);
	}
	x->verdict = r->action.verdict;
	x->redirect_ifindex = x->verdict == IR_ACT_REDIRECT ?
				      r->action.ifindex : 0;
	x->flags = x->verdict == IR_ACT_REDIRECT && r->action.ingress ?
			   FLOWLIFT_REDIRECT_INGRESS : 0;
	return x->verdict > 0 && x->verdict < FLOWLIFT_VERDICT__COUNT;
}

struct dump_ctx {
	struct rt_flower *fl;
	rt_dump_fn cb;
	void *arg;
};

static int dump_cb(const struct be_flower_filter *f, void *arg)
{
	struct dump_ctx *d = arg;
	struct rt_flower *fl = d->fl;
	struct rt_dumped x = { 0 };
	int hook;

	if (f->prio < fl->o.prio_base || f->prio > fl->o.prio_base + 2)
		return 0;
	hook = cookie_hook(fl, f);
	if (hook < 0)
		return 0; /* not ours */
	x.parsed = parse_filter(fl, f, hook, &x.rule);
	x.rule.handle = f->handle;
	/* an unparsed rule is deleted by handle: keep where it is */
	x.rule.key.ifindex = fl->ifindex;
	x.rule.key.hook = hook;
	if (!x.parsed) { /* what filter_of derives prio and protocol from */
		x.rule.key.family = f->protocol == ETH_P_IPV6 ? 6 : 4;
		x.rule.key.flags = f->protocol == ETH_P_8021Q ?
					   FLOWLIFT_KEY_VLAN : 0;
	}
	x.packets = f->packets;
	x.bytes = f->bytes;
	x.lastused_ms = f->lastused_ms;
	return d->cb(&x, d->arg);
}

static int flower_dump(struct rt_backend *be, rt_dump_fn cb, void *arg)
{
	struct rt_flower *fl = (struct rt_flower *)be;
	struct dump_ctx d = { .fl = fl, .cb = cb, .arg = arg };

	return be_flower_nl__dump(fl->nl, fl->ifindex, fl->o.egress,
				  fl->o.chain, dump_cb, &d);
}

static void flower_free(struct rt_backend *be)
{
	struct rt_flower *fl = (struct rt_flower *)be;

	be_nl__close(fl->nl);
	free(fl);
}

static const struct rt_backend_ops flower_ops = {
	.name = "flower",
	.add = flower_add,
	.del = flower_del,
	.dump = flower_dump,
	.free = flower_free,
};

struct rt_backend *rt_backend_flower__new(const struct rt_flower_opts *o,
					  char *err, size_t errsz)
{
	struct rt_flower *fl;

	if (!o || !o->dev) {
		fl_err(err, errsz, -EINVAL, "flower backend needs a device");
		errno = EINVAL;
		return NULL;
	}
	fl = calloc(1, sizeof(*fl));
	if (!fl)
		return NULL;
	fl->base.ops = &flower_ops;
	fl->o = *o;
	if (!fl->o.prio_base)
		fl->o.prio_base = 0xc000;
	fl->ifindex = if_nametoindex(o->dev);
	if (!fl->ifindex) {
		fl_err(err, errsz, -ENODEV, "device '%s' not found", o->dev);
		free(fl);
		errno = ENODEV;
		return NULL;
	}
	fl->nl = be_nl__open(err, errsz);
	if (!fl->nl) {
		int e = errno;

		free(fl);
		errno = e;
		return NULL;
	}
	return &fl->base;
}
