// SPDX-License-Identifier: Apache-2.0
/*
 * be_flower_parse.c - read flowlift's own tc flower text back into IR:
 * the "filter add ..." lines be_flower.c prints (apply, diff, round-trip
 * tests). It accepts what the printer writes plus iproute2's common
 * spellings (pref, ipv4, ok); anything else is an error naming the token.
 *
 * Speed (apply parses every line of a file it installs): the line is
 * split into tokens in place, values are split at '/' and '-' in place,
 * masks are built bytewise, a match on a field not yet in the rule goes
 * straight into its slot (ir_rule__and only when it must be ANDed), and
 * be_flower_parse_next() clears only what the previous line set instead
 * of the whole filter (the rule's match array alone is ~1.2 KiB).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "backends/backends_internal.h"
#include "common/common.h"

#define MAX_TOKS 128

struct toks {
	char *v[MAX_TOKS];
	int n, i;
};

static char *next(struct toks *t)
{
	return t->i < t->n ? t->v[t->i++] : NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Split s in place at blanks, as strtok_r(s, " \t\r\n") would; at most
 * MAX_TOKS tokens, the rest is ignored. */
static void tokenise(char *s, struct toks *t)
{
	t->n = t->i = 0;
	while (t->n < MAX_TOKS) {
		while (is_space(*s))
			s++;
		if (!*s)
			return;
		t->v[t->n++] = s;
		while (*s && !is_space(*s))
			s++;
		if (!*s)
			return;
		*s++ = '\0';
	}
}

/* Values were copied to a buffer of size n before they were split (and
 * cut there): cut them at the same place. */
static void clip(char *s, size_t n)
{
	if (strnlen(s, n) == n)
		s[n - 1] = '\0';
}

/* strcmp(a, b) == 0, inline: every word of every line is compared with
 * a few short ones, most of which differ in the first letter. */
static inline bool eq(const char *a, const char *b)
{
	while (*b && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Split s at the first c in place: what follows it, or NULL. */
static char *split(char *s, char c)
{
	char *p = strchr(s, c);

	if (p)
		*p++ = '\0';
	return p;
}

static int num(const char *s, int base, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_mac(const char *s, uint8_t *b)
{
	unsigned int x[6];
	char c;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &x[0], &x[1], &x[2], &x[3],
		   &x[4], &x[5], &c) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		b[i] = x[i];
	return 0;
}

static void set_masked(struct ir_match *m, enum ir_field_id f, uint64_t key,
		       uint64_t mask)
{
	memset(m, 0, sizeof(*m));
	m->field = f;
	m->kind = IR_MATCH_MASK;
	ir_val__from_u64(&m->key, f, key & mask);
	ir_val__from_u64(&m->mask, f, mask);
}

static uint64_t width_mask(enum ir_field_id f)
{
	unsigned int w = ir_field__get(f)->width;

	return w >= 64 ? ~0ull : (1ull << w) - 1;
}

static int parse_masked_num(char *s, enum ir_field_id f, int base,
			    struct ir_match *m)
{
	char *slash;
	uint64_t key, mask = width_mask(f);

	clip(s, 64);
	slash = split(s, '/');
	if (num(s, base, width_mask(f), &key) ||
	    (slash && num(slash, base, width_mask(f), &mask)))
		return -EINVAL;
	set_masked(m, f, key, mask);
	return 0;
}

static int parse_mac_match(char *s, enum ir_field_id f, struct ir_match *m)
{
	char *slash;
	uint64_t plen;

	clip(s, 64);
	slash = split(s, '/');
	memset(m, 0, sizeof(*m));
	m->field = f;
	m->kind = IR_MATCH_MASK;
	if (parse_mac(s, m->key.b))
		return -EINVAL;
	if (!slash) {
		memset(m->mask.b, 0xff, 6);
	} else if (strchr(slash, ':')) {
		if (parse_mac(slash, m->mask.b))
			return -EINVAL;
	} else {
		if (num(slash, 10, 48, &plen))
			return -EINVAL;
		for (unsigned int i = 0; i < plen; i++)
			m->mask.b[i / 8] |= 0x80 >> (i % 8);
	}
	for (int i = 0; i < 6; i++)
		m->key.b[i] &= m->mask.b[i];
	return 0;
}

/* An address prefix (ip4/ip6 fields are whole bytes wide): as
 * ir_match__prefix, bytewise. */
static int parse_addr(char *s, enum ir_field_id f, struct ir_match *m)
{
	unsigned int width = ir_field__get(f)->width;
	char *slash;
	uint64_t plen = width;

	clip(s, INET6_ADDRSTRLEN + 8);
	slash = split(s, '/');
	memset(m, 0, sizeof(*m));
	if (inet_pton(width == 32 ? AF_INET : AF_INET6, s, m->key.b) != 1 ||
	    (slash && num(slash, 10, width, &plen)))
		return -EINVAL;
	m->field = f;
	m->kind = IR_MATCH_MASK;
	memset(m->mask.b, 0xff, plen / 8);
	if (plen % 8)
		m->mask.b[plen / 8] = (uint8_t)(0xff00 >> (plen % 8));
	for (unsigned int i = 0; i < width / 8; i++)
		m->key.b[i] &= m->mask.b[i];
	return 0;
}

static int parse_port(char *s, enum ir_field_id f, struct ir_match *m)
{
	char *dash;
	uint64_t lo, hi;

	clip(s, 64);
	dash = split(s, '-');
	if (!dash) /* "80" or "80/0xff00" */
		return parse_masked_num(s, f, 0, m) ? -EINVAL : 0;
	if (num(s, 10, 0xffff, &lo) || num(dash, 10, 0xffff, &hi) || lo > hi)
		return -EINVAL;
	ir_match__range(m, f, lo, hi);
	return 0;
}

static int parse_frag(char *s, struct ir_match *m)
{
	char *tok, *save = NULL;
	uint64_t key = 0, mask = 0;

	clip(s, 64);
	for (tok = strtok_r(s, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		bool no = !strncmp(tok, "no", 2);
		const char *w = no ? tok + 2 : tok;
		uint64_t bit = !strcmp(w, "frag")	 ? 1
			       : !strcmp(w, "firstfrag") ? 2
							 : 0;

		if (!bit)
			return -EINVAL;
		mask |= bit;
		if (!no)
			key |= bit;
	}
	set_masked(m, IR_F_IP_FRAG, key, mask);
	return 0;
}

/* An exact match on a field of at most 64 bits: as ir_match__exact. */
static void set_exact(struct ir_match *m, enum ir_field_id f, uint64_t v)
{
	set_masked(m, f, v, width_mask(f));
}

static int parse_key_value(const struct flower_key *k, char *v,
			   const struct be_opts *o, struct ir_match *m)
{
	uint64_t x;
	uint16_t t;
	uint8_t p;

	if (!v)
		return -EINVAL;
	switch (k->fmt) {
	case FK_IFNAME:
		x = be_ifindex(o, v);
		if (!x)
			return -ENODEV;
		set_exact(m, k->field, x);
		return 0;
	case FK_DEC:
		if (num(v, 10, width_mask(k->field), &x))
			return -EINVAL;
		set_exact(m, k->field, x);
		return 0;
	case FK_ETHTYPE:
		if (be_flower_ethtype_parse(v, &t) || t == 0x0003)
			return -EINVAL;
		set_exact(m, k->field, t);
		return 0;
	case FK_PROTO:
		if (be_flower_proto_parse(v, &p))
			return -EINVAL;
		set_exact(m, k->field, p);
		return 0;
	case FK_MAC:
		return parse_mac_match(v, k->field, m);
	case FK_HEXMASK:
		return parse_masked_num(v, k->field, 16, m);
	case FK_DECMASK:
		return parse_masked_num(v, k->field, 10, m);
	case FK_PORT:
		return parse_port(v, k->field, m);
	case FK_FRAG:
		return parse_frag(v, m);
	case FK_ADDR:
		return parse_addr(v, k->field, m);
	}
	return -EINVAL;
}

/* AND m (well-formed: built above) into r. A field r does not match yet
 * takes m as is, in field order, which is what ir_rule__and does then. */
static int add_match(struct ir_rule *r, const struct ir_match *m)
{
	uint32_t i = 0;
	int ret;

	while (i < r->n_matches && r->matches[i].field < m->field)
		i++;
	if (i < r->n_matches && r->matches[i].field == m->field) {
		ret = ir_rule__and(r, m);
		return ret == 1 ? -EINVAL : ret;
	}
	if (r->n_matches >= IR_MAX_MATCHES)
		return -E2BIG;
	memmove(&r->matches[i + 1], &r->matches[i],
		(r->n_matches - i) * sizeof(r->matches[0]));
	r->matches[i] = *m;
	r->n_matches++;
	return 0;
}

/* One "action ..." clause; t points after "action". */
static int parse_action(struct toks *t, const char *dev,
			const struct be_opts *o, struct ir_action *a, char *err,
			size_t errsz)
{
	const char *k = next(t), *v;
	uint64_t x;

	if (!k)
		return fl_err(err, errsz, -EINVAL, "action: missing kind");
	if (eq(k, "gact"))
		k = next(t);
	if (k && (eq(k, "drop") || eq(k, "shot"))) {
		a->verdict = IR_ACT_DROP;
	} else if (k && (eq(k, "pass") || eq(k, "ok"))) {
		a->verdict = IR_ACT_PASS;
	} else if (k && eq(k, "trap")) {
		a->verdict = IR_ACT_SLOWPATH;
	} else if (k && eq(k, "goto")) {
		if ((v = next(t)) == NULL || !eq(v, "chain") ||
		    num(next(t), 10, UINT32_MAX, &x))
			return fl_err(err, errsz, -EINVAL,
				      "action goto: want 'chain N'");
		a->verdict = IR_ACT_SLOWPATH;
	} else if (k && eq(k, "mirred")) {
		const char *dir = next(t), *red = next(t), *kw = next(t);
		const char *name = next(t);

		if (!dir || !red || !kw || !name || !eq(red, "redirect") ||
		    !eq(kw, "dev") ||
		    (!eq(dir, "egress") && !eq(dir, "ingress")))
			return fl_err(err, errsz, -EINVAL,
				      "action mirred: want '(egress|ingress) "
				      "redirect dev NAME'");
		if (eq(dir, "egress") && dev && !strcmp(name, dev)) {
			a->verdict = IR_ACT_TX;
		} else {
			a->verdict = IR_ACT_REDIRECT;
			a->ingress = eq(dir, "ingress");
			a->ifindex = be_ifindex(o, name);
			if (!a->ifindex)
				return fl_err(err, errsz, -ENODEV,
					      "mirred: unknown device '%s': "
					      "give --ifname IFINDEX=%s",
					      name, name);
		}
	} else if (k && eq(k, "vlan")) {
		struct ir_rewrite *rw;

		if (a->n_rewrites >= IR_MAX_REWRITES)
			return fl_err(err, errsz, -E2BIG, "too many rewrites");
		rw = &a->rewrites[a->n_rewrites++];
		memset(rw, 0, sizeof(*rw));
		v = next(t);
		if (v && eq(v, "pop")) {
			rw->kind = IR_RW_VLAN_POP;
		} else if (v && eq(v, "push")) {
			rw->kind = IR_RW_VLAN_PUSH;
			rw->proto = 0x8100;
			while (t->i < t->n && !eq(t->v[t->i], "pipe") &&
			       !eq(t->v[t->i], "action")) {
				const char *kw = next(t), *val = next(t);

				if (eq(kw, "id") &&
				    !num(val, 10, 4095, &x))
					rw->vid = x;
				else if (eq(kw, "priority") &&
					 !num(val, 10, 7, &x))
					rw->pcp = x;
				else if (eq(kw, "protocol") && val &&
					 !be_flower_ethtype_parse(val,
								  &rw->proto))
					;
				else
					return fl_err(err, errsz, -EINVAL,
						      "vlan push: bad '%s'",
						      kw);
			}
		} else if (v && eq(v, "modify")) {
			if (!eq(next(t) ?: "", "id") ||
			    num(next(t), 10, 4095, &x))
				return fl_err(err, errsz, -EINVAL,
					      "vlan modify: want 'id N'");
			rw->kind = IR_RW_SET_FIELD;
			rw->field = IR_F_VLAN_ID;
			ir_val__from_u64(&rw->val, IR_F_VLAN_ID, x);
			ir_val__from_u64(&rw->mask, IR_F_VLAN_ID, 0xfff);
		} else {
			return fl_err(err, errsz, -EINVAL,
				      "vlan: want push, pop or modify");
		}
		if (t->i < t->n && eq(t->v[t->i], "pipe"))
			t->i++;
		return 1; /* not a verdict */
	} else {
		return fl_err(err, errsz, -EINVAL, "unknown action '%s'",
			      k ? k : "");
	}
	return 0;
}

static int parse_head(struct toks *t, struct be_flower_filter *f,
		      const char **dev, char *err, size_t errsz)
{
	const char *w;
	uint64_t x;

	if (!eq(next(t) ?: "", "filter") || !eq(next(t) ?: "", "add"))
		return fl_err(err, errsz, -EINVAL,
			      "want 'filter add dev DEV ...'");
	while ((w = next(t)) && !eq(w, "flower")) {
		const char *v = NULL;

		if (eq(w, "ingress") || eq(w, "egress")) {
			f->egress = eq(w, "egress");
			continue;
		}
		v = next(t);
		if (eq(w, "dev") && v) {
			*dev = v;
		} else if (eq(w, "protocol") && v) {
			if (be_flower_ethtype_parse(v, &f->protocol))
				return fl_err(err, errsz, -EINVAL,
					      "bad protocol '%s'", v);
		} else if ((eq(w, "prio") || eq(w, "pref")) &&
			   !num(v, 0, 0xffff, &x) && x) {
			f->prio = x;
		} else if (eq(w, "chain") && !num(v, 0, UINT32_MAX, &x)) {
			f->chain = x;
		} else {
			return fl_err(err, errsz, -EINVAL, "bad '%s %s'", w,
				      v ? v : "");
		}
	}
	if (!w)
		return fl_err(err, errsz, -EINVAL, "no 'flower'");
	if (!f->prio)
		return fl_err(err, errsz, -EINVAL, "no prio");
	return 0;
}

/* Parse the line in buf (split in place) into f, whose fields are all
 * zero but for what the caller set below. */
static int parse_toks(char *buf, const struct be_opts *o,
		      struct be_flower_filter *f, char *err, size_t errsz)
{
	struct toks t;
	const char *dev = NULL, *w;
	struct ir_rule *r = &f->rule;
	bool verdict = false;
	int ret = 0;

	f->protocol = 0x0003;
	f->offload = BE_OFFLOAD_BOTH;
	r->prov.path = -1; /* as ir_rule__init */
	tokenise(buf, &t);
	ret = parse_head(&t, f, &dev, err, errsz);
	if (ret)
		return ret;
	r->prio = f->prio;
	if (f->protocol != 0x0003) {
		struct ir_match m;

		set_exact(&m, IR_F_ETH_TYPE, f->protocol);
		ret = add_match(r, &m);
	}
	while (!ret && (w = next(&t)) && !eq(w, "action")) {
		const struct flower_key *k;
		struct ir_match m;

		if (eq(w, "skip_sw") || eq(w, "skip_hw")) {
			f->offload =
				w[5] == 's' ? BE_OFFLOAD_HW : BE_OFFLOAD_SW;
			continue;
		}
		k = be_flower_key_by_kw(w, be_rule_l3_type(r) == 0x86dd);
		if (!k) {
			ret = fl_err(err, errsz, -EINVAL, "unknown key '%s'",
				     w);
			break;
		}
		ret = parse_key_value(k, next(&t), o, &m);
		if (!ret)
			ret = add_match(r, &m);
		if (ret)
			ret = fl_err(err, errsz, ret, "bad value for '%s'", w);
	}
	if (!ret && w)
		t.i--; /* back to "action" */
	while (!ret && (w = next(&t))) {
		if (!eq(w, "action") || verdict) {
			ret = fl_err(err, errsz, -EINVAL,
				     "unexpected '%s' after the verdict", w);
			break;
		}
		ret = parse_action(&t, dev, o, &r->action, err, errsz);
		if (ret == 0)
			verdict = true;
		else if (ret == 1)
			ret = 0;
	}
	if (!ret && !verdict)
		ret = fl_err(err, errsz, -EINVAL, "no verdict action");
	return ret;
}

int be_flower_parse_line(const char *line, const struct be_opts *o,
			 struct be_flower_filter *f, char *err, size_t errsz)
{
	char stack[512], *buf = stack;
	size_t len = strlen(line);
	int ret;

	if (len >= sizeof(stack)) {
		buf = malloc(len + 1);
		if (!buf)
			return -ENOMEM;
	}
	memcpy(buf, line, len + 1);
	memset(f, 0, sizeof(*f));
	ret = parse_toks(buf, o, f, err, errsz);
	if (buf != stack)
		free(buf);
	return ret;
}

/* What the previous parse_toks (and be_flower_filter_place, and the
 * caller's cookie, ifindex...) set, back to zero: the fields around the
 * rule, its action, and only the matches it used. */
static void filter_clear(struct be_flower_filter *f)
{
	struct ir_rule *r = &f->rule;
	char *tail = (char *)(r + 1);

	memset(f, 0, offsetof(struct be_flower_filter, rule));
	memset(tail, 0, (size_t)((char *)(f + 1) - tail));
	memset(r->matches, 0, r->n_matches * sizeof(r->matches[0]));
	memset(&r->action, 0, sizeof(r->action));
	r->prio = r->n_matches = 0;
	memset(&r->prov, 0, sizeof(r->prov));
}

int be_flower_parse_next(char *line, const struct be_opts *o,
			 struct be_flower_filter *f, char *err, size_t errsz)
{
	filter_clear(f);
	return parse_toks(line, o, f, err, errsz);
}

/* As be_flower_filter_from_rule(f, &f->rule, o): the same checks and
 * messages, without the copy. */
int be_flower_filter_place(struct be_flower_filter *f,
			   const struct be_opts *o, char *err, size_t errsz)
{
	struct ir_rule *r = &f->rule;
	uint32_t prio = r->prio + o->prio_base;
	char *tail = (char *)(r + 1);
	uint16_t protocol;
	uint64_t t;

	if (prio < 1 || prio > 0xffff || prio < r->prio)
		return fl_err(err, errsz, -ERANGE,
			      "prio %u (+%u) is outside tc's 1..65535", r->prio,
			      o->prio_base);
	protocol = be_rule_exact(r, IR_F_ETH_TYPE, &t) ? t : 0x0003;
	if (ir_rule__find(r, IR_F_ETH_TYPE) && protocol == 0x0003 &&
	    !be_rule_exact(r, IR_F_ETH_TYPE, &t))
		return fl_err(err, errsz, -EOPNOTSUPP,
			      "flower matches eth.type exactly only");
	memset(f, 0, offsetof(struct be_flower_filter, rule));
	memset(tail, 0, (size_t)((char *)(f + 1) - tail));
	f->egress = o->egress;
	f->chain = o->chain;
	f->prio = prio;
	f->offload = o->offload;
	f->protocol = protocol;
	memset(&r->prov, 0, sizeof(r->prov));
	r->prio = prio;
	return 0;
}

/* Header lines the printer makes itself (spaced keys are skipped anyway);
 * "duplicates" is recomputed on printing. */
static const char *const generated[] = {"duplicates", "ifname", NULL};

/* o's device names after the file's own "# ifname:" lines. */
static int merge_ifnames(struct be_opts *lo, const struct be_opts *o,
			 struct be_ifname **tab, size_t *n)
{
	struct be_ifname *t;

	if (!o || !o->n_ifnames)
		return 0;
	t = realloc(*tab, (*n + o->n_ifnames) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	memcpy(t + *n, o->ifnames, o->n_ifnames * sizeof(*t));
	*tab = t;
	lo->ifnames = t;
	lo->n_ifnames = *n + o->n_ifnames;
	return 0;
}

struct ir_ruleset *be_flower_parse(FILE *f, const struct be_opts *o, char *err,
				   size_t errsz);
struct ir_ruleset *be_flower_parse(FILE *f, const struct be_opts *o, char *err,
				   size_t errsz)
{
	struct ir_ruleset *rs = ir_ruleset__new();
	struct be_opts lo = o ? *o : (struct be_opts){0};
	struct be_ifname *tab = NULL;
	char *line = NULL, msg[512];
	size_t cap = 0, lineno = 0, n_tab = 0;
	int ret = 0;

	if (!rs)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		struct be_flower_filter flt;
		char *p = be_trim_line(line);

		lineno++;
		if (!*p)
			continue;
		if (*p == '#') {
			ret = be_parse_ifname_line(p, &tab, &n_tab);
			if (ret == 1) {
				lo.ifnames = tab;
				lo.n_ifnames = n_tab;
				ret = merge_ifnames(&lo, o, &tab, &n_tab);
				n_tab = lo.n_ifnames - (o ? o->n_ifnames : 0);
			} else if (!ret) {
				ret = be_parse_meta_line(rs, p, generated,
							 lineno, err, errsz);
			}
		} else {
			msg[0] = '\0';
			ret = be_flower_parse_line(p, &lo, &flt, msg,
						   sizeof(msg));
			if (!ret)
				ret = ir_ruleset__add(rs, &flt.rule);
			if (ret) {
				fl_err(err, errsz, ret, "%zu: %s", lineno,
				       msg[0] ? msg : strerror(-ret));
				break;
			}
		}
		if (ret)
			break;
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
