// SPDX-License-Identifier: Apache-2.0
/*
 * rt_nft.c - the agent's nftables backend (libnftables): each flow is one
 * rule in the agent's own netdev table "flowlift_agent_<instance hex>",
 * base chain "egress" (--egress) or "ingress" on the device.
 *
 * Where that chain sits matters (measured on 6.18, see test_agent_nft.sh):
 * nft netdev egress runs before tc egress, so an egress rule takes its
 * flow off a tc egress slow path; nft netdev ingress runs after tc ingress
 * (and XDP), so an ingress rule only repeats the slow path's verdict on
 * what it passes: the program still sees every packet, and a flow it
 * drops never moves the rule's counter and is reaped as idle.
 *
 * A rule matches the exact 5-tuple and "not a fragment" (IPv4: frag-off
 * and MF clear; IPv6: the next header is the L4 protocol itself, so no
 * extension header at all), counts, and applies the verdict: accept, drop,
 * or "fwd to" the redirect target (XDP_TX: back out of the device).
 * Redirects to a device's ingress and VLAN-tagged flows have no nft
 * equivalent here and are refused with EOPNOTSUPP (they stay slow path).
 *
 * Ownership is the table; identity is the comment, which carries the
 * agent's handle of the flow and the whole flow (key and decision), so a
 * restarted agent adopts the rules by reading the comments back. nft
 * assigns its own rule handles: the backend maps the agent's handle to
 * nft's, learnt from the echo of each add (--echo --handle) and from every
 * dump. A rule of the table whose comment does not parse is reported
 * unparsed under handle RT_NFT_FOREIGN | nft handle, and deleted by it.
 *
 * nft has no lastused: the backend derives it from the counter, as the
 * time since the dump that last saw the packet count change (a rule first
 * seen in a dump counts as used then). The core's idle check and its
 * hw_lag confirmation work on that unchanged.
 *
 * A batch is one nft_run_cmd_from_buffer, which nft applies as one
 * transaction: all or nothing. When it fails, every request is retried
 * alone to give each its own result; errors come back as nft's text, whose
 * strerror() part is mapped back to the errno.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nftables/libnftables.h>

#include "common/common.h"
#include "runtime/rt_internal.h"

#define RT_NFT_FOREIGN 0x80000000u
#define RT_NFT_TAG "flft"

struct rt_nft_ent {
	struct rt_nft_ent *next;
	uint32_t id;         /* the agent's handle */
	uint32_t epoch;      /* last dump that listed it */
	uint64_t nft_handle;
	uint64_t packets;    /* last seen count */
	uint64_t changed_us; /* when the count last changed */
};

struct rt_nft {
	struct rt_backend base;
	struct rt_nft_opts o;
	struct nft_ctx *nft;
	uint32_t ifindex;
	char table[40];
	char dev[IF_NAMESIZE];
	const char *hook; /* "ingress" or "egress": the chain and its hook */
	struct rt_nft_ent **buckets;
	size_t n_buckets, count;
	uint32_t epoch;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * The agent handle -> nft handle map.
 */
static struct rt_nft_ent **ent_slot(struct rt_nft *n, uint32_t id)
{
	struct rt_nft_ent **p = &n->buckets[(id * 2654435761u) &
					    (n->n_buckets - 1)];

	while (*p && (*p)->id != id)
		p = &(*p)->next;
	return p;
}

static int ent_grow(struct rt_nft *n)
{
	size_t nb = n->n_buckets * 2;
	struct rt_nft_ent **b = calloc(nb, sizeof(*b)), **old = n->buckets;
	size_t on = n->n_buckets;

	if (!b)
		return -ENOMEM;
	n->buckets = b;
	n->n_buckets = nb;
	for (size_t i = 0; i < on; i++) {
		struct rt_nft_ent *e = old[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = NULL;
			*ent_slot(n, e->id) = e;
		}
	}
	free(old);
	return 0;
}

static struct rt_nft_ent *ent_get(struct rt_nft *n, uint32_t id,
				  bool create)
{
	struct rt_nft_ent **p = ent_slot(n, id), *e;

	if (*p || !create)
		return *p;
	if (n->count >= n->n_buckets * 2 && ent_grow(n) == 0)
		p = ent_slot(n, id);
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->id = id;
	e->changed_us = now_us();
	e->epoch = n->epoch;
	*p = e;
	n->count++;
	return e;
}

static void ent_del(struct rt_nft *n, uint32_t id)
{
	struct rt_nft_ent **p = ent_slot(n, id), *e = *p;

	if (!e)
		return;
	*p = e->next;
	free(e);
	n->count--;
}

/* Forget entries the last dump did not list. */
static void ent_sweep(struct rt_nft *n)
{
	for (size_t i = 0; i < n->n_buckets; i++) {
		struct rt_nft_ent **p = &n->buckets[i];

		while (*p) {
			struct rt_nft_ent *e = *p;

			if (e->epoch == n->epoch) {
				p = &e->next;
				continue;
			}
			*p = e->next;
			free(e);
			n->count--;
		}
	}
}

/*
 * Running nft.
 */

/* The errno named in nft's error text, or fallback. */
static int text_errno(const char *text, int fallback)
{
	const char *p = strstr(text, "Could not process rule: ");

	if (!p)
		return fallback;
	p += strlen("Could not process rule: ");
	for (int e = 1; e < 134; e++) {
		const char *s = strerror(e);

		if (!strncmp(p, s, strlen(s)))
			return -e;
	}
	return fallback;
}

/* Run cmds (one transaction); 0 or negative errno with nft's first error
 * line in msg. *out (if given) is nft's output, valid until the next run. */
static int run(struct rt_nft *n, const char *cmds, unsigned int flags,
	       const char **out, char *msg, size_t msgsz)
{
	const char *errs;
	int ret;

	nft_ctx_output_set_flags(n->nft, flags);
	ret = nft_run_cmd_from_buffer(n->nft, cmds);
	errs = nft_ctx_get_error_buffer(n->nft);
	if (out)
		*out = nft_ctx_get_output_buffer(n->nft);
	else
		nft_ctx_get_output_buffer(n->nft); /* reset it */
	if (!ret)
		return 0;
	if (msg && msgsz) {
		size_t len = strcspn(errs ? errs : "", "\n");

		snprintf(msg, msgsz, "%.*s", (int)len, errs ? errs : "");
	}
	return text_errno(errs ? errs : "", -EINVAL);
}

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP;
}

static const char *l4_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" :
	       "sctp";
}

static void hex_of(const uint8_t *b, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * len] = 0;
}

/* Write one "add rule" (add) or "delete rule" command for req; 0 or
 * negative errno with msg. */
static int write_cmd(struct rt_nft *n, FILE *f, struct rt_req *q, bool add)
{
	const struct rt_rule *x = &q->rule;
	const struct flowlift_flow_key *k = &x->key;
	bool v6 = k->family == 6;
	size_t alen = v6 ? 16 : 4;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char hsrc[33], hdst[33], target[IF_NAMESIZE] = "";
	struct rt_nft_ent *e;

	if (!add) {
		e = ent_get(n, x->handle, false);
		if (!e) {
			snprintf(q->msg, sizeof(q->msg), "nft handle of %u "
				 "not learnt yet", x->handle);
			return -EAGAIN;
		}
		fprintf(f, "delete rule netdev %s %s handle %llu\n",
			n->table, n->hook, (unsigned long long)e->nft_handle);
		return 0;
	}
	if (k->ifindex != n->ifindex ||
	    (k->hook == FLOWLIFT_HOOK_TC_EGRESS) != n->o.egress) {
		snprintf(q->msg, sizeof(q->msg), "flow not on %s %s", n->dev,
			 n->hook);
		return -EXDEV;
	}
	if ((k->family != 4 && k->family != 6) ||
	    k->flags & FLOWLIFT_KEY_VLAN ||
	    (x->verdict == FLOWLIFT_REDIRECT &&
	     x->flags & FLOWLIFT_REDIRECT_INGRESS) ||
	    x->handle & RT_NFT_FOREIGN) {
		snprintf(q->msg, sizeof(q->msg), "no nft rule for this flow "
			 "(VLAN or redirect to ingress)");
		return -EOPNOTSUPP;
	}
	if (x->verdict == FLOWLIFT_REDIRECT &&
	    !if_indextoname(x->redirect_ifindex, target)) {
		snprintf(q->msg, sizeof(q->msg), "redirect target %u: %s",
			 x->redirect_ifindex, strerror(errno));
		return -ENODEV;
	}
	if (x->verdict == FLOWLIFT_TX)
		snprintf(target, sizeof(target), "%s", n->dev);
	if (x->verdict < FLOWLIFT_DROP || x->verdict > FLOWLIFT_TX)
		return -EINVAL;
	inet_ntop(v6 ? AF_INET6 : AF_INET, k->src, src, sizeof(src));
	inet_ntop(v6 ? AF_INET6 : AF_INET, k->dst, dst, sizeof(dst));
	fprintf(f, "add rule netdev %s %s %s saddr %s %s daddr %s ",
		n->table, n->hook, v6 ? "ip6" : "ip", src,
		v6 ? "ip6" : "ip", dst);
	if (v6)
		fprintf(f, "ip6 nexthdr %u ", k->proto);
	else
		fprintf(f, "ip protocol %u ip frag-off & 0x3fff == 0 ",
			k->proto);
	if (has_ports(k->proto))
		fprintf(f, "%s sport %u %s dport %u ", l4_name(k->proto),
			ntohs(k->sport), l4_name(k->proto), ntohs(k->dport));
	fprintf(f, "counter %s", x->verdict == FLOWLIFT_DROP ? "drop" :
				  x->verdict == FLOWLIFT_PASS ? "accept" :
				  "fwd to ");
	if (*target)
		fprintf(f, "\"%s\"", target);
	hex_of(k->src, alen, hsrc);
	hex_of(k->dst, alen, hdst);
	/* at most 5+11+2+4+6+6+2+2+11+33+33 = 115 < 128 bytes */
	fprintf(f, " comment \"%s %u %u %u %u %u %u %u %u %s %s\"\n",
		RT_NFT_TAG, x->handle, k->hook, k->proto, ntohs(k->sport),
		ntohs(k->dport), x->verdict, x->flags, x->redirect_ifindex,
		hsrc, hdst);
	return 0;
}

static int unhex(const char *s, uint8_t *out, size_t max)
{
	size_t len = strlen(s);

	if (len % 2 || len / 2 > max)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = v;
	}
	return (int)(len / 2);
}

/* Read the comment of a rule line back into the flow; false if it is not
 * one of ours. */
static bool parse_comment(const struct rt_nft *n, const char *line,
			  struct rt_rule *x)
{
	const char *c = strstr(line, "comment \"" RT_NFT_TAG " ");
	unsigned int id, hook, proto, sp, dp, verdict, flags, rif;
	char hs[40], hd[40];
	int ls, ld;

	memset(x, 0, sizeof(*x));
	if (!c || sscanf(c + strlen("comment \"" RT_NFT_TAG " "),
			 "%u %u %u %u %u %u %u %u %39[0-9a-f] %39[0-9a-f]\"",
			 &id, &hook, &proto, &sp, &dp, &verdict, &flags, &rif,
			 hs, hd) != 10)
		return false;
	ls = unhex(hs, x->key.src, 16);
	ld = unhex(hd, x->key.dst, 16);
	if (ls != ld || (ls != 4 && ls != 16) || !id ||
	    id & RT_NFT_FOREIGN || hook >= FLOWLIFT_HOOK__COUNT ||
	    proto > 255 || sp > 65535 || dp > 65535 ||
	    verdict < FLOWLIFT_DROP || verdict >= FLOWLIFT_VERDICT__COUNT ||
	    flags > 255)
		return false;
	x->handle = id;
	x->key.ifindex = n->ifindex;
	x->key.hook = hook;
	x->key.family = ls == 4 ? 4 : 6;
	x->key.proto = proto;
	x->key.sport = htons(sp);
	x->key.dport = htons(dp);
	x->verdict = verdict;
	x->flags = flags;
	x->redirect_ifindex = rif;
	return true;
}

/* "... # handle N" at the end of a line: N, or 0. */
static uint64_t line_handle(const char *line, size_t len)
{
	const char *h = NULL;

	for (const char *p = line; p < line + len; p++)
		if (!strncmp(p, "# handle ", 9))
			h = p + 9;
	return h ? strtoull(h, NULL, 10) : 0;
}

static const char *chain_cmds(const struct rt_nft *n, char *buf, size_t sz)
{
	snprintf(buf, sz, "add table netdev %s\n"
		 "add chain netdev %s %s { type filter hook %s "
		 "device \"%s\" priority 0; policy accept; }\n",
		 n->table, n->table, n->hook, n->hook, n->dev);
	return buf;
}

/* Learn nft handles from the echo of adds. */
static void learn_echo(struct rt_nft *n, const char *out)
{
	for (const char *l = out; l && *l;) {
		size_t len = strcspn(l, "\n");
		char line[512];
		struct rt_rule x;
		struct rt_nft_ent *e;

		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		l += len + (l[len] == '\n');
		if (strncmp(line, "add rule ", 9) ||
		    !parse_comment(n, line, &x))
			continue;
		e = ent_get(n, x.handle, true);
		if (!e)
			continue;
		e->nft_handle = line_handle(line, strlen(line));
		e->packets = 0;
		e->changed_us = now_us();
		e->epoch = n->epoch;
	}
}

/* One transaction for reqs[idx[0..m)); results into those requests. */
static int run_batch(struct rt_nft *n, struct rt_req *reqs, const size_t *idx,
		     size_t m, bool add)
{
	char *buf = NULL, head[256], msg[128] = "";
	size_t size = 0;
	const char *out = NULL;
	FILE *f = open_memstream(&buf, &size);
	int ret;

	if (!f)
		return -ENOMEM;
	if (add)
		fputs(chain_cmds(n, head, sizeof(head)), f);
	for (size_t i = 0; i < m; i++)
		write_cmd(n, f, &reqs[idx[i]], add);
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	ret = run(n, buf, NFT_CTX_OUTPUT_HANDLE |
		  (add ? NFT_CTX_OUTPUT_ECHO : 0), &out, msg, sizeof(msg));
	free(buf);
	if (!ret && add)
		learn_echo(n, out);
	for (size_t i = 0; i < m; i++) {
		struct rt_req *q = &reqs[idx[i]];

		q->err = ret;
		snprintf(q->msg, sizeof(q->msg), "%s", ret ? msg : "");
		if (!ret && !add)
			ent_del(n, q->rule.handle);
	}
	return ret;
}

static int batch(struct rt_backend *be, struct rt_req *reqs, size_t cnt,
		 bool add)
{
	struct rt_nft *n = (struct rt_nft *)be;
	size_t *idx = malloc((cnt + 1) * sizeof(*idx)), m = 0;
	FILE *null = fopen("/dev/null", "w");
	int ret = 0;

	if (!idx || !null) {
		ret = -ENOMEM;
		for (size_t i = 0; i < cnt; i++)
			reqs[i].err = ret;
		goto out;
	}
	/* requests that cannot become a command fail alone */
	for (size_t i = 0; i < cnt; i++) {
		reqs[i].msg[0] = 0;
		reqs[i].err = write_cmd(n, null, &reqs[i], add);
		if (!reqs[i].err)
			idx[m++] = i;
	}
	if (m && run_batch(n, reqs, idx, m, add) && m > 1)
		for (size_t i = 0; i < m; i++) /* each its own result */
			run_batch(n, reqs, &idx[i], 1, add);
out:
	if (null)
		fclose(null);
	free(idx);
	return ret;
}

static int nft_add(struct rt_backend *be, struct rt_req *reqs, size_t n)
{
	return batch(be, reqs, n, true);
}

static int nft_del(struct rt_backend *be, struct rt_req *reqs, size_t n)
{
	return batch(be, reqs, n, false);
}

static int dump_line(struct rt_nft *n, const char *line, uint64_t now,
		     rt_dump_fn cb, void *arg)
{
	struct rt_dumped d = { 0 };
	unsigned long long pk = 0, by = 0;
	const char *c = strstr(line, "counter packets ");
	uint64_t h = line_handle(line, strlen(line));
	struct rt_nft_ent *e;

	line += strspn(line, " \t");
	if (!h || !strncmp(line, "table ", 6) || !strncmp(line, "chain ", 6))
		return 0; /* not a rule */
	if (c)
		sscanf(c, "counter packets %llu bytes %llu", &pk, &by);
	d.parsed = parse_comment(n, line, &d.rule);
	if (!d.parsed) {
		d.rule.handle = RT_NFT_FOREIGN |
				(uint32_t)(h & ~RT_NFT_FOREIGN);
		d.rule.key.ifindex = n->ifindex;
	}
	e = ent_get(n, d.rule.handle, true);
	if (!e)
		return -ENOMEM;
	e->epoch = n->epoch;
	e->nft_handle = h;
	if (e->packets != pk) {
		e->packets = pk;
		e->changed_us = now;
	}
	d.packets = pk;
	d.bytes = by;
	d.lastused_ms = (now - e->changed_us) / 1000;
	return cb(&d, arg);
}

static int nft_dump(struct rt_backend *be, rt_dump_fn cb, void *arg)
{
	struct rt_nft *n = (struct rt_nft *)be;
	char cmd[128], msg[128] = "", *text;
	const char *out = NULL;
	uint64_t now = now_us();
	int ret;

	snprintf(cmd, sizeof(cmd), "list chain netdev %s %s", n->table,
		 n->hook);
	n->epoch++;
	ret = run(n, cmd, NFT_CTX_OUTPUT_HANDLE, &out, msg, sizeof(msg));
	if (ret) {
		/* the table or chain is gone: no rules of ours */
		if (strstr(msg, "No such file or directory")) {
			ent_sweep(n);
			return 0;
		}
		return ret;
	}
	text = strdup(out ? out : "");
	if (!text)
		return -ENOMEM;
	for (char *l = text, *nl; *l && !ret; l = nl) {
		nl = l + strcspn(l, "\n");
		if (*nl)
			*nl++ = 0;
		ret = dump_line(n, l, now, cb, arg);
	}
	free(text);
	if (!ret)
		ent_sweep(n);
	return ret;
}

static void nft_free(struct rt_backend *be)
{
	struct rt_nft *n = (struct rt_nft *)be;
	char cmd[96];

	if (!n)
		return;
	if (n->nft && !n->o.keep_rules) {
		snprintf(cmd, sizeof(cmd), "delete table netdev %s", n->table);
		run(n, cmd, 0, NULL, NULL, 0);
	}
	for (size_t i = 0; i < n->n_buckets; i++)
		while (n->buckets[i]) {
			struct rt_nft_ent *e = n->buckets[i];

			n->buckets[i] = e->next;
			free(e);
		}
	free(n->buckets);
	if (n->nft)
		nft_ctx_free(n->nft);
	free(n);
}

static const struct rt_backend_ops nft_ops = {
	.name = "nft",
	.add = nft_add,
	.del = nft_del,
	.dump = nft_dump,
	.free = nft_free,
};

struct rt_backend *rt_backend_nft__new(const struct rt_nft_opts *o,
				       char *err, size_t errsz)
{
	struct rt_nft *n;
	char cmds[256], msg[128] = "";
	int ret;

	if (!o || !o->dev || strlen(o->dev) >= IF_NAMESIZE) {
		fl_err(err, errsz, -EINVAL, "nft backend needs a device");
		errno = EINVAL;
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->base.ops = &nft_ops;
	n->o = *o;
	snprintf(n->dev, sizeof(n->dev), "%s", o->dev);
	n->o.dev = n->dev;
	n->hook = o->egress ? "egress" : "ingress";
	snprintf(n->table, sizeof(n->table), "flowlift_agent_%08x",
		 o->instance);
	n->n_buckets = 1024;
	n->buckets = calloc(n->n_buckets, sizeof(*n->buckets));
	n->ifindex = if_nametoindex(o->dev);
	if (!n->buckets) {
		ret = -ENOMEM;
		fl_err(err, errsz, ret, "nft backend: out of memory");
		goto fail;
	}
	if (!n->ifindex) {
		ret = fl_err(err, errsz, -ENODEV, "device '%s' not found",
			     o->dev);
		goto fail;
	}
	n->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!n->nft || nft_ctx_buffer_output(n->nft) ||
	    nft_ctx_buffer_error(n->nft)) {
		ret = fl_err(err, errsz, -ENOMEM, "nft: cannot make a context");
		goto fail;
	}
	ret = run(n, chain_cmds(n, cmds, sizeof(cmds)), 0, NULL, msg,
		  sizeof(msg));
	if (ret) {
		fl_err(err, errsz, ret, "nft table %s on %s: %s", n->table,
		       o->dev, msg);
		goto fail;
	}
	return &n->base;
fail:
	n->o.keep_rules = true; /* touch nothing on the way out */
	nft_free(&n->base);
	errno = -ret;
	return NULL;
}
