// SPDX-License-Identifier: Apache-2.0
/*
 * nlfloor.c - the kernel's floor for installing flower filters: every
 * RTM_NEWTFILTER message is encoded before the clock starts (with the
 * backends' own encoder, placed as `flowlift apply` places them: chain
 * 2, the "flowlift" cookie, so the bytes are the ones apply sends), then
 * sent BATCH messages per sendmsg and the answers read back; nothing
 * else is timed. What is left is the kernel's own cost plus the syscalls.
 *
 * Usage: bench_nlfloor RULES DEV [BATCH [MODE]]
 *   RULES  `flowlift compile --target flower` output ("filter add ..."
 *          lines; other lines are skipped)
 *   DEV    the device (its clsact qdisc must exist)
 *   BATCH  messages per sendmsg (default 1024, as be_nl sends)
 *   MODE   fence (default, as be_nl): NLM_F_ACK on the last message of
 *          each sendmsg only; the kernel answers failed requests anyway,
 *          so one recvmsg per batch when all succeed.
 *          ack: NLM_F_ACK on every message, one recvmsg per ack (what
 *          be_nl did before, and what tc does per request).
 * Socket buffers are forced to 4 MiB as be_nl does.
 * Prints: "nlfloor rules=N batch=B mode=M seconds=S rules_per_s=R
 * errors=E".
 * Exit: 0 all acked without error, 1 otherwise, 2 usage.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "backends/backends_internal.h"

struct msgs {
	char *buf;
	size_t len, cap;
	size_t *off; /* start of each message */
	size_t n, cap_n;
};

static int msgs_add(struct msgs *m, const struct nlmsghdr *nlh)
{
	size_t need = NLMSG_ALIGN(nlh->nlmsg_len);

	if (m->len + need > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1 << 20;
		char *b = realloc(m->buf, cap);

		if (!b)
			return -ENOMEM;
		m->buf = b;
		m->cap = cap;
	}
	if (m->n == m->cap_n) {
		size_t cap = m->cap_n ? m->cap_n * 2 : 1024;
		size_t *o = realloc(m->off, (cap + 1) * sizeof(*o));

		if (!o)
			return -ENOMEM;
		m->off = o;
		m->cap_n = cap;
	}
	memset(m->buf + m->len, 0, need);
	memcpy(m->buf + m->len, nlh, nlh->nlmsg_len);
	m->off[m->n++] = m->len;
	m->len += need;
	m->off[m->n] = m->len;
	return 0;
}

/* Encode every "filter add" line of path into m, placed as apply places
 * its rules (chain 2 behind its entry filter, cookie "flowlift" 'R' 2). */
static int load(const char *path, const struct be_opts *o, struct msgs *m)
{
	static const uint8_t cookie[13] = {'f', 'l', 'o', 'w', 'l', 'i', 'f',
					   't', 'R', 0,	  0,   0,   2};
	uint32_t ifindex = if_nametoindex(o->dev);
	char line[4096], err[256], enc[4096];
	FILE *f = fopen(path, "r");
	unsigned int lineno = 0;
	int ret = 0;

	if (!f) {
		fprintf(stderr, "nlfloor: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		struct be_flower_filter flt;
		struct nlmsghdr *nlh;
		const char *s = line;

		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(s, "tc ", 3))
			s += 3;
		if (strncmp(s, "filter add ", 11))
			continue;
		ret = be_flower_parse_line(s, o, &flt, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "nlfloor: %s:%u: %s\n", path, lineno,
				err);
			break;
		}
		flt.ifindex = ifindex;
		flt.chain = 2;
		flt.goto_chain = 1;
		memcpy(flt.cookie, cookie, sizeof(cookie));
		flt.cookie_len = sizeof(cookie);
		nlh = be_flower_nl__encode(enc, sizeof(enc), RTM_NEWTFILTER,
					   NLM_F_CREATE | NLM_F_EXCL, &flt, o,
					   err, sizeof(err));
		if (!nlh) {
			fprintf(stderr, "nlfloor: %s:%u: %s\n", path, lineno,
				err);
			ret = -errno;
			break;
		}
		nlh->nlmsg_flags |= NLM_F_REQUEST;
		nlh->nlmsg_seq = m->n + 1;
		ret = msgs_add(m, nlh);
	}
	fclose(f);
	return ret;
}

/* Read answers until the one to sequence number 'last' (every message
 * acks in ack mode, the failed ones and the last in fence mode); count
 * the errors. */
static int collect(struct mnl_socket *s, uint32_t last, size_t *errors)
{
	static bool said;
	static char rbuf[65536];
	bool done = false;

	while (!done) {
		ssize_t n = mnl_socket_recvfrom(s, rbuf, sizeof(rbuf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int len = n;

		if (n < 0)
			return -errno;
		for (; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error && !said) {
				fprintf(stderr, "nlfloor: first error: %s\n",
					strerror(-e->error));
				said = true;
			}
			if (e->error)
				(*errors)++;
			done = nlh->nlmsg_seq == last;
		}
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct be_opts o = {.offload = BE_OFFLOAD_SW};
	struct msgs m = {0};
	struct mnl_socket *s = NULL;
	size_t batch = 1024, errors = 0;
	const char *mode = argc > 4 ? argv[4] : "fence";
	bool ack_all = !strcmp(mode, "ack");
	int one = 1, ret = 1, buf = 4 << 20;
	double t0, t1;

	if (argc < 3 || argc > 5 || (!ack_all && strcmp(mode, "fence"))) {
		fprintf(stderr,
			"usage: bench_nlfloor RULES DEV [BATCH [fence|ack]]\n");
		return 2;
	}
	o.dev = argv[2];
	if (argc >= 4)
		batch = strtoul(argv[3], NULL, 10);
	if (!batch || !if_nametoindex(o.dev)) {
		fprintf(stderr, "nlfloor: bad batch or no device '%s'\n",
			o.dev);
		return 2;
	}
	if (load(argv[1], &o, &m))
		goto out;
	s = mnl_socket_open(NETLINK_ROUTE);
	if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "nlfloor: netlink: %s\n", strerror(errno));
		goto out;
	}
	mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof(one));
	if (setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_SNDBUFFORCE, &buf,
		       sizeof(buf)) ||
	    setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVBUFFORCE, &buf,
		       sizeof(buf))) {
		fprintf(stderr, "nlfloor: socket buffers: %s\n",
			strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < m.n; i++) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(m.buf + m.off[i]);

		if (ack_all || (i + 1) % batch == 0 || i + 1 == m.n)
			nlh->nlmsg_flags |= NLM_F_ACK;
	}

	t0 = now_s();
	for (size_t i = 0; i < m.n; i += batch) {
		size_t k = m.n - i < batch ? m.n - i : batch;
		size_t len = m.off[i + k] - m.off[i];

		if (mnl_socket_sendto(s, m.buf + m.off[i], len) < 0 ||
		    collect(s, i + k, &errors)) {
			fprintf(stderr, "nlfloor: netlink io: %s\n",
				strerror(errno));
			goto out;
		}
	}
	t1 = now_s();
	printf("nlfloor rules=%zu batch=%zu mode=%s seconds=%.4f "
	       "rules_per_s=%.0f errors=%zu\n",
	       m.n, batch, mode, t1 - t0, m.n / (t1 - t0), errors);
	ret = errors ? 1 : 0;
out:
	if (s)
		mnl_socket_close(s);
	free(m.buf);
	free(m.off);
	return ret;
}
