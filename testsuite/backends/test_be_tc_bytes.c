// SPDX-License-Identifier: Apache-2.0
/*
 * test_be_tc_bytes.c - flowlift's flower netlink messages against the
 * bytes iproute2's tc sends. For each rule, the flower text line flowlift
 * prints is run through the real `tc` under strace in a private netns;
 * tc's RTM_NEWTFILTER is taken from strace's hex dump and compared with
 * what be_flower_nl encodes for the same rule: the tcmsg and every
 * attribute (nested ones recursively, order aside) must be equal. The
 * host kernel has no cls_flower, so tc must end with the kernel's
 * "classifier not found" - never a parse error. Root and strace, else 77.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>

#include "backends/backends_internal.h"
#include "netns.h"
#include "testsuite/fl_check.h"

static const char *const rules[] = {
	"prio 1 eth.type=0x0800 ip.proto=6 ip.frag=0x0 ip4.dst=10.0.0.0/8 "
	"l4.dport=22 -> drop",
	"prio 2 eth.type=0x0800 ip.proto=17 l4.dport=80-90 l4.sport=53 -> pass",
	"prio 3 eth.type=0x0800 ip4.src=192.168.1.1 -> redirect(%1$u,egress)",
	"prio 4 eth.type=0x8100 vlan.id=100 vlan.pcp=3 vlan.type=0x86dd "
	"vlan.count=1 ip.proto=58 ip6.dst=ff02::/16 icmp.type=135 -> tx",
	"prio 5 eth.type=0x8100 vlan.id=7 -> vlan_pop,redirect(%1$u,ingress)",
	"prio 6 eth.type=0x86dd eth.src=02:00:00:00:00:00/ff:ff:ff:00:00:00 "
	"eth.dst=02:00:00:00:00:01 ip.proto=6 ip.tos=0x10/0xfc ip.ttl=1 "
	"tcp.flags=0x2/0x12 ip6.src=fd00::1 -> drop",
	"prio 7 eth.type=0x0800 ip.proto=1 ip.frag=0x1/0x1 icmp.type=8 "
	"icmp.code=0/0xf0 -> slowpath",
	"prio 8 eth.type=0x0800 ip.proto=132 l4.sport=1024/0xfc00 -> "
	"vlan_push(10,2,0x88a8),pass",
	"prio 9 meta.ifindex=%1$u eth.type=0x0806 -> drop",
	"prio 10 any -> slowpath",
	"prio 11 eth.type=0x8100 vlan.id=5 -> set(vlan.id=9),pass",
	"prio 12 eth.type=0x0800 ip.proto=6 tcp.flags=0x2 ip.ttl=64/0xf0 "
	"l4.dport=256/0xff00 -> drop",
	"prio 13 eth.type=0x86dd ip.proto=17 ip6.dst=2001:db8::/32 "
	"l4.sport=1-1023 ip.frag=0x3/0x3 -> pass",
	/* protocol all, tagged: vlan keys under num_of_vlans */
	"prio 14 vlan.id=100 vlan.type=0x0800 vlan.count=1 ip.proto=6 "
	"l4.dport=80 -> drop",
	"prio 15 vlan.count=0 -> pass",
	"prio 16 eth.type=0x0800 ip.proto=17 l4.dport=0 l4.sport=0/0xff00 -> "
	"drop",
};

static const enum be_offload offloads[] = {BE_OFFLOAD_HW, BE_OFFLOAD_SW,
					   BE_OFFLOAD_BOTH};

/* Attribute tree as sorted "path type=hex" lines. */
enum lvl { L_TOP, L_OPTS, L_ACTS, L_ACT, L_LEAVES };

static void canon(const void *start, const void *end, const char *path,
		  enum lvl lvl, char **lines, size_t *n)
{
	const struct nlattr *a = start;

	while ((const char *)a + sizeof(*a) <= (const char *)end &&
	       a->nla_len >= sizeof(*a)) {
		uint16_t t = mnl_attr_get_type(a);
		const uint8_t *p = mnl_attr_get_payload(a);
		uint16_t len = mnl_attr_get_payload_len(a);
		enum lvl sub = L_LEAVES;
		bool nest = false;
		char sp[256];

		snprintf(sp, sizeof(sp), "%s/%u%s", path, t,
			 a->nla_type & NLA_F_NESTED ? "N" : "");
		if (lvl == L_TOP && t == TCA_OPTIONS)
			nest = true, sub = L_OPTS;
		else if (lvl == L_OPTS && t == TCA_FLOWER_ACT)
			nest = true, sub = L_ACTS;
		else if (lvl == L_ACTS)
			nest = true, sub = L_ACT;
		else if (lvl == L_ACT && t == TCA_ACT_OPTIONS)
			nest = true, sub = L_LEAVES;
		if (nest) {
			canon(p, p + len, sp, sub, lines, n);
		} else {
			char *l = malloc(strlen(sp) + 2 * len + 3);
			char *q = l + sprintf(l, "%s=", sp);

			for (uint16_t i = 0; i < len; i++)
				q += sprintf(q, "%02x", p[i]);
			lines[(*n)++] = l;
		}
		a = (const struct nlattr *)((const char *)a +
					    MNL_ALIGN(a->nla_len));
	}
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* tcmsg + sorted attributes, one line each. */
static char *describe(const struct nlmsghdr *nlh)
{
	const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
	char *lines[512], *out;
	size_t n = 0, len = 0;
	FILE *f = open_memstream(&out, &len);

	fprintf(f,
		"type %u flags 0x%x ifindex %d handle %x parent %x info %x\n",
		nlh->nlmsg_type, nlh->nlmsg_flags, t->tcm_ifindex,
		t->tcm_handle, t->tcm_parent, t->tcm_info);
	canon((const char *)t + NLMSG_ALIGN(sizeof(*t)),
	      (const char *)nlh + nlh->nlmsg_len, "", L_TOP, lines, &n);
	qsort(lines, n, sizeof(lines[0]), cmpstr);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n", lines[i]);
		free(lines[i]);
	}
	fclose(f);
	return out;
}

/* The RTM_NEWTFILTER tc sent, from strace's "-e write=all" hex dump. */
static size_t tc_message(const char *trace, uint8_t *buf, size_t size)
{
	const char *p = strstr(trace, "RTM_NEWTFILTER");
	size_t n = 0;

	if (!p)
		return 0;
	p = strchr(p, '\n');
	while (p && !strncmp(p + 1, " * ", 3)) /* "N bytes in buffer 0" */
		p = strchr(p + 1, '\n');
	while (p && !strncmp(p + 1, " | ", 3)) {
		const char *hex = p + 1 + 3 + 7;

		for (int i = 0; i < 16 && n < size; i++) {
			unsigned int b;
			const char *h = hex + i * 3 + (i >= 8);

			if (sscanf(h, "%2x", &b) != 1 || h[0] == ' ')
				break;
			buf[n++] = b;
		}
		p = strchr(p + 1, '\n');
	}
	return n;
}

START_TEST(test_same_bytes_as_tc)
{
	for (size_t k = 0; k < 3; k++) {
		struct be_opts o = {.dev = "v0", .offload = offloads[k]};
		struct be_flower_filter f;
		struct ir_ruleset *rs;
		char ir[1024], err[512] = "", *line = NULL, *cmd, *out;
		char mine_buf[4096], *a, *b;
		uint8_t tc_buf[4096];
		size_t len = 0, n;
		struct nlmsghdr *mine;
		FILE *lf;
		char r[512];

		/* %1$u: the ifindex of veth3 */
		snprintf(r, sizeof(r), rules[_i], if_nametoindex("veth3"));
		snprintf(ir, sizeof(ir), "# flowlift-ir 1\n%s\n", r);
		rs = ir_ruleset__parse_str(ir, err, sizeof(err));
		ck_assert_msg(rs, "%s", err);
		ck_assert_int_eq(be_flower_filter_from_rule(
					 &f, ir_ruleset__rule_c(rs, 0), &o, err,
					 sizeof(err)),
				 0);
		f.ifindex = if_nametoindex("v0");
		lf = open_memstream(&line, &len);
		ck_assert_int_eq(
			be_flower_print_filter(&f, &o, lf, err, sizeof(err)),
			0);
		fclose(lf);
		ck_assert(asprintf(&cmd,
				   "strace -f -e trace=sendmsg -e write=all "
				   "-x -s 65535 tc %s",
				   line) > 0);
		tn_run(cmd, &out);
		ck_assert_msg(strstr(out, "Error: TC classifier not found"),
			      "tc did not reach the kernel for '%s':\n%s", line,
			      out);
		n = tc_message(out, tc_buf, sizeof(tc_buf));
		ck_assert_msg(
			n >= sizeof(struct nlmsghdr) &&
				n == ((struct nlmsghdr *)tc_buf)->nlmsg_len,
			"no tc message in trace for '%s'", line);
		mine = be_flower_nl__encode(
			mine_buf, sizeof(mine_buf), RTM_NEWTFILTER,
			NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &f, &o, err,
			sizeof(err));
		ck_assert_msg(mine, "%s", err);
		a = describe((struct nlmsghdr *)tc_buf);
		b = describe(mine);
		ck_assert_msg(!strcmp(a, b), "'%s':\ntc:\n%s\nflowlift:\n%s",
			      line, a, b);
		free(a);
		free(b);
		free(cmd);
		free(out);
		free(line);
		ir_ruleset__free(rs);
	}
}
END_TEST

int main(void)
{
	static const char *const tools[] = {"tc", "strace", "ip", NULL};
	Suite *s = suite_create("be_tc_bytes");
	TCase *tc = tcase_create("tc");
	SRunner *sr;
	int failed;

	tn_require(tools);
	tn_unshare("ip link add v0 type veth peer name v1 && "
		   "ip link add veth3 type veth peer name eth12 && "
		   "tc qdisc add dev v0 clsact");
	tcase_add_loop_test(tc, test_same_bytes_as_tc, 0,
			    sizeof(rules) / sizeof(rules[0]));
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	failed = fl_check_runner(sr) != EXIT_SUCCESS;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
