// SPDX-License-Identifier: Apache-2.0
/*
 * be_flower.c - tc flower as `tc -batch` text.
 *
 * One line per rule:
 *   filter add dev DEV ingress protocol P prio N [chain C] flower KEYS
 *       [skip_sw|skip_hw] action ...
 * Keys are spelled and ordered as iproute2's tc/f_flower.c parses them
 * (ip_proto before ports, vlan_ethtype before ip_proto; ip_tos/ip_ttl and
 * tcp_flags in hex, icmp type/code and ports in decimal).
 *
 * The slow path. A rule whose action is slowpath must stop the later
 * flower rules from deciding the packet, and hand it to the eBPF program:
 *  - hw (skip_sw): `action trap`: the NIC hands the packet to the kernel,
 *    where no skip_sw filter exists, so it reaches the eBPF program attached
 *    after the flower rules in software. (In software, trap would free the
 *    packet, so it is never used with rules that also live in software.)
 *  - sw / both: `action goto chain S` (S = chain + 1): classification
 *    continues in chain S, where the eBPF program must be attached too
 *    (`tc filter add dev DEV ingress chain S prio 1 bpf da obj ...`).
 *    `continue` would be wrong: the next flower rule could still match.
 * Packets no rule matches fall through to the eBPF program at a later prio
 * in the rules' own chain; the header says both places.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "backends/backends_internal.h"
#include "common/common.h"

#define EMX (IR_CAP_EXACT | IR_CAP_MASK | IR_CAP_PREFIX)

const struct ir_caps be_flower_caps = {
	.name = "flower",
	.dissector = IR_DIS_FLOWER,
	.field_match =
		{
			[IR_F_META_IFINDEX] = IR_CAP_EXACT,
			[IR_F_ETH_DST] = EMX,
			[IR_F_ETH_SRC] = EMX,
			[IR_F_ETH_TYPE] = IR_CAP_EXACT,
			[IR_F_VLAN_ID] = IR_CAP_EXACT,
			[IR_F_VLAN_PCP] = IR_CAP_EXACT,
			[IR_F_VLAN_TYPE] = IR_CAP_EXACT,
			[IR_F_NUM_VLANS] = IR_CAP_EXACT,
			[IR_F_IP_PROTO] = IR_CAP_EXACT,
			[IR_F_IP_TOS] = EMX,
			[IR_F_IP_TTL] = EMX,
			[IR_F_IP_FRAG] = IR_CAP_EXACT | IR_CAP_MASK,
			[IR_F_IP4_SRC] = IR_CAP_EXACT | IR_CAP_PREFIX,
			[IR_F_IP4_DST] = IR_CAP_EXACT | IR_CAP_PREFIX,
			[IR_F_IP6_SRC] = IR_CAP_EXACT | IR_CAP_PREFIX,
			[IR_F_IP6_DST] = IR_CAP_EXACT | IR_CAP_PREFIX,
			[IR_F_L4_SPORT] = EMX | IR_CAP_RANGE,
			[IR_F_L4_DPORT] = EMX | IR_CAP_RANGE,
			[IR_F_TCP_FLAGS] = EMX,
			[IR_F_ICMP_TYPE] = EMX,
			[IR_F_ICMP_CODE] = EMX,
		},
	.verdicts = 1u << IR_ACT_SLOWPATH | 1u << IR_ACT_DROP |
		    1u << IR_ACT_PASS | 1u << IR_ACT_REDIRECT | 1u << IR_ACT_TX,
	.rewrites = true,
	/* tc prios are 16 bits and 0 means "kernel picks"; the upper half is
	 * left for be_opts.prio_base. */
	.prio_min = 1,
	.prio_max = 32767,
	.max_rules = 0,
	.l4_needs_proto = true,
	.l3_needs_ethtype = true,
};

uint32_t be_flower_slow_chain(const struct be_opts *o)
{
	return o->chain + 1;
}

static const struct {
	uint16_t type;
	const char *name;
} eth_names[] = {
	{0x0800, "ip"},	     {0x86dd, "ipv6"}, {0x8100, "802.1Q"},
	{0x88a8, "802.1ad"}, {0x0806, "arp"},
};

static const struct {
	uint8_t proto;
	const char *name;
} proto_names[] = {
	{6, "tcp"}, {17, "udp"}, {132, "sctp"}, {1, "icmp"}, {58, "icmpv6"},
};

static void print_ethtype(FILE *out, uint16_t t)
{
	for (size_t i = 0; i < FL_ARRAY_SIZE(eth_names); i++) {
		if (eth_names[i].type == t) {
			fputs(eth_names[i].name, out);
			return;
		}
	}
	fprintf(out, "0x%04x", t);
}

int be_flower_ethtype_parse(const char *s, uint16_t *t)
{
	char *end;
	unsigned long v;

	if (!strcmp(s, "all")) {
		*t = 0x0003;
		return 0;
	}
	if (!strcmp(s, "ipv4")) {
		*t = 0x0800;
		return 0;
	}
	for (size_t i = 0; i < FL_ARRAY_SIZE(eth_names); i++) {
		if (!strcasecmp(eth_names[i].name, s)) {
			*t = eth_names[i].type;
			return 0;
		}
	}
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > 0xffff)
		return -EINVAL;
	*t = v;
	return 0;
}

int be_flower_proto_parse(const char *s, uint8_t *p)
{
	char *end;
	unsigned long v;

	for (size_t i = 0; i < FL_ARRAY_SIZE(proto_names); i++) {
		if (!strcmp(proto_names[i].name, s)) {
			*p = proto_names[i].proto;
			return 0;
		}
	}
	/* iproute2 reads IP-PROTO as hex */
	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || *end || end == s || v > 0xff)
		return -EINVAL;
	*p = v;
	return 0;
}

static void print_proto(FILE *out, uint8_t p)
{
	for (size_t i = 0; i < FL_ARRAY_SIZE(proto_names); i++) {
		if (proto_names[i].proto == p) {
			fputs(proto_names[i].name, out);
			return;
		}
	}
	fprintf(out, "0x%02x", p);
}

static void print_mac(FILE *out, const uint8_t *b)
{
	fprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3],
		b[4], b[5]);
}

/* In the order tc's parser needs them. eth.type is the filter protocol,
 * not a key. */
static const struct flower_key keys[] = {
	{IR_F_META_IFINDEX, "indev", FK_IFNAME},
	{IR_F_NUM_VLANS, "num_of_vlans", FK_DEC},
	{IR_F_ETH_DST, "dst_mac", FK_MAC},
	{IR_F_ETH_SRC, "src_mac", FK_MAC},
	{IR_F_VLAN_ID, "vlan_id", FK_DEC},
	{IR_F_VLAN_PCP, "vlan_prio", FK_DEC},
	{IR_F_VLAN_TYPE, "vlan_ethtype", FK_ETHTYPE},
	{IR_F_IP_PROTO, "ip_proto", FK_PROTO},
	{IR_F_IP_TOS, "ip_tos", FK_HEXMASK},
	{IR_F_IP_TTL, "ip_ttl", FK_HEXMASK},
	{IR_F_IP_FRAG, "ip_flags", FK_FRAG},
	{IR_F_IP4_DST, "dst_ip", FK_ADDR},
	{IR_F_IP4_SRC, "src_ip", FK_ADDR},
	{IR_F_IP6_DST, "dst_ip", FK_ADDR},
	{IR_F_IP6_SRC, "src_ip", FK_ADDR},
	{IR_F_L4_DPORT, "dst_port", FK_PORT},
	{IR_F_L4_SPORT, "src_port", FK_PORT},
	{IR_F_TCP_FLAGS, "tcp_flags", FK_HEXMASK},
	{IR_F_ICMP_TYPE, "type", FK_DECMASK},
	{IR_F_ICMP_CODE, "code", FK_DECMASK},
};

const struct flower_key *be_flower_key_by_kw(const char *kw, bool v6)
{
	/* the first letter rules out all but one or two keys (apply looks
	 * up every key of every line) */
	for (size_t i = 0; i < FL_ARRAY_SIZE(keys); i++) {
		if (keys[i].kw[0] != kw[0] || strcmp(keys[i].kw, kw))
			continue;
		if (keys[i].fmt == FK_ADDR &&
		    (keys[i].field == IR_F_IP6_DST ||
		     keys[i].field == IR_F_IP6_SRC) != v6)
			continue;
		return &keys[i];
	}
	return NULL;
}

static int print_key(FILE *out, const struct flower_key *k,
		     const struct ir_match *m, const struct be_opts *o,
		     char *err, size_t errsz)
{
	const struct ir_field *fd = ir_field__get(m->field);
	uint64_t key = 0, mask = 0;
	char name[IF_NAMESIZE], buf[INET6_ADDRSTRLEN];
	bool exact = be_match_is_exact(m);
	int ret, plen;

	if (m->kind == IR_MATCH_RANGE && k->fmt != FK_PORT)
		goto unsupported;
	if (m->kind == IR_MATCH_MASK && fd->width <= 64) {
		key = ir_val__u64(&m->key, m->field);
		mask = ir_val__u64(&m->mask, m->field);
	}
	fprintf(out, " %s ", k->kw);
	switch (k->fmt) {
	case FK_IFNAME:
		if (!exact)
			goto unsupported;
		ret = be_ifname(o, key, name, err, errsz);
		if (ret)
			return ret;
		fputs(name, out);
		return 0;
	case FK_DEC:
		if (!exact)
			goto unsupported;
		fprintf(out, "%llu", (unsigned long long)key);
		return 0;
	case FK_ETHTYPE:
	case FK_PROTO:
		if (!exact)
			goto unsupported;
		if (k->fmt == FK_ETHTYPE)
			print_ethtype(out, key);
		else
			print_proto(out, key);
		return 0;
	case FK_MAC:
		print_mac(out, m->key.b);
		if (!exact) {
			fputc('/', out);
			print_mac(out, m->mask.b);
		}
		return 0;
	case FK_HEXMASK:
		fprintf(out, "0x%llx", (unsigned long long)key);
		if (!exact)
			fprintf(out, "/0x%llx", (unsigned long long)mask);
		return 0;
	case FK_DECMASK:
		fprintf(out, "%llu", (unsigned long long)key);
		if (!exact)
			fprintf(out, "/%llu", (unsigned long long)mask);
		return 0;
	case FK_PORT:
		if (m->kind == IR_MATCH_RANGE && m->lo == m->hi) {
			fprintf(out, "%llu%s", (unsigned long long)m->lo,
				m->lo ? "" : "/0xffff");
			return 0;
		}
		if (m->kind == IR_MATCH_RANGE && !m->lo)
			goto unsupported; /* split by expand_ports() */
		if (m->kind == IR_MATCH_RANGE) {
			fprintf(out, "%llu-%llu", (unsigned long long)m->lo,
				(unsigned long long)m->hi);
			return 0;
		}
		/* tc reads port 0 as "no port": write it masked */
		fprintf(out, "%llu", (unsigned long long)key);
		if (!exact || !key)
			fprintf(out, "/0x%llx", (unsigned long long)mask);
		return 0;
	case FK_FRAG:
		if (!mask)
			goto unsupported;
		if (mask & 1)
			fputs(key & 1 ? "frag" : "nofrag", out);
		if (mask & 2)
			fprintf(out, "%s%s", mask & 1 ? "/" : "",
				key & 2 ? "firstfrag" : "nofirstfrag");
		return 0;
	case FK_ADDR:
		plen = be_match_plen(m);
		if (plen < 0)
			goto unsupported;
		inet_ntop(fd->width == 32 ? AF_INET : AF_INET6, m->key.b, buf,
			  sizeof(buf));
		fputs(buf, out);
		if ((unsigned int)plen != fd->width)
			fprintf(out, "/%d", plen);
		return 0;
	}
unsupported:
	return fl_err(err, errsz, -EOPNOTSUPP,
		      "flower cannot express this match on %s", fd->name);
}

static int print_keys(FILE *out, const struct be_flower_filter *f,
		      const struct be_opts *o, char *err, size_t errsz)
{
	const struct ir_rule *r = &f->rule;
	uint16_t l3 = be_rule_l3_type(r);
	uint64_t proto = 0, nvlans = 0;
	bool has_proto = be_rule_exact(r, IR_F_IP_PROTO, &proto);

	if (!be_rule_exact(r, IR_F_NUM_VLANS, &nvlans))
		nvlans = 0;
	int ret;

	for (uint32_t i = 0; i < r->n_matches; i++) {
		enum ir_field_id id = r->matches[i].field;
		const struct ir_field *fd = ir_field__get(id);

		if (id == IR_F_ETH_TYPE)
			continue;
		if (fd->layer >= IR_LAYER_L3 && l3 != 0x0800 && l3 != 0x86dd)
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "flower matches %s only behind protocol "
				      "ip or ipv6",
				      fd->name);
		/* the kernel (is_vlan_key) and tc take vlan keys under
		 * protocol all when num_of_vlans >= 1 */
		if ((id == IR_F_VLAN_ID || id == IR_F_VLAN_PCP ||
		     id == IR_F_VLAN_TYPE) &&
		    !be_eth_is_vlan(f->protocol) &&
		    !(f->protocol == 0x0003 && nvlans >= 1))
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "flower matches %s only with protocol "
				      "802.1Q or 802.1ad, or num_of_vlans >= "
				      "1",
				      fd->name);
		if ((id == IR_F_L4_DPORT || id == IR_F_L4_SPORT) &&
		    (!has_proto || (proto != 6 && proto != 17 && proto != 132)))
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "flower matches %s only with ip_proto "
				      "tcp, udp or sctp",
				      fd->name);
		if (id == IR_F_TCP_FLAGS && proto != 6)
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "flower matches tcp.flags only with "
				      "ip_proto tcp");
		if ((id == IR_F_ICMP_TYPE || id == IR_F_ICMP_CODE) &&
		    !(proto == 1 && l3 == 0x0800) &&
		    !(proto == 58 && l3 == 0x86dd))
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "flower matches %s only with ip_proto "
				      "icmp (ip) or icmpv6 (ipv6)",
				      fd->name);
	}
	for (size_t k = 0; k < FL_ARRAY_SIZE(keys); k++) {
		const struct ir_match *m = ir_rule__find(r, keys[k].field);

		if (!m)
			continue;
		ret = print_key(out, &keys[k], m, o, err, errsz);
		if (ret)
			return ret;
	}
	for (uint32_t i = 0; i < r->n_matches; i++) {
		enum ir_field_id id = r->matches[i].field;
		bool known = id == IR_F_ETH_TYPE;

		for (size_t k = 0; k < FL_ARRAY_SIZE(keys); k++)
			known |= keys[k].field == id;
		if (!known)
			return fl_err(err, errsz, -EOPNOTSUPP,
				      "flower has no key for %s",
				      ir_field__get(id)->name);
	}
	return 0;
}

static int print_rewrite(FILE *out, const struct ir_rewrite *rw, char *err,
			 size_t errsz)
{
	switch (rw->kind) {
	case IR_RW_VLAN_PUSH:
		fprintf(out, " action vlan push id %u priority %u protocol ",
			rw->vid, rw->pcp);
		print_ethtype(out, rw->proto ? rw->proto : 0x8100);
		fputs(" pipe", out);
		return 0;
	case IR_RW_VLAN_POP:
		fputs(" action vlan pop pipe", out);
		return 0;
	case IR_RW_SET_FIELD:
		if (rw->field == IR_F_VLAN_ID &&
		    be_match_is_exact(&(struct ir_match){.field = IR_F_VLAN_ID,
							 .kind = IR_MATCH_MASK,
							 .mask = rw->mask})) {
			fprintf(out, " action vlan modify id %llu pipe",
				(unsigned long long)ir_val__u64(&rw->val,
								IR_F_VLAN_ID));
			return 0;
		}
		break;
	}
	return fl_err(err, errsz, -EOPNOTSUPP,
		      "flower backend has no action for this rewrite");
}

static int print_verdict(FILE *out, const struct be_flower_filter *f,
			 const struct be_opts *o, char *err, size_t errsz)
{
	const struct ir_action *a = &f->rule.action;
	char name[IF_NAMESIZE];
	int ret;

	switch (a->verdict) {
	case IR_ACT_DROP:
		fputs(" action drop", out);
		return 0;
	case IR_ACT_PASS:
		fputs(" action pass", out);
		return 0;
	case IR_ACT_SLOWPATH:
		if (f->offload == BE_OFFLOAD_HW)
			fputs(" action trap", out);
		else
			fprintf(out, " action goto chain %u",
				be_flower_slow_chain(o));
		return 0;
	case IR_ACT_TX:
		if (!o->dev)
			return fl_err(err, errsz, -EINVAL,
				      "tx needs the device (--dev)");
		fprintf(out, " action mirred egress redirect dev %s", o->dev);
		return 0;
	case IR_ACT_REDIRECT:
		ret = be_ifname(o, a->ifindex, name, err, errsz);
		if (ret)
			return ret;
		fprintf(out, " action mirred %s redirect dev %s",
			a->ingress ? "ingress" : "egress", name);
		return 0;
	default:
		return fl_err(err, errsz, -EOPNOTSUPP, "unknown verdict %d",
			      a->verdict);
	}
}

int be_flower_filter_from_rule(struct be_flower_filter *f,
			       const struct ir_rule *r, const struct be_opts *o,
			       char *err, size_t errsz)
{
	uint64_t t;
	uint32_t prio = r->prio + o->prio_base;

	memset(f, 0, sizeof(*f));
	if (prio < 1 || prio > 0xffff || prio < r->prio)
		return fl_err(err, errsz, -ERANGE,
			      "prio %u (+%u) is outside tc's 1..65535", r->prio,
			      o->prio_base);
	f->egress = o->egress;
	f->chain = o->chain;
	f->prio = prio;
	f->offload = o->offload;
	f->protocol = be_rule_exact(r, IR_F_ETH_TYPE, &t) ? t : 0x0003;
	if (ir_rule__find(r, IR_F_ETH_TYPE) && f->protocol == 0x0003 &&
	    !be_rule_exact(r, IR_F_ETH_TYPE, &t))
		return fl_err(err, errsz, -EOPNOTSUPP,
			      "flower matches eth.type exactly only");
	f->rule = *r;
	memset(&f->rule.prov, 0, sizeof(f->rule.prov));
	f->rule.prio = prio;
	return 0;
}

int be_flower_print_filter(const struct be_flower_filter *f,
			   const struct be_opts *o, FILE *out, char *err,
			   size_t errsz)
{
	int ret;

	if (!o->dev)
		return fl_err(err, errsz, -EINVAL,
			      "--target flower needs --dev DEV");
	fprintf(out, "filter add dev %s %s protocol ", o->dev,
		f->egress ? "egress" : "ingress");
	if (f->protocol == 0x0003)
		fputs("all", out);
	else
		print_ethtype(out, f->protocol);
	fprintf(out, " prio %u", f->prio);
	if (f->chain)
		fprintf(out, " chain %u", f->chain);
	fputs(" flower", out);
	ret = print_keys(out, f, o, err, errsz);
	if (ret)
		return ret;
	if (f->offload == BE_OFFLOAD_HW)
		fputs(" skip_sw", out);
	else if (f->offload == BE_OFFLOAD_SW)
		fputs(" skip_hw", out);
	for (uint8_t i = 0; i < f->rule.action.n_rewrites; i++) {
		ret = print_rewrite(out, &f->rule.action.rewrites[i], err,
				    errsz);
		if (ret)
			return ret;
	}
	return print_verdict(out, f, o, err, errsz);
}

static const char *const offload_names[] = {
	[BE_OFFLOAD_HW] = "hw (skip_sw)",
	[BE_OFFLOAD_SW] = "sw (skip_hw)",
	[BE_OFFLOAD_BOTH] = "both",
};

static void print_header(const struct ir_ruleset *rs, const struct be_opts *o,
			 size_t n_dup, FILE *out)
{
	fprintf(out, "# flowlift flower rules for dev %s %s, offload %s\n",
		o->dev, o->egress ? "egress" : "ingress",
		offload_names[o->offload]);
	be_print_meta(rs, out);
	be_print_ifnames(rs, o, out);
	if (n_dup)
		fprintf(out,
			"# duplicates: %zu rules with the matches of an "
			"earlier rule left out (they never match)\n",
			n_dup);
	if (o->offload == BE_OFFLOAD_HW)
		fprintf(out, "# slow path: action trap and misses go to the "
			     "eBPF program after these rules in software\n");
	else
		fprintf(out,
			"# slow path: chain %u (action goto chain %u) and "
			"misses after the last prio: attach the eBPF program "
			"in both\n",
			be_flower_slow_chain(o), be_flower_slow_chain(o));
	fprintf(out, "# tc setup: tc qdisc add dev %s clsact\n", o->dev);
}

/* tc cannot write a port range from 0 ("0-N" is illegal, 0 means "no
 * port"): such a rule becomes one filter for port 0 and one for 1-N (per
 * port field), same prio, same action. Returns the number of rules in
 * out (1..4); out rules share r's provenance pointers (not owned). */
static size_t expand_ports(const struct ir_rule *r, struct ir_rule *out)
{
	static const enum ir_field_id ports[] = {IR_F_L4_SPORT, IR_F_L4_DPORT};
	size_t n = 1;

	out[0] = *r;
	for (size_t p = 0; p < 2; p++) {
		const struct ir_match *m = ir_rule__find(r, ports[p]);
		size_t k = n;

		if (!m || m->kind != IR_MATCH_RANGE || m->lo || !m->hi)
			continue;
		for (size_t i = 0; i < k; i++) {
			struct ir_match *a = (struct ir_match *)ir_rule__find(
				&out[i], ports[p]);

			out[n] = out[i];
			ir_match__exact(a, ports[p], 0);
			a = (struct ir_match *)ir_rule__find(&out[n], ports[p]);
			ir_match__range(a, ports[p], 1, m->hi);
			n++;
		}
	}
	return n;
}

/* One rule as one filter line, moving later prios up when a prio would
 * mix protocols (see flower_print). */
static int print_rule(const struct ir_rule *r, size_t i,
		      const struct be_opts *o, struct be_opts *ob,
		      struct be_flower_filter *prev, bool *first, FILE *out,
		      char *err, size_t errsz)
{
	struct be_flower_filter cur;
	char *buf = NULL;
	size_t len = 0;
	FILE *line;
	int ret;

	ret = be_flower_filter_from_rule(&cur, r, ob, err, errsz);
	if (!ret && !*first && cur.prio == prev->prio &&
	    cur.protocol != prev->protocol) {
		ob->prio_base++;
		ret = be_flower_filter_from_rule(&cur, r, ob, err, errsz);
	}
	if (!ret) {
		line = open_memstream(&buf, &len);
		ret = line ? be_flower_print_filter(&cur, o, line, err, errsz)
			   : -ENOMEM;
		if (line)
			fclose(line);
		if (!ret)
			fprintf(out, "%s\n", buf);
		free(buf);
	}
	if (ret) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", err ? err : "");
		return fl_err(err, errsz, ret, "flower: rule %zu (prio %u): %s",
			      i, r->prio, msg);
	}
	*prev = cur;
	*first = false;
	return 0;
}

/*
 * Filters sharing a tc prio must share the protocol (one tcf_proto per
 * prio and protocol). Rules of one IR prio with different eth.types get
 * consecutive tc prios, in list order, and every later prio moves up by
 * as much, so the order is kept and tc prio = IR prio + prio_base when no
 * prio mixes protocols.
 */
static int flower_print(const struct ir_ruleset *rs, const struct be_opts *o,
			FILE *out, char *err, size_t errsz)
{
	struct be_flower_filter prev = {0};
	struct ir_rule var[4];
	struct be_opts ob = *o;
	size_t n = ir_ruleset__count(rs), n_dup, n_var;
	bool *dup, first = true;
	int ret = 0;

	if (!o->dev)
		return fl_err(err, errsz, -EINVAL,
			      "--target flower needs --dev DEV");
	dup = be_duplicates(rs, &n_dup);
	if (!dup)
		return -ENOMEM;
	print_header(rs, o, n_dup, out);
	for (size_t i = 0; i < n && !ret; i++) {
		const struct ir_rule *r = ir_ruleset__rule_c(rs, i);

		if (dup[i])
			continue;
		n_var = expand_ports(r, var);
		for (size_t v = 0; v < n_var && !ret; v++)
			ret = print_rule(&var[v], i, o, &ob, &prev, &first, out,
					 err, errsz);
	}
	free(dup);
	return ret ? ret : ferror(out) ? -EIO : 0;
}

struct ir_ruleset *be_flower_parse(FILE *f, const struct be_opts *o, char *err,
				   size_t errsz);

const struct be_ops be_flower_ops = {
	.name = "flower",
	.caps = &be_flower_caps,
	.print = flower_print,
	.parse = be_flower_parse,
};
