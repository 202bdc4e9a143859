// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz_flower_nl.c - netlink replies as `apply` and the agent read them:
 * a buffer of messages walked like libmnl does, each tc filter message
 * decoded into a flower filter (dump) and described (--dry-run). What
 * decodes must encode again.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "backends/backends_internal.h"
#include "fuzz/fuzz.h"

static FILE *null;

static void one(const struct nlmsghdr *nlh)
{
	struct be_opts o = { .dev = "eth0" };
	struct be_flower_filter f;
	char err[256] = "";
	char buf[8192];
	int ret;

	ret = be_flower_nl__decode(nlh, &o, &f, err, sizeof(err));
	be_flower_nl__describe(nlh, &o, null);
	if (ret) {
		FUZZ_ASSERT(err[0] || ret == -ENOENT,
			    "decode %d without a message", ret);
	} else {
		(void)be_flower_nl__encode(buf, sizeof(buf), RTM_NEWTFILTER,
					   0, &f, &o, err, sizeof(err));
	}
	ir_rule__fini(&f.rule);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t buf[16384];
	const struct nlmsghdr *nlh;
	int len;

	if (!null)
		null = fopen("/dev/null", "w");
	if (size > sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	nlh = (const struct nlmsghdr *)buf;
	len = (int)size;
	/* A lone message whose length field the fuzzer got wrong: fix it, so
	 * that the attributes get fuzzed rather than the header check. */
	if (size >= sizeof(*nlh) && nlh->nlmsg_len > size)
		((struct nlmsghdr *)buf)->nlmsg_len = (uint32_t)size;
	/* mnl_nlmsg_ok() compares (int)nlmsg_len, so a length over 2 GB
	 * passes it and mnl_nlmsg_next() jumps far away: libmnl trusts the
	 * kernel. Walk with an unsigned bound instead. */
	while (mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (uint32_t)len) {
		one(nlh);
		nlh = mnl_nlmsg_next(nlh, &len);
	}
	return 0;
}
