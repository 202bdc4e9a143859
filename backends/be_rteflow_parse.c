// SPDX-License-Identifier: Apache-2.0
/*
 * be_rteflow_parse.c - read flowlift's own testpmd `flow create` lines back
 * into IR (diff, round trips). Item fields come as "F is V", "F spec V F
 * mask M", "F spec V F prefix N" or "F spec V F last W", exactly as
 * be_rteflow.c writes them; the verdict is drop, rss (slow path) or
 * "mark id 1 / rss" (pass); "age timeout T" comes back as the rule set's
 * idle-timeout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "backends/backends_internal.h"
#include "common/common.h"

#define MAX_TOKS 160

enum rp { RP_NUM, RP_MAC, RP_IP4, RP_IP6 };

struct rfield {
	const char *item, *name;
	enum ir_field_id field;
	enum rp fmt;
};

static const struct rfield rfields[] = {
	{"eth", "dst", IR_F_ETH_DST, RP_MAC},
	{"eth", "src", IR_F_ETH_SRC, RP_MAC},
	{"eth", "type", IR_F_ETH_TYPE, RP_NUM},
	{"vlan", "vid", IR_F_VLAN_ID, RP_NUM},
	{"vlan", "pcp", IR_F_VLAN_PCP, RP_NUM},
	{"vlan", "inner_type", IR_F_VLAN_TYPE, RP_NUM},
	{"ipv4", "version_ihl", IR_F_IP4_IHL, RP_NUM},
	{"ipv4", "tos", IR_F_IP_TOS, RP_NUM},
	{"ipv4", "fragment_offset", IR_F_IP_FRAG, RP_NUM},
	{"ipv4", "ttl", IR_F_IP_TTL, RP_NUM},
	{"ipv4", "proto", IR_F_IP_PROTO, RP_NUM},
	{"ipv4", "src", IR_F_IP4_SRC, RP_IP4},
	{"ipv4", "dst", IR_F_IP4_DST, RP_IP4},
	{"ipv6", "tc", IR_F_IP_TOS, RP_NUM},
	{"ipv6", "proto", IR_F_IP_PROTO, RP_NUM},
	{"ipv6", "hop", IR_F_IP_TTL, RP_NUM},
	{"ipv6", "src", IR_F_IP6_SRC, RP_IP6},
	{"ipv6", "dst", IR_F_IP6_DST, RP_IP6},
	{"tcp", "src", IR_F_L4_SPORT, RP_NUM},
	{"tcp", "dst", IR_F_L4_DPORT, RP_NUM},
	{"tcp", "flags", IR_F_TCP_FLAGS, RP_NUM},
	{"udp", "src", IR_F_L4_SPORT, RP_NUM},
	{"udp", "dst", IR_F_L4_DPORT, RP_NUM},
	{"sctp", "src", IR_F_L4_SPORT, RP_NUM},
	{"sctp", "dst", IR_F_L4_DPORT, RP_NUM},
	{"icmp", "type", IR_F_ICMP_TYPE, RP_NUM},
	{"icmp", "code", IR_F_ICMP_CODE, RP_NUM},
	{"icmp6", "type", IR_F_ICMP_TYPE, RP_NUM},
	{"icmp6", "code", IR_F_ICMP_CODE, RP_NUM},
};

/* What one field of an item said. */
struct fval {
	const char *is, *spec, *last, *mask, *prefix;
};

struct rline {
	char *v[MAX_TOKS];
	int n, i;
	struct ir_rule *r;
	char *err;
	size_t errsz;
};

static const char *next(struct rline *l)
{
	return l->i < l->n ? l->v[l->i++] : NULL;
}

static int bad(struct rline *l, const char *what)
{
	return fl_err(l->err, l->errsz, -EINVAL, "%s near '%s'", what,
		      l->i < l->n ? l->v[l->i] : "end of line");
}

static int val(const char *s, enum rp fmt, enum ir_field_id f, struct ir_val *v)
{
	unsigned int m[6];
	uint64_t x;
	char c;

	memset(v, 0, sizeof(*v));
	if (!s)
		return -EINVAL;
	switch (fmt) {
	case RP_MAC:
		if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2],
			   &m[3], &m[4], &m[5], &c) != 6)
			return -EINVAL;
		for (int i = 0; i < 6; i++)
			v->b[i] = m[i];
		return 0;
	case RP_IP4:
		return inet_pton(AF_INET, s, v->b) == 1 ? 0 : -EINVAL;
	case RP_IP6:
		return inet_pton(AF_INET6, s, v->b) == 1 ? 0 : -EINVAL;
	case RP_NUM:
		if (be_parse_u64(s, &x))
			return -EINVAL;
		ir_val__from_u64(v, f, x);
		return 0;
	}
	return -EINVAL;
}

static int add(struct rline *l, const struct ir_match *m)
{
	return be_rule_add(l->r, m, l->err, l->errsz);
}

/* fragment_offset spec/last/mask as be_rteflow.c's print_frag writes. */
static int frag(struct rline *l, const struct fval *fv)
{
	static const struct {
		const char *spec, *last, *mask;
		int key, msk;
	} forms[] = {
		{"0", NULL, "0x3fff", 0, 1},
		{"1", "0x3fff", "0x3fff", 1, 1},
		{"0x2000", NULL, "0x3fff", 3, 3},
		{"1", "0x1fff", "0x1fff", 1, 3},
	};
	struct ir_match m = {.field = IR_F_IP_FRAG, .kind = IR_MATCH_MASK};

	for (size_t i = 0; i < FL_ARRAY_SIZE(forms); i++) {
		if (!fv->spec || !fv->mask || strcmp(forms[i].spec, fv->spec) ||
		    strcmp(forms[i].mask, fv->mask) ||
		    !forms[i].last != !fv->last ||
		    (fv->last && strcmp(forms[i].last, fv->last)))
			continue;
		ir_val__from_u64(&m.key, IR_F_IP_FRAG, forms[i].key);
		ir_val__from_u64(&m.mask, IR_F_IP_FRAG, forms[i].msk);
		return add(l, &m);
	}
	return bad(l, "unknown fragment_offset form");
}

static int field(struct rline *l, const struct rfield *rf,
		 const struct fval *fv)
{
	struct ir_match m = {.field = rf->field, .kind = IR_MATCH_MASK};
	enum ir_field_id f = rf->field;
	struct ir_val a, b;
	uint64_t plen;

	if (f == IR_F_IP_FRAG)
		return frag(l, fv);
	if (f == IR_F_IP4_IHL && fv->spec && fv->mask && !fv->last) {
		/* the low nibble of version_ihl: always masked */
		if (val(fv->spec, RP_NUM, f, &m.key) ||
		    val(fv->mask, RP_NUM, f, &m.mask))
			return bad(l, "bad version_ihl");
		return add(l, &m);
	}
	if (fv->is) {
		if (val(fv->is, rf->fmt, f, &m.key))
			return bad(l, "bad value");
		ir_val__from_u64(&m.mask, f, ~0ull);
		if (ir_field__get(f)->width > 64)
			memset(m.mask.b, 0xff, ir_field__bytes(f));
		return add(l, &m);
	}
	if (!fv->spec || val(fv->spec, rf->fmt, f, &a))
		return bad(l, "want spec");
	if (fv->last) {
		if (val(fv->last, rf->fmt, f, &b))
			return bad(l, "bad last");
		ir_match__range(&m, f, ir_val__u64(&a, f), ir_val__u64(&b, f));
		return add(l, &m);
	}
	if (fv->prefix) {
		if (be_parse_u64(fv->prefix, &plen) || plen > ir_field__get(f)->width)
			return bad(l, "bad prefix");
		ir_match__prefix(&m, f, a.b, plen);
		return add(l, &m);
	}
	if (!fv->mask || val(fv->mask, rf->fmt, f, &m.mask))
		return bad(l, "want mask, prefix or last");
	for (int i = 0; i < IR_VAL_MAX; i++)
		m.key.b[i] = a.b[i] & m.mask.b[i];
	return add(l, &m);
}

/* One item up to "/": "ITEM [NAME KIND VALUE]... /". */
static int item(struct rline *l, const char *name)
{
	struct fval fv[8] = {0};
	const struct rfield *rf[8] = {0};
	size_t n = 0;
	const char *w;
	int ret;

	while ((w = next(l)) && strcmp(w, "/")) {
		const char *kind = next(l), *v = next(l);
		size_t k, j;

		for (k = 0; k < FL_ARRAY_SIZE(rfields); k++)
			if (!strcmp(rfields[k].item, name) &&
			    !strcmp(rfields[k].name, w))
				break;
		if (k == FL_ARRAY_SIZE(rfields) || !kind || !v)
			return bad(l, "unknown item field");
		for (j = 0; j < n && rf[j] != &rfields[k]; j++)
			;
		if (j == n) {
			if (n == FL_ARRAY_SIZE(fv))
				return bad(l, "too many fields");
			rf[n++] = &rfields[k];
		}
		if (!strcmp(kind, "is"))
			fv[j].is = v;
		else if (!strcmp(kind, "spec"))
			fv[j].spec = v;
		else if (!strcmp(kind, "last"))
			fv[j].last = v;
		else if (!strcmp(kind, "mask"))
			fv[j].mask = v;
		else if (!strcmp(kind, "prefix"))
			fv[j].prefix = v;
		else
			return bad(l, "unknown field kind");
	}
	if (!w)
		return bad(l, "item without '/'");
	for (size_t j = 0; j < n; j++) {
		ret = field(l, rf[j], &fv[j]);
		if (ret)
			return ret;
	}
	return 0;
}

static int actions(struct rline *l, struct ir_ruleset *rs)
{
	struct ir_action *a = &l->r->action;
	bool verdict = false, mark = false;
	const char *w;
	uint64_t t;

	while ((w = next(l)) && strcmp(w, "end")) {
		if (!strcmp(w, "age")) {
			if (strcmp(next(l) ?: "", "timeout") ||
			    be_parse_u64(next(l), &t))
				return bad(l, "want 'age timeout T'");
			if (!ir_ruleset__meta(rs, "idle-timeout")) {
				char buf[24];

				snprintf(buf, sizeof(buf), "%llu",
					 (unsigned long long)t);
				ir_ruleset__set_meta(rs, "idle-timeout", buf);
			}
		} else if (!strcmp(w, "mark")) {
			if (strcmp(next(l) ?: "", "id") || be_parse_u64(next(l), &t) ||
			    t != 1)
				return bad(l, "want 'mark id 1'");
			mark = true;
		} else if (!strcmp(w, "drop") && !mark) {
			a->verdict = IR_ACT_DROP;
			verdict = true;
		} else if (!strcmp(w, "rss")) {
			a->verdict = mark ? IR_ACT_PASS : IR_ACT_SLOWPATH;
			verdict = true;
		} else {
			return bad(l, "unknown action");
		}
		if (strcmp(next(l) ?: "", "/"))
			return bad(l, "want '/'");
	}
	return verdict && w ? 0 : bad(l, "no verdict");
}

static int parse_flow(char *text, const struct be_opts *o,
		      struct ir_ruleset *rs, struct rline *l)
{
	static const char *const items[] = {"eth",  "vlan", "ipv4",
					    "ipv6", "tcp",  "udp",
					    "sctp", "icmp", "icmp6"};
	char *save = NULL, *t;
	uint64_t port, group, prio;
	const char *w;
	int ret = 0;

	for (t = strtok_r(text, " \t", &save); t && l->n < MAX_TOKS;
	     t = strtok_r(NULL, " \t", &save))
		l->v[l->n++] = t;
	if (strcmp(next(l) ?: "", "flow") || strcmp(next(l) ?: "", "create") ||
	    be_parse_u64(next(l), &port) || strcmp(next(l) ?: "", "group") ||
	    be_parse_u64(next(l), &group) || strcmp(next(l) ?: "", "priority") ||
	    be_parse_u64(next(l), &prio) || strcmp(next(l) ?: "", "ingress") ||
	    strcmp(next(l) ?: "", "pattern"))
		return bad(l, "want 'flow create PORT group G priority P "
			      "ingress pattern'");
	if (o && prio < o->prio_base)
		return bad(l, "priority below --prio-base");
	l->r->prio = prio - (o ? o->prio_base : 0);
	while (!ret && (w = next(l)) && strcmp(w, "end")) {
		size_t k;

		for (k = 0; k < FL_ARRAY_SIZE(items) && strcmp(items[k], w);
		     k++)
			;
		ret = k < FL_ARRAY_SIZE(items) ? item(l, w)
					       : bad(l, "unknown item");
	}
	if (ret)
		return ret;
	if (strcmp(next(l) ?: "", "actions"))
		return bad(l, "want 'actions'");
	ret = actions(l, rs);
	return ret ? ret : l->i == l->n ? 0 : bad(l, "text after 'end'");
}

static const char *const generated[] = {"duplicates", NULL};

struct ir_ruleset *be_rteflow_parse(FILE *f, const struct be_opts *o, char *err,
				    size_t errsz);
struct ir_ruleset *be_rteflow_parse(FILE *f, const struct be_opts *o, char *err,
				    size_t errsz)
{
	struct ir_ruleset *rs = ir_ruleset__new();
	char *line = NULL, msg[512];
	size_t cap = 0, lineno = 0;
	int ret = 0;

	if (!rs)
		return NULL;
	while (!ret && getline(&line, &cap, f) > 0) {
		struct ir_rule r;
		struct rline l = {.r = &r, .err = msg, .errsz = sizeof(msg)};
		char *p = be_trim_line(line);

		lineno++;
		if (!*p)
			continue;
		if (*p == '#') {
			ret = be_parse_meta_line(rs, p, generated, lineno,
						 err, errsz);
			continue;
		}
		msg[0] = '\0';
		ir_rule__init(&r);
		ret = parse_flow(p, o, rs, &l);
		if (!ret)
			ret = ir_ruleset__add(rs, &r);
		if (ret)
			fl_err(err, errsz, ret, "%zu: %s", lineno,
			       msg[0] ? msg : strerror(-ret));
	}
	free(line);
	if (ret) {
		ir_ruleset__free(rs);
		errno = -ret;
		return NULL;
	}
	return rs;
}
