// SPDX-License-Identifier: Apache-2.0
/*
 * be_nl.c - a NETLINK_ROUTE socket that sends requests in batches.
 *
 * Requests are queued into one buffer and sent with as few sendmsg calls
 * as the socket buffer allows; each carries NLM_F_ACK and its own sequence
 * number, so the kernel answers every one (rtnetlink goes on after a failed
 * request) and the answers are matched back to the caller's tags. Extended
 * acks (NETLINK_EXT_ACK) bring the kernel's reason as text, the way
 * iproute2 prints it ("Error: ...").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>

#include "backends/backends_internal.h"
#include "common/common.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/* One sendmsg carries at most this much (well under the default
 * net.core.wmem_default), and at most this many requests: the kernel
 * answers all of them before we read, and each ack costs about 1 KiB of
 * receive buffer (skb truesize), so more would overflow it (ENOBUFS,
 * measured: 330 requests at the default 208 KiB). */
#define BE_NL_CHUNK (64 * 1024)
#define BE_NL_CHUNK_REQS 64

struct be_nl_req {
	uint32_t seq;
	uint64_t tag;
	size_t end; /* offset in buf just past this request */
	bool done;
};

struct be_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	char *buf;
	size_t len, cap;
	struct be_nl_req *reqs;
	size_t n_reqs, cap_reqs;
};

struct be_nl *be_nl__open(char *err, size_t errsz)
{
	struct be_nl *nl = calloc(1, sizeof(*nl));
	int one = 1, saved;

	if (!nl)
		return NULL;
	nl->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sock) {
		fl_err(err, errsz, -errno, "netlink socket: %s",
		       strerror(errno));
		goto fail;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		fl_err(err, errsz, -errno, "netlink bind: %s", strerror(errno));
		goto fail;
	}
	/* Best effort: old kernels lack them; messages then carry no text. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);
	return nl;
fail:
	saved = errno;
	be_nl__close(nl);
	errno = saved;
	return NULL;
}

void be_nl__close(struct be_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl->reqs);
	free(nl);
}

/* Queue a copy of nlh (seq assigned here) with the caller's tag. */
int be_nl__queue(struct be_nl *nl, const struct nlmsghdr *nlh, uint64_t tag)
{
	size_t need = NLMSG_ALIGN(nlh->nlmsg_len);
	struct nlmsghdr *copy;

	if (nl->len + need > nl->cap) {
		size_t cap = nl->cap ? nl->cap * 2 : 16384;
		char *b;

		while (cap < nl->len + need)
			cap *= 2;
		b = realloc(nl->buf, cap);
		if (!b)
			return -ENOMEM;
		nl->buf = b;
		nl->cap = cap;
	}
	if (nl->n_reqs == nl->cap_reqs) {
		size_t cap = nl->cap_reqs ? nl->cap_reqs * 2 : 64;
		struct be_nl_req *r = realloc(nl->reqs, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		nl->reqs = r;
		nl->cap_reqs = cap;
	}
	copy = (struct nlmsghdr *)(nl->buf + nl->len);
	memcpy(copy, nlh, nlh->nlmsg_len);
	memset((char *)copy + nlh->nlmsg_len, 0, need - nlh->nlmsg_len);
	copy->nlmsg_seq = ++nl->seq;
	copy->nlmsg_pid = 0;
	copy->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nl->len += need;
	nl->reqs[nl->n_reqs++] = (struct be_nl_req){
		.seq = copy->nlmsg_seq,
		.tag = tag,
		.end = nl->len,
	};
	return 0;
}

/* The kernel's extended-ack text in an NLMSG_ERROR, or "". */
static const char *ext_ack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if (mnl_nlmsg_get_payload_len(nlh) < off)
		return "";
	mnl_attr_for_each(a, nlh, off)
	{
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			return mnl_attr_get_str(a);
	}
	return "";
}

static struct be_nl_req *find_req(struct be_nl *nl, uint32_t seq, size_t lo,
				  size_t hi)
{
	for (size_t i = lo; i < hi; i++)
		if (nl->reqs[i].seq == seq && !nl->reqs[i].done)
			return &nl->reqs[i];
	return NULL;
}

/* Receive until requests [lo, hi) are all answered. */
static int collect(struct be_nl *nl, size_t lo, size_t hi, be_nl_result_fn cb,
		   void *arg, int *first_err)
{
	char rbuf[MNL_SOCKET_BUFFER_SIZE * 4];
	size_t left = hi - lo;

	while (left) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, rbuf, sizeof(rbuf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int len = n;

		if (n < 0)
			return errno == ENOBUFS ? -ENOBUFS : -errno;
		for (; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e;
			struct be_nl_req *r;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			r = find_req(nl, nlh->nlmsg_seq, lo, hi);
			if (!r)
				continue;
			r->done = true;
			left--;
			if (e->error && !*first_err)
				*first_err = e->error;
			if (cb)
				cb(r->tag, e->error, ext_ack_msg(nlh), arg);
		}
	}
	return 0;
}

int be_nl__flush(struct be_nl *nl, be_nl_result_fn cb, void *arg)
{
	size_t i = 0, start = 0;
	int first_err = 0, ret = 0;

	while (i < nl->n_reqs) {
		size_t lo = i, from = start;

		/* as many whole requests as fit in one chunk */
		while (i < nl->n_reqs &&
		       (i == lo || (nl->reqs[i].end - from <= BE_NL_CHUNK &&
				    i - lo < BE_NL_CHUNK_REQS)))
			i++;
		start = nl->reqs[i - 1].end;
		if (mnl_socket_sendto(nl->sock, nl->buf + from, start - from) <
		    0) {
			ret = -errno;
			break;
		}
		ret = collect(nl, lo, i, cb, arg, &first_err);
		if (ret)
			break;
	}
	nl->len = 0;
	nl->n_reqs = 0;
	return ret ? ret : first_err;
}

/* Send one dump request and feed every reply message to cb until
 * NLMSG_DONE. cb returns 0 to go on, negative to stop with that error. */
int be_nl__dump(struct be_nl *nl, struct nlmsghdr *req,
		int (*cb)(const struct nlmsghdr *nlh, void *arg), void *arg)
{
	char rbuf[MNL_SOCKET_BUFFER_SIZE * 4];
	int ret = 0;

	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	req->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, rbuf, sizeof(rbuf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int len = n;

		if (n < 0)
			return -errno;
		for (; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return ret;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e =
					mnl_nlmsg_get_payload(nlh);

				return e->error ? e->error : ret;
			}
			if (!ret)
				ret = cb(nlh, arg);
		}
	}
}
