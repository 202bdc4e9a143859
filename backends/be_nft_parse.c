// SPDX-License-Identifier: Apache-2.0
/*
 * be_nft_parse.c - read flowlift's own nft file back into IR (diff, round
 * trips). It knows the expressions be_nft.c writes, in the forms it writes
 * them; anything else is an error naming the line and the token. The prio
 * comes from each rule's comment "prio N", the verdict from the rule's end
 * ("accept" with comment "... slowpath" is the slow path). A meta.len rule
 * that was written as a tagged and an untagged line reads back as one rule.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "backends/backends_internal.h"
#include "common/common.h"

#define MAX_TOKS 96

enum pv { PV_NUM, PV_MAC, PV_IP4, PV_IP6, PV_ETH, PV_PROTO };

struct nexpr {
	const char *w1, *w2; /* w2 NULL: one-word raw payload expression */
	enum ir_field_id field;
	enum pv fmt;
};

static const struct nexpr exprs[] = {
	{"ether", "daddr", IR_F_ETH_DST, PV_MAC},
	{"ether", "saddr", IR_F_ETH_SRC, PV_MAC},
	{"ether", "type", IR_F_ETH_TYPE, PV_ETH},
	{"vlan", "id", IR_F_VLAN_ID, PV_NUM},
	{"vlan", "pcp", IR_F_VLAN_PCP, PV_NUM},
	{"vlan", "type", IR_F_VLAN_TYPE, PV_ETH},
	{"ip", "protocol", IR_F_IP_PROTO, PV_PROTO},
	{"meta", "l4proto", IR_F_IP_PROTO, PV_PROTO},
	{"@nh,8,8", NULL, IR_F_IP_TOS, PV_NUM},
	{"@nh,4,8", NULL, IR_F_IP_TOS, PV_NUM},
	{"@nh,48,8", NULL, IR_F_IP6_NEXTHDR, PV_NUM},
	{"@th,100,12", NULL, IR_F_TCP_FLAGS, PV_NUM},
	{"ip", "ttl", IR_F_IP_TTL, PV_NUM},
	{"ip6", "hoplimit", IR_F_IP_TTL, PV_NUM},
	{"ip", "hdrlength", IR_F_IP4_IHL, PV_NUM},
	{"ip", "saddr", IR_F_IP4_SRC, PV_IP4},
	{"ip", "daddr", IR_F_IP4_DST, PV_IP4},
	{"ip6", "saddr", IR_F_IP6_SRC, PV_IP6},
	{"ip6", "daddr", IR_F_IP6_DST, PV_IP6},
	{"tcp", "sport", IR_F_L4_SPORT, PV_NUM},
	{"tcp", "dport", IR_F_L4_DPORT, PV_NUM},
	{"udp", "sport", IR_F_L4_SPORT, PV_NUM},
	{"udp", "dport", IR_F_L4_DPORT, PV_NUM},
	{"sctp", "sport", IR_F_L4_SPORT, PV_NUM},
	{"sctp", "dport", IR_F_L4_DPORT, PV_NUM},
	{"tcp", "flags", IR_F_TCP_FLAGS, PV_NUM},
	{"icmp", "type", IR_F_ICMP_TYPE, PV_NUM},
	{"icmp", "code", IR_F_ICMP_CODE, PV_NUM},
	{"icmpv6", "type", IR_F_ICMP_TYPE, PV_NUM},
	{"icmpv6", "code", IR_F_ICMP_CODE, PV_NUM},
	{"meta", "mark", IR_F_META_MARK, PV_NUM},
};

static const struct {
	const char *name;
	uint16_t v;
} names[] = {
	{"ip", 0x0800},	    {"ip6", 0x86dd}, {"arp", 0x0806}, {"vlan", 0x8100},
	{"8021ad", 0x88a8}, {"tcp", 6},	     {"udp", 17},     {"sctp", 132},
	{"icmp", 1},	    {"icmpv6", 58},
};

struct line {
	char *v[MAX_TOKS];
	int n, i;
	const char *dev;
	struct ir_rule *r;
	bool tagged, untagged; /* the meta.len split variants */
	bool len_from_zero;    /* "meta length 0-N": the printer clamped */
	const struct be_opts *o;
	char *err;
	size_t errsz;
};

static const char *tok(struct line *l)
{
	return l->i < l->n ? l->v[l->i++] : NULL;
}

static bool is(struct line *l, const char *w)
{
	return l->i < l->n && !strcmp(l->v[l->i], w);
}

static int bad(struct line *l, const char *what)
{
	return fl_err(l->err, l->errsz, -EINVAL, "%s at '%s'", what,
		      l->i < l->n ? l->v[l->i] : (l->i ? l->v[l->i - 1] : ""));
}

/* One value of fmt into val (big-endian bytes of field f). */
static int value(const char *s, enum pv fmt, enum ir_field_id f,
		 struct ir_val *val)
{
	uint64_t x;
	unsigned int m[6];
	char c;

	memset(val, 0, sizeof(*val));
	switch (fmt) {
	case PV_MAC:
		if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2],
			   &m[3], &m[4], &m[5], &c) != 6)
			return -EINVAL;
		for (int i = 0; i < 6; i++)
			val->b[i] = m[i];
		return 0;
	case PV_IP4:
		return inet_pton(AF_INET, s, val->b) == 1 ? 0 : -EINVAL;
	case PV_IP6:
		return inet_pton(AF_INET6, s, val->b) == 1 ? 0 : -EINVAL;
	case PV_ETH:
	case PV_PROTO:
		for (size_t i = 0; i < FL_ARRAY_SIZE(names); i++) {
			if (!strcmp(names[i].name, s)) {
				ir_val__from_u64(val, f, names[i].v);
				return 0;
			}
		}
		/* a number */
		/* fall through */
	case PV_NUM:
		if (be_parse_u64(s, &x))
			return -EINVAL;
		ir_val__from_u64(val, f, x);
		return 0;
	}
	return -EINVAL;
}

static int add(struct line *l, const struct ir_match *m)
{
	return be_rule_add(l->r, m, l->err, l->errsz);
}

/* VALUE | VALUE/PLEN | LO-HI | & MASK == VALUE, after the expression. */
static int match_value(struct line *l, enum ir_field_id f, enum pv fmt)
{
	struct ir_match m = {.field = f, .kind = IR_MATCH_MASK};
	const char *s = tok(l), *mask;
	char buf[80], *dash, *slash;
	uint64_t plen;

	if (!s)
		return bad(l, "missing value");
	if (!strcmp(s, "&")) {
		mask = tok(l);
		if (!mask || !is(l, "==") || !tok(l) ||
		    value(mask, fmt, f, &m.mask) ||
		    value(tok(l) ?: "", fmt, f, &m.key))
			return bad(l, "bad masked value");
		for (int i = 0; i < IR_VAL_MAX; i++)
			m.key.b[i] &= m.mask.b[i];
		return add(l, &m);
	}
	snprintf(buf, sizeof(buf), "%s", s);
	dash = fmt == PV_NUM || fmt == PV_IP4 ? strchr(buf, '-') : NULL;
	slash = strchr(buf, '/');
	if (dash) {
		struct ir_val lo, hi;

		*dash++ = '\0';
		if (value(buf, fmt, f, &lo) || value(dash, fmt, f, &hi))
			return bad(l, "bad range");
		ir_match__range(&m, f, ir_val__u64(&lo, f),
				ir_val__u64(&hi, f));
		return add(l, &m);
	}
	if (slash) {
		struct ir_val addr;

		*slash++ = '\0';
		if (value(buf, fmt, f, &addr) || be_parse_u64(slash, &plen) ||
		    plen > ir_field__get(f)->width)
			return bad(l, "bad prefix");
		ir_match__prefix(&m, f, addr.b, plen);
		return add(l, &m);
	}
	if (value(buf, fmt, f, &m.key))
		return bad(l, "bad value");
	ir_val__from_u64(&m.mask, f, ~0ull);
	if (ir_field__get(f)->width > 64)
		memset(m.mask.b, 0xff, ir_field__bytes(f));
	return add(l, &m);
}

/* ip frag-off & M OP V: the forms be_nft.c's print_frag writes, and the
 * "not a later fragment" guard (no IR match of its own). */
static int frag(struct line *l)
{
	static const struct {
		const char *mask, *op, *val;
		int key, msk; /* -1: the guard */
	} forms[] = {
		{"0x3fff", "==", "0", 0, 1},
		{"0x3fff", "!=", "0", 1, 1},
		{"0x3fff", "==", "0x2000", 3, 3},
		{"0x3fff", "!=", "0x2000", 0, 2},
		{"0x1fff", "!=", "0", 1, 3},
		{"0x1fff", "==", "0", -1, -1},
	};
	const char *amp = tok(l), *mask = tok(l), *op = tok(l), *val = tok(l);
	struct ir_match m = {.field = IR_F_IP_FRAG, .kind = IR_MATCH_MASK};

	for (size_t i = 0;
	     amp && !strcmp(amp, "&") && val && i < FL_ARRAY_SIZE(forms); i++) {
		if (strcmp(forms[i].mask, mask) || strcmp(forms[i].op, op) ||
		    strcmp(forms[i].val, val))
			continue;
		if (forms[i].key < 0)
			return 0;
		ir_val__from_u64(&m.key, IR_F_IP_FRAG, forms[i].key);
		ir_val__from_u64(&m.mask, IR_F_IP_FRAG, forms[i].msk);
		return add(l, &m);
	}
	return bad(l, "unknown ip frag-off form");
}

static int meta_len(struct line *l, unsigned int adj)
{
	const char *s = tok(l);
	char buf[40], *dash;
	uint64_t lo, hi;
	struct ir_match m;

	snprintf(buf, sizeof(buf), "%s", s ? s : "");
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (be_parse_u64(buf, &lo) || (dash && be_parse_u64(dash, &hi)))
		return bad(l, "bad meta length");
	if (!dash)
		hi = lo;
	l->len_from_zero = lo == 0;
	ir_match__range(&m, IR_F_META_LEN, lo + adj, hi + adj);
	return add(l, &m);
}

static int quoted(struct line *l, char *out, size_t size)
{
	const char *s = tok(l);
	size_t n = s ? strlen(s) : 0;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"' || n - 2 >= size)
		return bad(l, "want a quoted name");
	memcpy(out, s + 1, n - 2);
	out[n - 2] = '\0';
	return 0;
}

static int special(struct line *l, const char *w1, bool *done)
{
	const char *w2 = l->i < l->n ? l->v[l->i] : "";
	char name[IF_NAMESIZE + 2];
	struct ir_match m;
	uint64_t t;

	*done = true;
	if (!strcmp(w1, "ether") && !strcmp(w2, "type") && l->i + 1 < l->n &&
	    (!strcmp(l->v[l->i + 1], "!=") || !strcmp(l->v[l->i + 1], "{"))) {
		bool neg;

		l->i++;
		neg = is(l, "!=");
		l->i += neg;
		if (l->i + 3 >= l->n || strcmp(l->v[l->i], "{") ||
		    strcmp(l->v[l->i + 1], "vlan,") ||
		    strcmp(l->v[l->i + 2], "8021ad") ||
		    strcmp(l->v[l->i + 3], "}"))
			return bad(l, "unknown ether type set");
		l->i += 4;
		l->untagged = neg;
		l->tagged = !neg;
		return 0;
	}
	if (!strcmp(w1, "ip") && !strcmp(w2, "frag-off")) {
		l->i++;
		return frag(l);
	}
	if (!strcmp(w1, "meta") && !strcmp(w2, "length")) {
		l->i++;
		return meta_len(
			l,
			l->tagged || (be_rule_exact(l->r, IR_F_ETH_TYPE, &t) &&
				      be_eth_is_vlan(t))
				? 18
				: 14);
	}
	if (!strcmp(w1, "meta") && !strcmp(w2, "iifname")) {
		l->i++;
		if (quoted(l, name, sizeof(name)))
			return -EINVAL;
		t = be_ifindex(l->o, name);
		if (!t)
			return fl_err(l->err, l->errsz, -ENODEV,
				      "unknown device '%s'", name);
		ir_match__exact(&m, IR_F_META_IFINDEX, t);
		return add(l, &m);
	}
	*done = false;
	return 0;
}

static int verdict(struct line *l, const char *w)
{
	struct ir_action *a = &l->r->action;
	char name[IF_NAMESIZE + 2];

	if (!strcmp(w, "drop")) {
		a->verdict = IR_ACT_DROP;
	} else if (!strcmp(w, "accept")) {
		a->verdict = IR_ACT_PASS;
	} else if (!strcmp(w, "fwd") && is(l, "to")) {
		l->i++;
		if (quoted(l, name, sizeof(name)))
			return -EINVAL;
		if (l->dev && !strcmp(name, l->dev)) {
			a->verdict = IR_ACT_TX;
		} else {
			a->verdict = IR_ACT_REDIRECT;
			a->ifindex = be_ifindex(l->o, name);
			if (!a->ifindex)
				return fl_err(l->err, l->errsz, -ENODEV,
					      "unknown device '%s'", name);
		}
	} else {
		return 1;
	}
	return 0;
}

static int comment(struct line *l)
{
	char c[64];
	unsigned int prio;
	char slow[16] = "";

	if (quoted(l, c, sizeof(c)))
		return -EINVAL;
	if (sscanf(c, "prio %u %15s", &prio, slow) < 1)
		return bad(l, "comment without prio");
	l->r->prio = prio;
	if (!strcmp(slow, "slowpath")) {
		if (l->r->action.verdict != IR_ACT_PASS)
			return bad(l, "slowpath comment on a non-accept");
		l->r->action.verdict = IR_ACT_SLOWPATH;
	}
	return l->i == l->n ? 0 : bad(l, "text after the comment");
}

/* Split a rule line into tokens; quoted strings stay one token, braces
 * and commas are their own words as printed ("{ vlan, 8021ad }"). */
static void split(char *s, struct line *l)
{
	while (*s && l->n < MAX_TOKS) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			break;
		l->v[l->n++] = s;
		if (*s == '"') {
			char *q = strchr(s + 1, '"');

			s = q ? q + 1 : s + strlen(s);
			continue;
		}
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
}

static int parse_rule(char *text, struct line *l)
{
	bool has_prio = false;
	const char *w;
	int ret = 0;

	split(text, l);
	while (!ret && (w = tok(l))) {
		const char *w2 = l->i < l->n ? l->v[l->i] : NULL;
		bool done = false;

		if (!strcmp(w, "counter"))
			continue;
		if (!strcmp(w, "comment")) {
			ret = comment(l);
			has_prio = !ret;
			break;
		}
		ret = verdict(l, w);
		if (ret <= 0)
			continue;
		ret = special(l, w, &done);
		if (ret || done)
			continue;
		ret = -EINVAL;
		for (size_t i = 0; i < FL_ARRAY_SIZE(exprs); i++) {
			if (strcmp(exprs[i].w1, w) ||
			    (exprs[i].w2 && (!w2 || strcmp(exprs[i].w2, w2))))
				continue;
			l->i += exprs[i].w2 != NULL;
			ret = match_value(l, exprs[i].field, exprs[i].fmt);
			break;
		}
		if (ret == -EINVAL && !l->err[0])
			ret = bad(l, "unknown expression");
	}
	if (!ret && !has_prio)
		ret = fl_err(l->err, l->errsz, -EINVAL,
			     "rule without comment \"prio N\"");
	return ret;
}

static const char *const generated[] = {"duplicates", "ifname", NULL};

/* The device from "type filter hook ingress device \"DEV\" ...". */
static void chain_dev(const char *p, char *dev, size_t size)
{
	const char *q = strstr(p, "device \"");
	size_t n;

	if (!q)
		return;
	q += 8;
	n = strcspn(q, "\"");
	if (n < size) {
		memcpy(dev, q, n);
		dev[n] = '\0';
	}
}

static bool same_rule(const struct ir_rule *a, const struct ir_rule *b)
{
	char x[1024], y[1024];

	return ir_rule__snprint(a, x, sizeof(x), false) >= 0 &&
	       ir_rule__snprint(b, y, sizeof(y), false) >= 0 && !strcmp(x, y);
}

/* Is r (a tagged line) the twin of prev (the untagged line before it)?
 * Same rule, same meta.len, except that the tagged line's lower bound
 * may have been clamped to 0 (no tagged frame is shorter than 18). */
static bool is_twin(const struct ir_rule *prev, const struct ir_rule *r,
		    bool from_zero)
{
	const struct ir_match *a = ir_rule__find(prev, IR_F_META_LEN);
	const struct ir_match *b = ir_rule__find(r, IR_F_META_LEN);
	struct ir_rule t = *r;
	struct ir_match *tm;

	if (!a || !b || a->kind != IR_MATCH_RANGE || a->hi != b->hi ||
	    (a->lo != b->lo && !(from_zero && a->lo <= 18)))
		return false;
	tm = (struct ir_match *)ir_rule__find(&t, IR_F_META_LEN);
	*tm = *a;
	return same_rule(prev, &t);
}

#define LEFT_OUT "# left out (no frame this short reaches the netdev hook): "

/* The IR rule a "left out" comment names. */
static int left_out(struct ir_ruleset *rs, const char *rule, char *err,
		    size_t errsz)
{
	char *text;
	struct ir_ruleset *one;
	int ret;

	if (asprintf(&text, "# flowlift-ir 1\n%s\n", rule) < 0)
		return -ENOMEM;
	one = ir_ruleset__parse_str(text, err, errsz);
	free(text);
	if (!one)
		return -EINVAL;
	ret = ir_ruleset__count(one) == 1
		      ? ir_ruleset__add(rs, ir_ruleset__rule_c(one, 0))
		      : -EINVAL;
	ir_ruleset__free(one);
	return ret;
}

struct ir_ruleset *be_nft_parse(FILE *f, const struct be_opts *o, char *err,
				size_t errsz);
struct ir_ruleset *be_nft_parse(FILE *f, const struct be_opts *o, char *err,
				size_t errsz)
{
	struct ir_ruleset *rs = ir_ruleset__new();
	struct be_opts lo = o ? *o : (struct be_opts){0};
	struct be_ifname *tab = NULL;
	char *line = NULL, msg[512], dev[IF_NAMESIZE + 1] = "";
	size_t cap = 0, lineno = 0, n_tab = 0;
	int ret = 0;

	if (!rs)
		return NULL;
	while (!ret && getline(&line, &cap, f) > 0) {
		struct line l = {.o = &lo, .err = msg, .errsz = sizeof(msg)};
		struct ir_rule r;
		size_t n;
		char *p = be_trim_line(line);

		lineno++;
		if (!*p || !strncmp(p, "table ", 6) || !strcmp(p, "}") ||
		    !strncmp(p, "delete table ", 13) ||
		    !strncmp(p, "chain ", 6))
			continue;
		if (!strncmp(p, "type filter hook ", 17)) {
			chain_dev(p, dev, sizeof(dev));
			continue;
		}
		if (!strncmp(p, LEFT_OUT, strlen(LEFT_OUT))) {
			ret = left_out(rs, p + strlen(LEFT_OUT), msg,
				       sizeof(msg));
			if (ret)
				fl_err(err, errsz, ret, "%zu: %s", lineno, msg);
			continue;
		}
		if (*p == '#') {
			ret = be_parse_ifname_line(p, &tab, &n_tab);
			if (ret == 1) {
				lo.ifnames = tab;
				lo.n_ifnames = n_tab;
				ret = 0;
			} else if (!ret) {
				ret = be_parse_meta_line(rs, p, generated,
							 lineno, err, errsz);
			}
			continue;
		}
		msg[0] = '\0';
		ir_rule__init(&r);
		l.r = &r;
		l.dev = dev[0] ? dev : (o ? o->dev : NULL);
		ret = parse_rule(p, &l);
		n = ir_ruleset__count(rs);
		/* the tagged twin of an untagged meta.len line */
		if (!ret && !(l.tagged && n &&
			      is_twin(ir_ruleset__rule_c(rs, n - 1), &r,
				      l.len_from_zero)))
			ret = ir_ruleset__add(rs, &r);
		if (ret)
			fl_err(err, errsz, ret, "%zu: %s", lineno,
			       msg[0] ? msg : strerror(-ret));
	}
	free(line);
	free(tab);
	if (ret) {
		ir_ruleset__free(rs);
		errno = -ret;
		return NULL;
	}
	return rs;
}
