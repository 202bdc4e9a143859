// SPDX-License-Identifier: Apache-2.0
/*
 * test_be_nft_datapath.c - nftables rules from the nft backend, run for
 * real on this kernel and checked against the IR's own model of nft.
 *
 * Two netns joined by a veth pair; the rule set (without the offload
 * flag) goes on v0's netdev ingress, with a second base chain after it
 * (priority 10) that counts what got through. Frames built by hand
 * (well-formed, with IP options, fragments, extension headers, VLAN tags,
 * truncated and malformed ones) are sent from the other namespace with a
 * packet socket. For each frame the rule counters (nft -j list ruleset)
 * must show exactly the rule that ir_ruleset__eval(IR_DIS_NFT) picks for
 * the same bytes (or none), and the pass-through counter must say whether
 * it was dropped. (Measured here: nft matches IP fields behind one VLAN
 * tag, because the kernel moves the outer tag into the skb before the
 * netdev hook, as the IR's nft model now says (prio 25); and nft's fast
 * path reads ports of later IPv4 fragments, so the backend guards L4
 * matches with "not a later fragment".) A marker frame after
 * each test frame tells when the kernel is done with it (the sender is pinned
 * to one CPU, so frames stay in order). Root and nft, else 77.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/socket.h>

#include "backends/backends_internal.h"
#include "common/common.h"
#include "netns.h"
#include "testsuite/fl_check.h"

static char ns_a[64], ns_b[64];
static int sock = -1, ifindex_b;

static const char rules[] =
	"# flowlift-ir 1\n"
	"prio 1 eth.type=0x88b5 -> pass\n" /* the marker */
	"prio 10 eth.type=0x0800 ip.proto=6 ip.frag=0x0 ip4.dst=10.0.0.0/8 "
	"l4.dport=22 -> drop\n"
	"prio 11 eth.type=0x0800 ip.proto=6 ip4.ihl=6 -> slowpath\n"
	"prio 12 eth.type=0x0800 ip.proto=17 l4.dport=53 -> pass\n"
	"prio 13 eth.type=0x0800 ip.proto=17 ip.frag=0x1/0x1 -> drop\n"
	"prio 14 eth.type=0x86dd ip.proto=6 l4.dport=80 -> drop\n"
	"prio 15 eth.type=0x86dd ip6.nexthdr=0 -> slowpath\n"
	"prio 16 eth.type=0x8100 vlan.id=100 -> drop\n"
	"prio 17 eth.type=0x0800 ip.proto=6 tcp.flags=0x2/0x12 -> drop\n"
	"prio 18 eth.type=0x0806 -> pass\n"
	"prio 19 eth.type=0x0800 ip.proto=1 icmp.type=8 -> drop\n"
	"prio 20 eth.dst=02:00:00:00:00:0a eth.type=0x0800 ip.ttl=1 -> drop\n"
	"prio 21 eth.type=0x8100 vlan.type=0x0800 vlan.pcp=5 -> pass\n"
	"prio 22 eth.type=0x0800 ip4.src=192.168.0.0/16 l4.sport=1000-2000 "
	"ip.proto=17 -> drop\n"
	"prio 23 eth.type=0x0800 meta.len=0-40 -> drop\n"
	"prio 24 eth.type=0x86dd ip.proto=58 icmp.type=128 -> drop\n"
	"prio 25 eth.type=0x8100 vlan.type=0x0800 ip4.dst=10.9.9.9 -> drop\n";

/* Frame building. */
struct frame {
	const char *name;
	uint8_t b[256];
	size_t len;
};

static uint8_t *eth(struct frame *f, uint16_t type)
{
	static const uint8_t hdr[12] = {2, 0, 0, 0, 0, 0x0a,
					2, 0, 0, 0, 0, 0x0b};

	memcpy(f->b, hdr, 12);
	f->b[12] = type >> 8;
	f->b[13] = type;
	f->len = 14;
	return f->b + 14;
}

static uint8_t *vlan(struct frame *f, uint16_t tci, uint16_t type)
{
	uint8_t *p = f->b + f->len;

	p[0] = tci >> 8;
	p[1] = tci;
	p[2] = type >> 8;
	p[3] = type;
	f->len += 4;
	return p + 4;
}

/* IPv4 header with ihl words (options zero), total length covering
 * l4len bytes of payload, then room for the payload. */
static uint8_t *ip4(struct frame *f, uint8_t ihl, uint8_t proto, uint8_t ttl,
		    uint16_t frag, uint32_t src, uint32_t dst, size_t l4len)
{
	uint8_t *p = f->b + f->len;
	uint16_t tot = ihl * 4 + l4len;

	memset(p, 0, ihl * 4);
	p[0] = 0x40 | ihl;
	p[2] = tot >> 8;
	p[3] = tot;
	p[6] = frag >> 8;
	p[7] = frag;
	p[8] = ttl;
	p[9] = proto;
	src = htonl(src);
	dst = htonl(dst);
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	f->len += ihl * 4;
	return p + ihl * 4;
}

static uint8_t *ip6(struct frame *f, uint8_t nexthdr, size_t l4len)
{
	uint8_t *p = f->b + f->len;

	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = l4len >> 8;
	p[5] = l4len;
	p[6] = nexthdr;
	p[7] = 64;
	p[8] = 0xfd;
	p[23] = 1;
	p[24] = 0xfd;
	p[39] = 2;
	f->len += 40;
	return p + 40;
}

static uint8_t *l4(struct frame *f, uint16_t sport, uint16_t dport,
		   uint8_t tcpflags, size_t len)
{
	uint8_t *p = f->b + f->len;

	memset(p, 0, len);
	p[0] = sport >> 8;
	p[1] = sport;
	p[2] = dport >> 8;
	p[3] = dport;
	if (len >= 14) {
		p[12] = 0x50;
		p[13] = tcpflags;
	}
	if (len == 8) { /* udp length */
		p[4] = 0;
		p[5] = 8;
	}
	f->len += len;
	return p + len;
}

#define SYN 0x02
#define ACK 0x10
#define NET(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static size_t build_frames(struct frame *fr)
{
	size_t n = 0;
	uint8_t *p;

	fr[n].name = "tcp syn to 10.2.3.4:22";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 5, 6, 64, 0, NET(10, 1, 1, 1), NET(10, 2, 3, 4), 20);
	l4(&fr[n++], 4000, 22, SYN, 20);

	fr[n].name = "tcp syn to :23";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 5, 6, 64, 0, NET(10, 1, 1, 1), NET(172, 16, 0, 1), 20);
	l4(&fr[n++], 4000, 23, SYN, 20);

	fr[n].name = "tcp ack to :23";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 5, 6, 64, 0, NET(10, 1, 1, 1), NET(172, 16, 0, 1), 20);
	l4(&fr[n++], 4000, 23, ACK, 20);

	fr[n].name = "tcp ack with ip options (ihl 6) to 10.2.3.4:22";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 6, 6, 64, 0, NET(10, 1, 1, 1), NET(10, 2, 3, 4), 20);
	l4(&fr[n++], 4000, 22, ACK, 20);

	fr[n].name = "tcp ack with ip options (ihl 6) to :80";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 6, 6, 64, 0, NET(10, 1, 1, 1), NET(172, 16, 0, 1), 20);
	l4(&fr[n++], 4000, 80, ACK, 20);

	fr[n].name = "udp to :53";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 5, 17, 64, 0, NET(10, 1, 1, 1), NET(10, 9, 9, 9), 8);
	l4(&fr[n++], 5000, 53, 0, 8);

	fr[n].name = "udp first fragment (MF) to :99";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 5, 17, 64, 0x2000, NET(10, 1, 1, 1), NET(10, 9, 9, 9), 8);
	l4(&fr[n++], 5000, 99, 0, 8);

	fr[n].name = "udp later fragment (offset 100) to :53";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 5, 17, 64, 100, NET(10, 1, 1, 1), NET(10, 9, 9, 9), 8);
	l4(&fr[n++], 5000, 53, 0, 8);

	fr[n].name = "tcp later fragment to 10.2.3.4:22";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 5, 6, 64, 100, NET(10, 1, 1, 1), NET(10, 2, 3, 4), 20);
	l4(&fr[n++], 4000, 22, SYN, 20);

	fr[n].name = "ipv6 tcp to :80";
	eth(&fr[n], 0x86dd);
	ip6(&fr[n], 6, 20);
	l4(&fr[n++], 4000, 80, SYN, 20);

	fr[n].name = "ipv6 hop-by-hop then tcp to :80";
	eth(&fr[n], 0x86dd);
	p = ip6(&fr[n], 0, 28);
	memset(p, 0, 8);
	p[0] = 6; /* next: tcp, hdr ext len 0 (8 bytes), PadN */
	p[2] = 1;
	p[3] = 4;
	fr[n].len += 8;
	l4(&fr[n++], 4000, 80, SYN, 20);

	fr[n].name = "ipv6 hop-by-hop then udp";
	eth(&fr[n], 0x86dd);
	p = ip6(&fr[n], 0, 16);
	memset(p, 0, 8);
	p[0] = 17;
	p[2] = 1;
	p[3] = 4;
	fr[n].len += 8;
	l4(&fr[n++], 4000, 53, 0, 8);

	fr[n].name = "ipv6 icmpv6 echo request";
	eth(&fr[n], 0x86dd);
	p = ip6(&fr[n], 58, 8);
	memset(p, 0, 8);
	p[0] = 128;
	fr[n++].len += 8;

	fr[n].name = "vlan 100 ipv4 udp";
	eth(&fr[n], 0x8100);
	vlan(&fr[n], 100, 0x0800);
	ip4(&fr[n], 5, 17, 64, 0, NET(10, 1, 1, 1), NET(10, 9, 9, 9), 8);
	l4(&fr[n++], 5000, 53, 0, 8);

	fr[n].name = "vlan 200 pcp 5 ipv4 udp";
	eth(&fr[n], 0x8100);
	vlan(&fr[n], 5 << 13 | 200, 0x0800);
	ip4(&fr[n], 5, 17, 64, 0, NET(10, 1, 1, 1), NET(10, 9, 9, 9), 8);
	l4(&fr[n++], 5000, 53, 0, 8);

	fr[n].name = "vlan 200 pcp 1 ipv4 tcp syn to 10.2.3.4:22";
	eth(&fr[n], 0x8100);
	vlan(&fr[n], 1 << 13 | 200, 0x0800);
	ip4(&fr[n], 5, 6, 64, 0, NET(10, 1, 1, 1), NET(10, 2, 3, 4), 20);
	l4(&fr[n++], 4000, 22, SYN, 20);

	fr[n].name = "vlan 300 ipv4 udp to 10.9.9.9";
	eth(&fr[n], 0x8100);
	vlan(&fr[n], 300, 0x0800);
	ip4(&fr[n], 5, 17, 64, 0, NET(10, 1, 1, 1), NET(10, 9, 9, 9), 8);
	l4(&fr[n++], 5000, 53, 0, 8);

	fr[n].name = "arp";
	p = eth(&fr[n], 0x0806);
	memset(p, 0, 28);
	fr[n++].len += 28;

	fr[n].name = "icmp echo";
	eth(&fr[n], 0x0800);
	p = ip4(&fr[n], 5, 1, 64, 0, NET(10, 1, 1, 1), NET(10, 9, 9, 9), 8);
	memset(p, 0, 8);
	p[0] = 8;
	fr[n++].len += 8;

	fr[n].name = "udp ttl 1";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 5, 17, 1, 0, NET(10, 1, 1, 1), NET(10, 9, 9, 9), 8);
	l4(&fr[n++], 5000, 9, 0, 8);

	fr[n].name = "udp from 192.168.3.4:1500";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 5, 17, 64, 0, NET(192, 168, 3, 4), NET(10, 9, 9, 9), 8);
	l4(&fr[n++], 1500, 9, 0, 8);

	fr[n].name = "ipv4 header cut after 10 bytes";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 5, 6, 64, 0, NET(10, 1, 1, 1), NET(10, 2, 3, 4), 20);
	fr[n++].len = 24;

	fr[n].name = "ipv4 ihl 3 (malformed) tcp to :22";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 5, 6, 64, 0, NET(10, 1, 1, 1), NET(10, 2, 3, 4), 20);
	fr[n].b[14] = 0x43;
	l4(&fr[n++], 4000, 22, SYN, 20);

	fr[n].name = "ipv4 total length past the frame, tcp to :22";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 5, 6, 64, 0, NET(10, 1, 1, 1), NET(10, 2, 3, 4), 200);
	l4(&fr[n++], 4000, 22, SYN, 20);

	fr[n].name = "tcp header cut after 2 bytes, to 10.2.3.4";
	eth(&fr[n], 0x0800);
	ip4(&fr[n], 5, 6, 64, 0, NET(10, 1, 1, 1), NET(10, 2, 3, 4), 2);
	l4(&fr[n++], 4000, 22, SYN, 2);

	fr[n].name = "ethernet header only, type ip";
	eth(&fr[n++], 0x0800);

	fr[n].name = "unknown ethertype 0x1234";
	p = eth(&fr[n], 0x1234);
	memset(p, 0x55, 46);
	fr[n++].len += 46;
	return n;
}

static void cleanup(void)
{
	char cmd[256], *out;

	snprintf(cmd, sizeof(cmd), "ip netns del %s; ip netns del %s", ns_a,
		 ns_b);
	tn_run(cmd, &out);
	free(out);
}

static int open_in_ns(const char *ns)
{
	char path[128];
	int self = open("/proc/self/ns/net", O_RDONLY), fd, s;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY);
	if (self < 0 || fd < 0 || setns(fd, CLONE_NEWNET))
		return -1;
	s = socket(AF_PACKET, SOCK_RAW, 0);
	ifindex_b = if_nametoindex("v1");
	setns(self, CLONE_NEWNET);
	close(fd);
	close(self);
	return s;
}

/* Counters: packets per rule comment in table flowlift, and the
 * pass-through chain's. */
struct counts {
	uint64_t rule[64]; /* by prio */
	uint64_t through;
};

static void read_counts(struct counts *c)
{
	char cmd[128], *out, err[256];
	struct fl_jval *doc;
	const struct fl_jval *arr;

	memset(c, 0, sizeof(*c));
	snprintf(cmd, sizeof(cmd), "ip netns exec %s nft -j list ruleset",
		 ns_a);
	ck_assert_int_eq(tn_run(cmd, &out), 0);
	doc = fl_json_parse(out, strlen(out), err, sizeof(err));
	ck_assert_msg(doc, "%s", err);
	arr = fl_jval__get(doc, "nftables");
	for (size_t i = 0; arr && i < arr->n; i++) {
		const struct fl_jval *r = fl_jval__get(&arr->items[i], "rule");
		const struct fl_jval *t, *cm, *ex;
		uint64_t pk = 0;
		unsigned int prio;

		if (!r)
			continue;
		t = fl_jval__get(r, "table");
		cm = fl_jval__get(r, "comment");
		ex = fl_jval__get(r, "expr");
		for (size_t e = 0; ex && e < ex->n; e++) {
			const struct fl_jval *ct =
				fl_jval__get(&ex->items[e], "counter");

			if (ct && fl_jval__get(ct, "packets"))
				pk = fl_jval__get(ct, "packets")->num;
		}
		if (t && !strcmp(t->str, "flcheck"))
			c->through = pk;
		else if (cm && sscanf(cm->str, "prio %u", &prio) == 1 &&
			 prio < 64)
			c->rule[prio] = pk;
	}
	fl_jval__free(doc);
	free(out);
}

static void send_frame(const uint8_t *b, size_t len)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_ifindex = ifindex_b,
				  .sll_halen = 6};

	ck_assert_int_eq(
		sendto(sock, b, len, 0, (struct sockaddr *)&sll, sizeof(sll)),
		(ssize_t)len);
}

/* Send the marker and wait (bounded) until its counter moved. */
static void settle(struct counts *after, uint64_t marker_before)
{
	struct frame m;
	uint8_t *p = eth(&m, 0x88b5);

	memset(p, 0, 46);
	send_frame(m.b, 60);
	for (int i = 0; i < 500; i++) {
		read_counts(after);
		if (after->rule[1] > marker_before)
			return;
		usleep(10000);
	}
	ck_abort_msg("marker frame never counted");
}

START_TEST(test_datapath_matches_model)
{
	static struct frame fr[64];
	size_t n = build_frames(fr);
	struct ir_ruleset *rs;
	char err[512];
	int matched = 0, dropped = 0, missed = 0;

	rs = ir_ruleset__parse_str(rules, err, sizeof(err));
	ck_assert_msg(rs, "%s", err);
	for (size_t i = 0; i < n; i++) {
		struct ir_meta meta = {.ifindex = 2};
		struct ir_keys k;
		const struct ir_rule *want;
		struct counts before, after;
		int got = -1;

		memset(&k, 0, sizeof(k));
		ir_dissect(IR_DIS_NFT, fr[i].b, fr[i].len, &meta, &k);
		want = ir_ruleset__eval(rs, IR_DIS_NFT, &k);
		read_counts(&before);
		send_frame(fr[i].b, fr[i].len);
		settle(&after, before.rule[1]);
		for (unsigned int p = 2; p < 64; p++) {
			uint64_t d = after.rule[p] - before.rule[p];

			ck_assert_msg(d <= 1, "%s: rule %u counted %llu",
				      fr[i].name, p, (unsigned long long)d);
			if (d) {
				ck_assert_msg(got < 0,
					      "%s: rules %d and %u "
					      "counted",
					      fr[i].name, got, p);
				got = p;
			}
		}
		ck_assert_msg(got == (want ? (int)want->prio : -1),
			      "%s: nft matched prio %d, the IR model says %d",
			      fr[i].name, got, want ? (int)want->prio : -1);
		/* the marker itself passes: +1 */
		ck_assert_msg(
			after.through - before.through ==
				1u + !(want &&
				       want->action.verdict == IR_ACT_DROP),
			"%s: passed %llu frames (with the marker), "
			"want %u",
			fr[i].name,
			(unsigned long long)(after.through - before.through),
			1u + !(want && want->action.verdict == IR_ACT_DROP));
		matched += got >= 0;
		dropped += want && want->action.verdict == IR_ACT_DROP;
		missed += got < 0;
	}
	printf("nft datapath: %zu frames, %d matched (%d dropped), %d to the "
	       "slow path\n",
	       n, matched, dropped, missed);
	ck_assert_int_ge(matched, 10);
	ck_assert_int_ge(dropped, 5);
	ck_assert_int_ge(missed, 2);
	ir_ruleset__free(rs);
}
END_TEST

static void setup_netns(void)
{
	struct be_opts o = {.dev = "v0", .offload = BE_OFFLOAD_SW};
	struct ir_ruleset *rs;
	char err[512], *text = NULL, *cmd, *out;
	size_t len = 0;
	FILE *f;
	const char *path;
	cpu_set_t cpu;

	snprintf(ns_a, sizeof(ns_a), "flbe-dp-a-%d", getpid());
	snprintf(ns_b, sizeof(ns_b), "flbe-dp-b-%d", getpid());
	atexit(cleanup);
	ck_assert(
		asprintf(&cmd,
			 "ip netns add %1$s && ip netns add %2$s && "
			 /* no stray IPv6 (MLD, router solicitations) on the
			    wire */
			 "ip netns exec %1$s sysctl -qw "
			 "net.ipv6.conf.all.disable_ipv6=1 "
			 "net.ipv6.conf.default.disable_ipv6=1 && "
			 "ip netns exec %2$s sysctl -qw "
			 "net.ipv6.conf.all.disable_ipv6=1 "
			 "net.ipv6.conf.default.disable_ipv6=1 && "
			 "ip -n %1$s link add v0 type veth peer name v1 netns "
			 "%2$s && "
			 "ip -n %1$s link set v0 address 02:00:00:00:00:0a && "
			 "ip -n %1$s link set v0 up && ip -n %2$s link set v1 "
			 "up",
			 ns_a, ns_b) > 0);
	if (tn_run(cmd, &out)) {
		printf("skip: netns setup: %s\n", out);
		exit(77);
	}
	free(cmd);
	free(out);
	rs = ir_ruleset__parse_str(rules, err, sizeof(err));
	ck_assert_msg(rs, "%s", err);
	f = open_memstream(&text, &len);
	ck_assert_int_eq(be_nft_ops.print(rs, &o, f, err, sizeof(err)), 0);
	fprintf(f, "table netdev flcheck {\n\tchain after {\n\t\ttype filter "
		   "hook ingress device \"v0\" priority "
		   "10;\n\t\tcounter\n\t}\n}\n");
	fclose(f);
	path = tn_tmpfile(text, 2);
	ck_assert(asprintf(&cmd, "ip netns exec %s nft -f %s", ns_a, path) > 0);
	ck_assert_msg(tn_run(cmd, &out) == 0, "nft -f:\n%s\n%s", out, text);
	unlink(path);
	free(cmd);
	free(out);
	free(text);
	ir_ruleset__free(rs);
	sock = open_in_ns(ns_b);
	ck_assert_int_ge(sock, 0);
	CPU_ZERO(&cpu);
	CPU_SET(0, &cpu);
	sched_setaffinity(0, sizeof(cpu), &cpu);
}

int main(void)
{
	static const char *const tools[] = {"nft", "ip", NULL};
	Suite *s = suite_create("be_nft_datapath");
	TCase *tc = tcase_create("datapath");
	SRunner *sr;
	int failed;

	tn_require(tools);
	tcase_add_unchecked_fixture(tc, setup_netns, NULL);
	tcase_add_test(tc, test_datapath_matches_model);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	failed = fl_check_runner(sr) != EXIT_SUCCESS;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
