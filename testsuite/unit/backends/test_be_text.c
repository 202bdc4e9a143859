// SPDX-License-Identifier: Apache-2.0
/*
 * test_be_text.c - the text printers, rule by rule: an IR rule in, the
 * exact target line out (each expected line was also fed to the real tc /
 * nft on this host: tc got as far as the kernel, nft -c accepted it), or
 * the error a rule the target cannot express must give. Then flower text
 * round trips: print -> parse -> print is the identity and the parsed
 * rules equal the originals.
 */
#include <check.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends_internal.h"
#include "common/common.h"
#include "testsuite/fl_check.h"

static const struct be_ifname ifnames[] = {{3, "veth3"}, {12, "eth12"}};

struct text_case {
	const char *be;
	enum be_offload offload;
	const char *rule; /* IR text */
	const char *want; /* the rule's line, or NULL */
	int err;	  /* expected print() error if want is NULL */
};

#define FL "filter add dev v0 ingress "
static const struct text_case cases[] = {
	{"flower", BE_OFFLOAD_HW,
	 "prio 1 eth.type=0x0800 ip.proto=6 ip.frag=0x0 ip4.dst=10.0.0.0/8 "
	 "l4.dport=22 -> drop",
	 FL "protocol ip prio 1 flower ip_proto tcp ip_flags "
	    "nofrag/nofirstfrag dst_ip 10.0.0.0/8 dst_port 22 skip_sw action "
	    "drop",
	 0},
	{"flower", BE_OFFLOAD_HW,
	 "prio 2 eth.type=0x0800 ip.proto=17 l4.dport=80-90 -> pass",
	 FL "protocol ip prio 2 flower ip_proto udp dst_port 80-90 skip_sw "
	    "action pass",
	 0},
	{"flower", BE_OFFLOAD_HW,
	 "prio 3 eth.type=0x0800 ip4.src=192.168.1.1 -> redirect(3,egress)",
	 FL "protocol ip prio 3 flower src_ip 192.168.1.1 skip_sw action "
	    "mirred egress redirect dev veth3",
	 0},
	{"flower", BE_OFFLOAD_HW,
	 "prio 4 eth.type=0x8100 vlan.id=100 vlan.pcp=3 vlan.type=0x86dd "
	 "vlan.count=1 ip.proto=58 ip6.dst=ff02::/16 icmp.type=135 -> tx",
	 FL "protocol 802.1Q prio 4 flower num_of_vlans 1 vlan_id 100 "
	    "vlan_prio 3 vlan_ethtype ipv6 ip_proto icmpv6 dst_ip ff02::/16 "
	    "type 135 skip_sw action mirred egress redirect dev v0",
	 0},
	{"flower", BE_OFFLOAD_HW,
	 "prio 5 eth.type=0x8100 vlan.id=7 -> vlan_pop,redirect(12,ingress)",
	 FL "protocol 802.1Q prio 5 flower vlan_id 7 skip_sw action vlan pop "
	    "pipe action mirred ingress redirect dev eth12",
	 0},
	{"flower", BE_OFFLOAD_HW,
	 "prio 6 eth.type=0x86dd eth.src=02:00:00:00:00:00/ff:ff:ff:00:00:00 "
	 "ip.proto=6 ip.tos=0x10/0xfc ip.ttl=1 tcp.flags=0x2/0x12 -> drop",
	 FL "protocol ipv6 prio 6 flower src_mac "
	    "02:00:00:00:00:00/ff:ff:ff:00:00:00 ip_proto tcp ip_tos 0x10/0xfc "
	    "ip_ttl 0x1 tcp_flags 0x2/0x12 skip_sw action drop",
	 0},
	{"flower", BE_OFFLOAD_SW,
	 "prio 7 eth.type=0x0800 ip.proto=1 ip.frag=0x1/0x1 icmp.type=8 "
	 "icmp.code=0/0xf0 -> slowpath",
	 FL "protocol ip prio 7 flower ip_proto icmp ip_flags frag type 8 "
	    "code 0/240 skip_hw action goto chain 1",
	 0},
	{"flower", BE_OFFLOAD_BOTH,
	 "prio 8 eth.type=0x0800 ip.proto=6 l4.sport=1024/0xfc00 -> "
	 "vlan_push(10,2,0x88a8),pass",
	 FL "protocol ip prio 8 flower ip_proto tcp src_port 1024/0xfc00 "
	    "action vlan push id 10 priority 2 protocol 802.1ad pipe action "
	    "pass",
	 0},
	{"flower", BE_OFFLOAD_HW,
	 "prio 9 meta.ifindex=3 eth.type=0x0806 -> drop",
	 FL "protocol arp prio 9 flower indev veth3 skip_sw action drop", 0},
	{"flower", BE_OFFLOAD_HW, "prio 10 any -> slowpath",
	 FL "protocol all prio 10 flower skip_sw action trap", 0},
	/* tc takes port 0 as "no port": masked, and 0-N split in two */
	{"flower", BE_OFFLOAD_HW,
	 "prio 11 eth.type=0x0800 ip.proto=17 l4.dport=0 -> drop",
	 FL "protocol ip prio 11 flower ip_proto udp dst_port 0/0xffff "
	    "skip_sw action drop",
	 0},
	{"flower", BE_OFFLOAD_HW,
	 "prio 12 eth.type=0x0800 ip.proto=6 l4.sport=0-9 l4.dport=0-1023 "
	 "-> drop",
	 FL "protocol ip prio 12 flower ip_proto tcp dst_port 0/0xffff "
	    "src_port 0/0xffff skip_sw action drop" FL
	    "protocol ip prio 12 flower ip_proto tcp dst_port 0/0xffff "
	    "src_port 1-9 skip_sw action drop" FL
	    "protocol ip prio 12 flower ip_proto tcp dst_port 1-1023 "
	    "src_port 0/0xffff skip_sw action drop" FL
	    "protocol ip prio 12 flower ip_proto tcp dst_port 1-1023 "
	    "src_port 1-9 skip_sw action drop",
	 0},
	/* one prio, two protocols: the second gets its own prio */
	{"flower", BE_OFFLOAD_HW,
	 "prio 13 eth.type=0x0800 -> drop\nprio 13 eth.type=0x86dd -> drop\n"
	 "prio 14 eth.type=0x0800 ip.proto=6 -> pass\n"
	 "prio 14 eth.type=0x0800 -> pass", /* a duplicate: left out */
	 FL "protocol ip prio 13 flower skip_sw action drop" FL
	    "protocol ipv6 prio 14 flower skip_sw action drop" FL
	    "protocol ip prio 15 flower ip_proto tcp skip_sw action pass",
	 0},
	/* what flower cannot say */
	{"flower", BE_OFFLOAD_HW, "prio 1 eth.type=0x0800 ip4.ihl=5 -> drop",
	 NULL, -EOPNOTSUPP},
	{"flower", BE_OFFLOAD_HW,
	 "prio 1 eth.type=0x0800 -> redirect(999,egress)", NULL, -ENODEV},
	{"flower", BE_OFFLOAD_HW, "prio 1 ip4.src=10.0.0.1 -> drop", NULL,
	 -EOPNOTSUPP},
	{"flower", BE_OFFLOAD_HW,
	 "prio 1 eth.type=0x0800 ip4.src=10.0.0.0/255.0.255.0 -> drop", NULL,
	 -EOPNOTSUPP},
	{"flower", BE_OFFLOAD_HW, "prio 70000 any -> drop", NULL, -ERANGE},
	{"flower", BE_OFFLOAD_HW,
	 "prio 1 eth.type=0x0800 ip.proto=47 l4.dport=1 -> drop", NULL,
	 -EOPNOTSUPP},

	{"nft", BE_OFFLOAD_SW,
	 "prio 1 eth.type=0x0800 ip.proto=6 ip.frag=0x0 ip4.dst=10.0.0.0/8 "
	 "l4.dport=22 -> drop",
	 "\t\tether type ip ip protocol tcp ip frag-off & 0x3fff == 0 ip daddr "
	 "10.0.0.0/8 tcp dport 22 counter drop comment \"prio 1\"",
	 0},
	{"nft", BE_OFFLOAD_SW,
	 "prio 2 eth.type=0x0800 ip.proto=17 l4.dport=80-90 ip4.ihl=5 "
	 "meta.len=60-1514 -> pass",
	 "\t\tether type ip ip protocol udp ip hdrlength 5 ip frag-off & "
	 "0x1fff == 0 udp dport 80-90 "
	 "meta length 46-1500 counter accept comment \"prio 2\"",
	 0},
	{"nft", BE_OFFLOAD_SW,
	 "prio 3 eth.type=0x0800 ip4.src=192.168.1.1 "
	 "ip4.dst=10.0.0.1-10.0.0.9 -> redirect(3,egress)",
	 "\t\tether type ip ip saddr 192.168.1.1 ip daddr 10.0.0.1-10.0.0.9 "
	 "counter fwd to \"veth3\" comment \"prio 3\"",
	 0},
	{"nft", BE_OFFLOAD_SW,
	 "prio 4 eth.type=0x8100 vlan.id=100 vlan.pcp=3 vlan.type=0x86dd -> tx",
	 "\t\tether type vlan vlan id 100 vlan pcp 3 vlan type ip6 counter fwd "
	 "to \"v0\" comment \"prio 4\"",
	 0},
	{"nft", BE_OFFLOAD_SW,
	 "prio 6 eth.type=0x86dd eth.src=02:00:00:00:00:00/ff:ff:ff:00:00:00 "
	 "ip.proto=6 ip.tos=0x10/0xfc ip.ttl=1 tcp.flags=0x2/0x12 "
	 "ip6.nexthdr=0 -> drop",
	 "\t\tether saddr & ff:ff:ff:00:00:00 == 02:00:00:00:00:00 ether type "
	 "ip6 meta l4proto tcp @nh,4,8 & 0xfc == 0x10 ip6 hoplimit 1 "
	 "@nh,48,8 0 tcp flags & 0x12 == 0x2 counter drop comment \"prio 6\"",
	 0},
	{"nft", BE_OFFLOAD_SW,
	 "prio 8 eth.type=0x0800 ip.proto=6 l4.sport=1024/0xfc00 "
	 "tcp.flags=0x100/0x100 -> slowpath",
	 "\t\tether type ip ip protocol tcp ip frag-off & 0x1fff == 0 tcp "
	 "sport & 0xfc00 == 0x400 "
	 "@th,100,12 & 0x100 == 0x100 counter accept comment "
	 "\"prio 8 slowpath\"",
	 0},
	{"nft", BE_OFFLOAD_SW,
	 "prio 9 meta.ifindex=3 eth.type=0x0806 meta.mark=0x10/0xf0 -> drop",
	 "\t\tmeta iifname \"veth3\" ether type arp meta mark & 0xf0 == 0x10 "
	 "counter drop comment \"prio 9\"",
	 0},
	{"nft", BE_OFFLOAD_SW,
	 "prio 1 eth.type=0x8100 vlan.type=0x0800 ip4.dst=10.0.0.1 -> drop",
	 "\t\tether type vlan vlan type ip ip daddr 10.0.0.1 counter drop "
	 "comment \"prio 1\"",
	 0},
	{"nft", BE_OFFLOAD_SW, "prio 1 eth.type=0x8100 vlan.count=1 -> drop",
	 NULL, -EOPNOTSUPP},
	{"nft", BE_OFFLOAD_SW, "prio 1 eth.type=0x0800 -> redirect(3,ingress)",
	 NULL, -EOPNOTSUPP},
	{"nft", BE_OFFLOAD_SW, "prio 1 any -> vlan_pop,drop", NULL,
	 -EOPNOTSUPP},

	{"rteflow", BE_OFFLOAD_HW,
	 "prio 1 eth.type=0x0800 ip.proto=6 ip.frag=0x0 ip4.dst=10.0.0.0/8 "
	 "l4.dport=22 -> drop",
	 "flow create 0 group 0 priority 1 ingress pattern eth type is 0x800 "
	 "/ ipv4 fragment_offset spec 0 fragment_offset mask 0x3fff proto is "
	 "6 dst spec 10.0.0.0 dst prefix 8 / tcp dst is 22 / end actions "
	 "drop / end",
	 0},
	{"rteflow", BE_OFFLOAD_HW,
	 "prio 2 eth.type=0x0800 ip.proto=17 l4.dport=80-90 ip4.ihl=5 -> pass",
	 "flow create 0 group 0 priority 2 ingress pattern eth type is 0x800 "
	 "/ ipv4 version_ihl spec 0x5 version_ihl mask 0xf proto is 17 / udp "
	 "dst spec 80 dst last 90 / end actions mark id 1 / rss / end",
	 0},
	{"rteflow", BE_OFFLOAD_HW,
	 "prio 3 eth.type=0x8100 vlan.id=100 vlan.pcp=3 vlan.type=0x86dd "
	 "ip.proto=6 ip6.src=fd00::/8 tcp.flags=0x2/0x12 -> slowpath",
	 "flow create 0 group 0 priority 3 ingress pattern eth type is 0x8100 "
	 "/ vlan vid is 100 pcp is 3 inner_type is 0x86dd / ipv6 proto is 6 "
	 "src spec fd00:: src prefix 8 / tcp flags spec 0x2 flags mask 0x12 / "
	 "end actions rss / end",
	 0},
	{"rteflow", BE_OFFLOAD_HW,
	 "prio 4 eth.type=0x0800 -> redirect(3,egress)", NULL, -EOPNOTSUPP},
	{"rteflow", BE_OFFLOAD_HW, "prio 4 meta.len=60 -> drop", NULL,
	 -EOPNOTSUPP},
	{"rteflow", BE_OFFLOAD_HW, "prio 5 vlan.id=100 -> drop",
	 "flow create 0 group 0 priority 5 ingress pattern eth / vlan vid is "
	 "100 / end actions drop / end",
	 0},
	{"rteflow", BE_OFFLOAD_HW,
	 "prio 4 eth.type=0x86dd ip.proto=1 icmp.type=8 -> drop", NULL,
	 -EOPNOTSUPP},
};

static struct ir_ruleset *parse_ir(const char *rules)
{
	char text[2048], err[256] = "";
	struct ir_ruleset *rs;

	snprintf(text, sizeof(text), "# flowlift-ir 1\n%s\n", rules);
	rs = ir_ruleset__parse_str(text, err, sizeof(err));
	ck_assert_msg(rs, "%s: %s", rules, err);
	return rs;
}

/* The printed text without '#' lines and nft's fixed frame. */
static char *rule_lines(const char *text)
{
	char *out = calloc(1, strlen(text) + 1), *o = out;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (p[0] != '#' && strncmp(p, "table ", 6) &&
		    strncmp(p, "delete ", 7) && strncmp(p, "\tchain ", 7) &&
		    strncmp(p, "\t\ttype ", 7) && strncmp(p, "\t}", 2) &&
		    strncmp(p, "}", 1)) {
			memcpy(o, p, n);
			o += n;
		}
		p += n + (nl != NULL);
	}
	return out;
}

static int print_be(const struct be_ops *be, const struct ir_ruleset *rs,
		    enum be_offload off, char **text, char *err, size_t errsz)
{
	struct be_opts o = {.dev = "v0",
			    .offload = off,
			    .ifnames = ifnames,
			    .n_ifnames = 2};
	size_t len = 0;
	FILE *f = open_memstream(text, &len);
	int ret;

	ck_assert_ptr_nonnull(f);
	ret = be->print(rs, &o, f, err, errsz);
	fclose(f);
	return ret;
}

START_TEST(test_print_rule)
{
	const struct text_case *c = &cases[_i];
	struct ir_ruleset *rs = parse_ir(c->rule);
	char *text = NULL, *lines, err[512] = "";
	int ret = print_be(be_find(c->be), rs, c->offload, &text, err,
			   sizeof(err));

	if (c->want) {
		ck_assert_msg(!ret, "%s: %s", c->rule, err);
		lines = rule_lines(text);
		ck_assert_str_eq(lines, c->want);
		free(lines);
	} else {
		ck_assert_msg(ret == c->err, "%s: got %d (%s), want %d",
			      c->rule, ret, err, c->err);
		ck_assert_msg(err[0], "no reason given");
		ck_assert_msg(strstr(err, "rule 0"), "no rule index: %s", err);
	}
	free(text);
	ir_ruleset__free(rs);
}
END_TEST

START_TEST(test_headers)
{
	struct ir_ruleset *rs =
		parse_ir("# program: fw\n# tag: 0123456789abcdef\n"
			 "# assume: no-ip-options\n"
			 "# withheld: path 3: helper bpf_ktime_get_ns\n"
			 "prio 1 any -> drop\nprio 1 any -> pass\n"
			 "prio 5 any -> slowpath");
	static const char *const be[] = {"flower", "nft", "rteflow"};

	for (size_t i = 0; i < 3; i++) {
		char *text = NULL, err[256];

		ck_assert_int_eq(print_be(be_find(be[i]), rs, BE_OFFLOAD_HW,
					  &text, err, sizeof(err)),
				 0);
		ck_assert_ptr_nonnull(strstr(text, "# program: fw\n"));
		ck_assert_ptr_nonnull(
			strstr(text, "# tag: 0123456789abcdef\n"));
		ck_assert_ptr_nonnull(
			strstr(text, "# assume: no-ip-options\n"));
		ck_assert_ptr_nonnull(strstr(text, "# withheld: path 3: helper "
						   "bpf_ktime_get_ns\n"));
		ck_assert_ptr_nonnull(strstr(text, "# rule counts: 3 rules, 2 "
						   "priorities\n"));
		ck_assert_ptr_nonnull(strstr(text, "# slow path: "));
		free(text);
	}
	ir_ruleset__free(rs);
}
END_TEST

START_TEST(test_nft_frame)
{
	struct ir_ruleset *rs = parse_ir("prio 1 any -> drop");
	char *text = NULL, err[256];

	ck_assert_int_eq(print_be(be_find("nft"), rs, BE_OFFLOAD_HW, &text, err,
				  sizeof(err)),
			 0);
	ck_assert_ptr_nonnull(strstr(
		text,
		"table netdev flowlift\ndelete table netdev flowlift\n"
		"table netdev flowlift {\n\tchain ingress {\n\t\ttype filter "
		"hook ingress device \"v0\" priority 0; flags offload;\n"
		"\t\tcounter drop comment \"prio 1\"\n\t}\n}\n"));
	free(text);
	ck_assert_int_eq(print_be(be_find("nft"), rs, BE_OFFLOAD_SW, &text, err,
				  sizeof(err)),
			 0);
	ck_assert_ptr_null(strstr(text, "offload;"));
	free(text);
	ir_ruleset__free(rs);
}
END_TEST

/* flower text -> IR -> flower text for every printable flower case */
START_TEST(test_flower_round_trip)
{
	struct be_opts o = {.dev = "v0", .ifnames = ifnames, .n_ifnames = 2};
	const struct be_ops *be = be_find("flower");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ir_ruleset *rs, *back;
		char *t1 = NULL, *t2 = NULL, err[512] = "";
		char a[1024], b[1024];
		FILE *f;

		if (strcmp(cases[i].be, "flower") || !cases[i].want ||
		    strstr(cases[i].want + 1, FL) ||
		    strchr(cases[i].rule, '\n'))
			continue;
		rs = parse_ir(cases[i].rule);
		o.offload = cases[i].offload;
		ck_assert_int_eq(
			print_be(be, rs, o.offload, &t1, err, sizeof(err)), 0);
		f = fmemopen(t1, strlen(t1), "r");
		back = be->parse(f, &o, err, sizeof(err));
		fclose(f);
		ck_assert_msg(back, "%s: %s", t1, err);
		ck_assert_uint_eq(ir_ruleset__count(back), 1);
		ir_rule__snprint(ir_ruleset__rule_c(rs, 0), a, sizeof(a),
				 false);
		ir_rule__snprint(ir_ruleset__rule_c(back, 0), b, sizeof(b),
				 false);
		ck_assert_str_eq(b, a);
		ck_assert_int_eq(
			print_be(be, back, o.offload, &t2, err, sizeof(err)),
			0);
		ck_assert_str_eq(t2, t1);
		free(t1);
		free(t2);
		ir_ruleset__free(rs);
		ir_ruleset__free(back);
	}
}
END_TEST

static const struct {
	const char *line, *why;
} bad_lines[] = {
	{"filter add dev v0 ingress protocol ip prio 1 flower dst_ipx 1.2.3.4 "
	 "action drop",
	 "unknown key 'dst_ipx'"},
	{"filter add dev v0 ingress protocol ip prio 1 flower dst_ip 1.2.3.999 "
	 "action drop",
	 "bad value for 'dst_ip'"},
	{"filter add dev v0 ingress protocol ip prio 1 flower action drop "
	 "action pass",
	 "after the verdict"},
	{"filter add dev v0 ingress protocol ip flower action drop", "no prio"},
	{"filter add dev v0 ingress protocol ip prio 1 flower ip_proto tcp",
	 "no verdict"},
	{"filter add dev v0 ingress protocol ip prio 1 flower action mirred "
	 "egress redirect dev nosuchdev0",
	 "unknown device 'nosuchdev0'"},
	{"qdisc add dev v0 clsact", "want 'filter add"},
};

START_TEST(test_flower_parse_errors)
{
	struct be_opts o = {.dev = "v0"};
	struct be_flower_filter f;
	char err[256] = "";

	ck_assert_int_lt(be_flower_parse_line(bad_lines[_i].line, &o, &f, err,
					      sizeof(err)),
			 0);
	ck_assert_msg(strstr(err, bad_lines[_i].why), "%s: '%s'",
		      bad_lines[_i].line, err);
}
END_TEST

START_TEST(test_flower_parse_file_error_line)
{
	const char *text = "# program: x\n\nfilter add dev v0 ingress protocol "
			   "ip prio 1 flower action drop\nfilter add dev v0 "
			   "ingress protocol ip prio 2 flower bogus 1 action "
			   "drop\n";
	struct be_opts o = {.dev = "v0"};
	char err[256] = "";
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct ir_ruleset *rs =
		be_find("flower")->parse(f, &o, err, sizeof(err));

	fclose(f);
	ck_assert_ptr_null(rs);
	ck_assert_msg(!strncmp(err, "4: ", 3), "%s", err);
}
END_TEST

/* A header value the IR refuses is an error with its line, in every
 * backend's parser (found by fuzz_rules: it used to fail silently). */
static const struct {
	const char *be, *text;
} bad_headers[] = {
	{"flower", "# program: x\n# hook: tc-ingress:\n"},
	{"nft", "# program: x\n# hook: tc-ingress:\ntable netdev t {\n}\n"},
	{"rteflow", "# program: x\n# hook: tc-ingress:\n"},
};

START_TEST(test_bad_header_line)
{
	struct be_opts o = {.dev = "v0"};
	char err[256] = "";
	FILE *f = fmemopen((void *)bad_headers[_i].text,
			   strlen(bad_headers[_i].text), "r");
	struct ir_ruleset *rs =
		be_find(bad_headers[_i].be)->parse(f, &o, err, sizeof(err));

	fclose(f);
	ck_assert_ptr_null(rs);
	ck_assert_msg(!strcmp(err, "2: bad header line 'hook': Invalid "
			      "argument"), "%s: '%s'", bad_headers[_i].be, err);
}
END_TEST

/* Device names travel in the file: it reads back where they do not exist */
START_TEST(test_flower_ifnames_in_file)
{
	struct ir_ruleset *rs =
		parse_ir("prio 1 eth.type=0x0800 -> redirect(41,ingress)\n"
			 "prio 2 meta.ifindex=42 eth.type=0x0800 -> drop");
	static const struct be_ifname far[] = {{41, "far41"}, {42, "far42"}};
	struct be_opts o = {.dev = "v0", .ifnames = far, .n_ifnames = 2};
	struct be_opts none = {0};
	char *text = NULL, err[512] = "", a[512], b[512];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct ir_ruleset *back;

	ck_assert_int_eq(be_flower_ops.print(rs, &o, f, err, sizeof(err)), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "# ifname: 41=far41\n"
					   "# ifname: 42=far42\n"));
	f = fmemopen(text, strlen(text), "r");
	back = be_flower_ops.parse(f, &none, err, sizeof(err));
	fclose(f);
	ck_assert_msg(back, "%s", err);
	for (size_t i = 0; i < 2; i++) {
		ir_rule__snprint(ir_ruleset__rule_c(rs, i), a, sizeof(a),
				 false);
		ir_rule__snprint(ir_ruleset__rule_c(back, i), b, sizeof(b),
				 false);
		ck_assert_str_eq(b, a);
	}
	ck_assert_ptr_null(ir_ruleset__meta(back, "ifname"));
	free(text);
	ir_ruleset__free(rs);
	ir_ruleset__free(back);
}
END_TEST

/* Where two texts first differ: the line of each, for short messages. */
static void first_diff(const char *a, const char *b, char *out, size_t size)
{
	size_t i = 0, line = 0;

	while (a[i] && a[i] == b[i])
		line += a[i++] == '\n';
	while (i && a[i - 1] != '\n')
		i--;
	snprintf(out, size, "line %zu:\n< %.*s\n> %.*s", line + 1,
		 (int)strcspn(a + i, "\n"), a + i, (int)strcspn(b + i, "\n"),
		 b + i);
}

/* nft text -> IR -> nft text is the identity, for every nft case and
 * for the golden nft files (when the tree has them). */
static void nft_round_trip(const char *text, const char *what)
{
	struct be_opts o = {.dev = "v0", .ifnames = ifnames, .n_ifnames = 2};
	char *again = NULL, err[512] = "", diff[1024];
	size_t len = 0, n_tab = 0;
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct ir_ruleset *back = be_nft_ops.parse(f, &o, err, sizeof(err));
	struct be_ifname *tab = NULL;
	const char *dev, *p;

	/* print with the device names the file itself carries */
	for (p = text; (p = strstr(p, "# ifname: ")); p++)
		be_parse_ifname_line(p, &tab, &n_tab);
	if (n_tab) {
		o.ifnames = tab;
		o.n_ifnames = n_tab;
	}

	fclose(f);
	ck_assert_msg(back, "%s: %s", what, err);
	dev = strstr(text, "device \"");
	ck_assert_ptr_nonnull(dev);
	o.dev = strndup(dev + 8, strcspn(dev + 8, "\""));
	o.offload =
		strstr(text, "flags offload;") ? BE_OFFLOAD_HW : BE_OFFLOAD_SW;
	f = open_memstream(&again, &len);
	ck_assert_int_eq(be_nft_ops.print(back, &o, f, err, sizeof(err)), 0);
	fclose(f);
	first_diff(text, again, diff, sizeof(diff));
	ck_assert_msg(!strcmp(again, text), "%s: %s", what, diff);
	free((char *)o.dev);
	free(again);
	free(tab);
	ir_ruleset__free(back);
}

START_TEST(test_nft_round_trip)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ir_ruleset *rs;
		char *t = NULL, err[512];

		if (strcmp(cases[i].be, "nft") || !cases[i].want)
			continue;
		rs = parse_ir(cases[i].rule);
		ck_assert_int_eq(print_be(be_find("nft"), rs, cases[i].offload,
					  &t, err, sizeof(err)),
				 0);
		nft_round_trip(t, cases[i].rule);
		free(t);
		ir_ruleset__free(rs);
	}
}
END_TEST

START_TEST(test_nft_round_trip_goldens)
{
	const char *src = getenv("FLOWLIFT_SRC");
	char *pat;
	glob_t g;

	ck_assert(asprintf(&pat, "%s/testsuite/golden/*.nft", src ? src : ".") >
		  0);
	if (!glob(pat, 0, NULL, &g)) {
		for (size_t k = 0; k < g.gl_pathc; k++) {
			char *text = fl_read_file(g.gl_pathv[k], NULL);

			if (text && strncmp(text, "exit ", 5))
				nft_round_trip(text, g.gl_pathv[k]);
			free(text);
		}
		globfree(&g);
	}
	free(pat);
}
END_TEST

/* Without the header lines that count rules: duplicates left out of the
 * text do not come back, so the counts may differ. */
static char *without_counts(const char *text)
{
	char *out = calloc(1, strlen(text) + 1), *o = out;

	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0);

		if (strncmp(p, "# rule counts: ", 15) &&
		    strncmp(p, "# duplicates: ", 14)) {
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	return out;
}

/* rte_flow text -> IR -> rte_flow text is the identity too (but for the
 * counts). */
static void rteflow_round_trip(const char *text, const char *what)
{
	struct be_opts o = {0};
	char *again = NULL, err[512] = "", diff[1024], *a, *b;
	size_t len = 0;
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct ir_ruleset *back = be_rteflow_ops.parse(f, &o, err, sizeof(err));

	fclose(f);
	ck_assert_msg(back, "%s: %s", what, err);
	f = open_memstream(&again, &len);
	ck_assert_int_eq(be_rteflow_ops.print(back, &o, f, err, sizeof(err)),
			 0);
	fclose(f);
	a = without_counts(text);
	b = without_counts(again);
	first_diff(a, b, diff, sizeof(diff));
	ck_assert_msg(!strcmp(a, b), "%s: %s", what, diff);
	free(a);
	free(b);
	free(again);
	ir_ruleset__free(back);
}

START_TEST(test_rteflow_round_trip)
{
	const char *src = getenv("FLOWLIFT_SRC");
	char *pat;
	glob_t g;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ir_ruleset *rs;
		char *t = NULL, err[512];
		struct be_opts o = {0};
		size_t len = 0;
		FILE *f;

		if (strcmp(cases[i].be, "rteflow") || !cases[i].want)
			continue;
		rs = parse_ir(cases[i].rule);
		f = open_memstream(&t, &len);
		ck_assert_int_eq(
			be_rteflow_ops.print(rs, &o, f, err, sizeof(err)), 0);
		fclose(f);
		rteflow_round_trip(t, cases[i].rule);
		free(t);
		ir_ruleset__free(rs);
	}
	ck_assert(asprintf(&pat, "%s/testsuite/golden/*.rteflow",
			   src ? src : ".") > 0);
	if (!glob(pat, 0, NULL, &g)) {
		for (size_t k = 0; k < g.gl_pathc; k++) {
			char *text = fl_read_file(g.gl_pathv[k], NULL);

			if (text && strncmp(text, "exit ", 5))
				rteflow_round_trip(text, g.gl_pathv[k]);
			free(text);
		}
		globfree(&g);
	}
	free(pat);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("be_text");
	TCase *tc = tcase_create("text");

	tcase_add_loop_test(tc, test_print_rule, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_headers);
	tcase_add_test(tc, test_nft_frame);
	tcase_add_test(tc, test_flower_round_trip);
	tcase_add_loop_test(tc, test_flower_parse_errors, 0,
			    sizeof(bad_lines) / sizeof(bad_lines[0]));
	tcase_add_test(tc, test_flower_parse_file_error_line);
	tcase_add_loop_test(tc, test_bad_header_line, 0,
			    sizeof(bad_headers) / sizeof(bad_headers[0]));
	tcase_add_test(tc, test_flower_ifnames_in_file);
	tcase_add_test(tc, test_nft_round_trip);
	tcase_add_test(tc, test_nft_round_trip_goldens);
	tcase_add_test(tc, test_rteflow_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fl_check_run(suite());
}
