// SPDX-License-Identifier: Apache-2.0
/*
 * be_nl.c - a NETLINK_ROUTE socket that sends requests in batches.
 *
 * Requests are encoded straight into one buffer and sent in windows of
 * many requests per sendmsg. rtnetlink handles every nlmsghdr of a
 * sendmsg in turn, before the call returns, goes on after a failed one,
 * and answers a request that fails whether or not it asked for an ack
 * (netlink_rcv_skb acks on NLM_F_ACK or on error). So only the last
 * request of a window carries NLM_F_ACK: its answer is the fence, and the
 * errors that came before it are on the socket ahead of it. A window ends
 * with one recvmsg on success, instead of one ack to allocate, queue and
 * read per request. Requests without an error report success when the
 * fence arrives, so every request still gets its own result, matched by
 * sequence number to the caller's tag. Extended acks (NETLINK_EXT_ACK)
 * bring the kernel's reason as text, the way iproute2 prints it.
 *
 * The window is bounded by the send buffer (a sendmsg is one skb) and by
 * the receive buffer: if every request of a window failed, all their
 * error acks must fit in it, or the kernel drops some (ENOBUFS). Both
 * buffers are raised (SO_*BUFFORCE, which apply's CAP_NET_ADMIN allows;
 * else the plain limits) and the window is sized from what was granted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#include "backends/backends_internal.h"
#include "common/common.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/* Socket buffers asked for (the kernel doubles them). */
#define BE_NL_SOCKBUF (4 << 20)
/* At most this much per sendmsg (one skb; larger ones are vmalloc'ed,
 * and the gain per call is gone long before). */
#define BE_NL_WIN_BYTES (256 * 1024)
#define BE_NL_WIN_REQS 1024
/* Receive buffer one error ack takes (skb truesize with the capped
 * request and an extended-ack text; measured ~640 B, kept with a margin). */
#define BE_NL_ACK_COST 2048
/* Room one message may take at the buffer's tail (be_nl__tail). */
#define BE_NL_MSG_MAX 4096

struct be_nl_req {
	uint64_t tag;
	size_t end; /* offset in buf just past this request */
	bool done;
};

struct be_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq; /* of the first queued request; the rest follow */
	uint32_t dump_seq; /* dumps count down from below seq */
	char *buf;
	size_t len, cap;
	struct be_nl_req *reqs;
	size_t n_reqs, cap_reqs;
	size_t win_bytes, win_reqs;
};

static int sockbuf(struct mnl_socket *sock, int force, int plain)
{
	int fd = mnl_socket_get_fd(sock), v = BE_NL_SOCKBUF;
	socklen_t l = sizeof(v);

	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, plain, &v, sizeof(v));
	if (getsockopt(fd, SOL_SOCKET, plain, &v, &l))
		return 0;
	return v;
}

/* The window from the buffers granted: a sendmsg must fit in the send
 * buffer (less its overhead), a window's error acks in the receive one. */
static void size_window(struct be_nl *nl)
{
	int snd = sockbuf(nl->sock, SO_SNDBUFFORCE, SO_SNDBUF);
	int rcv = sockbuf(nl->sock, SO_RCVBUFFORCE, SO_RCVBUF);

	nl->win_bytes = BE_NL_WIN_BYTES;
	if (snd > 0 && (size_t)snd / 2 < nl->win_bytes)
		nl->win_bytes = snd / 2;
	if (nl->win_bytes < BE_NL_MSG_MAX)
		nl->win_bytes = BE_NL_MSG_MAX;
	nl->win_reqs = BE_NL_WIN_REQS;
	if (rcv > 0 && (size_t)rcv / 2 / BE_NL_ACK_COST < nl->win_reqs)
		nl->win_reqs = rcv / 2 / BE_NL_ACK_COST;
	if (nl->win_reqs < 1)
		nl->win_reqs = 1;
}

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
	size_window(nl);
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);
	nl->dump_seq = nl->seq - 1;
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

void *be_nl__tail(struct be_nl *nl)
{
	if (nl->len + BE_NL_MSG_MAX > nl->cap) {
		size_t cap = nl->cap ? nl->cap * 2 : 64 * 1024;
		char *b;

		while (cap < nl->len + BE_NL_MSG_MAX)
			cap *= 2;
		b = realloc(nl->buf, cap);
		if (!b) {
			errno = ENOMEM;
			return NULL;
		}
		nl->buf = b;
		nl->cap = cap;
	}
	return nl->buf + nl->len;
}

int be_nl__commit(struct be_nl *nl, struct nlmsghdr *nlh, uint64_t tag)
{
	size_t need = NLMSG_ALIGN(nlh->nlmsg_len);

	if ((char *)nlh != nl->buf + nl->len || need > BE_NL_MSG_MAX)
		return -EINVAL;
	if (nl->n_reqs == nl->cap_reqs) {
		size_t cap = nl->cap_reqs ? nl->cap_reqs * 2 : 256;
		struct be_nl_req *r = realloc(nl->reqs, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		nl->reqs = r;
		nl->cap_reqs = cap;
	}
	memset((char *)nlh + nlh->nlmsg_len, 0, need - nlh->nlmsg_len);
	nlh->nlmsg_seq = nl->seq + nl->n_reqs;
	nlh->nlmsg_pid = 0;
	nlh->nlmsg_flags |= NLM_F_REQUEST;
	nlh->nlmsg_flags &= ~NLM_F_ACK; /* flush sets it on each fence */
	nl->len += need;
	nl->reqs[nl->n_reqs++] = (struct be_nl_req){
		.tag = tag,
		.end = nl->len,
	};
	return 0;
}

/* Queue a copy of nlh (seq assigned here) with the caller's tag. */
int be_nl__queue(struct be_nl *nl, const struct nlmsghdr *nlh, uint64_t tag)
{
	void *t;

	if (NLMSG_ALIGN(nlh->nlmsg_len) > BE_NL_MSG_MAX)
		return -EMSGSIZE;
	t = be_nl__tail(nl);
	if (!t)
		return -ENOMEM;
	memcpy(t, nlh, nlh->nlmsg_len);
	return be_nl__commit(nl, t, tag);
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

/* Receive the answers to requests [lo, hi) until the fence (hi - 1)'s:
 * each error as it comes, then success for every request not answered.
 * On ENOBUFS some answers are lost: the unanswered get no result. */
static int collect(struct be_nl *nl, size_t lo, size_t hi, be_nl_result_fn cb,
		   void *arg, int *first_err)
{
	char rbuf[MNL_SOCKET_BUFFER_SIZE * 4];
	bool fenced = false;

	while (!fenced) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, rbuf, sizeof(rbuf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int len = n;

		if (n < 0)
			return errno == ENOBUFS ? -ENOBUFS : -errno;
		for (; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e;
			struct be_nl_req *r;
			size_t i = nlh->nlmsg_seq - nl->seq;

			/* unsigned: stale answers of an earlier flush fall
			 * outside the window */
			if (nlh->nlmsg_type != NLMSG_ERROR || i < lo ||
			    i >= hi || nl->reqs[i].done)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			r = &nl->reqs[i];
			r->done = true;
			fenced = i == hi - 1;
			if (e->error && !*first_err)
				*first_err = e->error;
			if (cb && (e->error || fenced))
				cb(r->tag, e->error, ext_ack_msg(nlh), arg);
		}
	}
	for (size_t i = lo; cb && i < hi - 1; i++)
		if (!nl->reqs[i].done)
			cb(nl->reqs[i].tag, 0, "", arg);
	return 0;
}

/* Requests [lo, ...) that fit one window; returns its end. */
static size_t window(const struct be_nl *nl, size_t lo)
{
	size_t from = lo ? nl->reqs[lo - 1].end : 0, i = lo + 1;

	while (i < nl->n_reqs && i - lo < nl->win_reqs &&
	       nl->reqs[i].end - from <= nl->win_bytes)
		i++;
	return i;
}

int be_nl__flush(struct be_nl *nl, be_nl_result_fn cb, void *arg)
{
	size_t lo = 0;
	int first_err = 0, ret = 0;

	while (lo < nl->n_reqs) {
		size_t hi = window(nl, lo);
		size_t from = lo ? nl->reqs[lo - 1].end : 0;
		size_t fence = hi > 1 ? nl->reqs[hi - 2].end : 0;
		struct nlmsghdr *last = (struct nlmsghdr *)(nl->buf + fence);

		last->nlmsg_flags |= NLM_F_ACK;
		if (mnl_socket_sendto(nl->sock, nl->buf + from,
				      nl->reqs[hi - 1].end - from) < 0) {
			ret = -errno;
			break;
		}
		ret = collect(nl, lo, hi, cb, arg, &first_err);
		if (ret)
			break;
		lo = hi;
	}
	/* the next batch's sequence numbers follow this one's */
	nl->seq += nl->n_reqs;
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
	req->nlmsg_seq = nl->dump_seq--;
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
