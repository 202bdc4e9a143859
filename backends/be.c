// SPDX-License-Identifier: Apache-2.0
/*
 * be.c - the backend table and what the backends share: device names,
 * '#' header lines, match shape helpers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends_internal.h"
#include "common/common.h"

static const struct be_ops *const backends[] = {
	&be_flower_ops,
	&be_nft_ops,
	&be_rteflow_ops,
};

const struct be_ops *be_find(const char *name)
{
	for (size_t i = 0; name && i < FL_ARRAY_SIZE(backends); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

int be_ifname(const struct be_opts *o, uint32_t ifindex, char name[IF_NAMESIZE],
	      char *err, size_t errsz)
{
	for (size_t i = 0; o && i < o->n_ifnames; i++) {
		if (o->ifnames[i].ifindex == ifindex) {
			snprintf(name, IF_NAMESIZE, "%s", o->ifnames[i].name);
			return 0;
		}
	}
	if (ifindex && if_indextoname(ifindex, name))
		return 0;
	return fl_err(err, errsz, -ENODEV,
		      "no device name for ifindex %u: give --ifname %u=NAME",
		      ifindex, ifindex);
}

uint32_t be_ifindex(const struct be_opts *o, const char *name)
{
	for (size_t i = 0; o && i < o->n_ifnames; i++)
		if (!strcmp(o->ifnames[i].name, name))
			return o->ifnames[i].ifindex;
	return if_nametoindex(name);
}

size_t be_count_prios(const struct ir_ruleset *rs)
{
	size_t n = 0, count = ir_ruleset__count(rs);

	for (size_t i = 0; i < count; i++)
		if (!i || ir_ruleset__rule_c(rs, i)->prio !=
				  ir_ruleset__rule_c(rs, i - 1)->prio)
			n++;
	return n;
}

void be_print_meta(const struct ir_ruleset *rs, FILE *f)
{
	size_t n = ir_ruleset__meta_count(rs);
	unsigned int assume = ir_ruleset__assume(rs);

	for (size_t i = 0; i < n; i++) {
		const char *k, *v;

		ir_ruleset__meta_at(rs, i, &k, &v);
		fprintf(f, "# %s: %s\n", k, v);
	}
	if (!ir_ruleset__meta(rs, "assume")) {
		fprintf(f, "# assume:");
		for (unsigned int b = 1; b; b <<= 1)
			if ((assume & b) && ir_assume__name(b))
				fprintf(f, " %s", ir_assume__name(b));
		fprintf(f, "%s\n", assume ? "" : " none");
	}
	fprintf(f, "# rule counts: %zu rules, %zu priorities\n",
		ir_ruleset__count(rs), be_count_prios(rs));
}

char *be_trim_line(char *line)
{
	char *p = line + strspn(line, " \t");

	p[strcspn(p, "\r\n")] = '\0';
	return p;
}

int be_parse_meta_line(struct ir_ruleset *rs, const char *line,
		       const char *const *skip, size_t lineno, char *err,
		       size_t errsz)
{
	int ret;

	const char *p = line + 1, *colon;
	char key[128];
	size_t klen;

	while (*p == ' ')
		p++;
	colon = strstr(p, ": ");
	if (!colon || colon == p || (size_t)(colon - p) >= sizeof(key) ||
	    memchr(p, ' ', colon - p))
		return 0; /* a free-form comment */
	klen = colon - p;
	memcpy(key, p, klen);
	key[klen] = '\0';
	for (; skip && *skip; skip++)
		if (!strcmp(*skip, key))
			return 0;
	if (!strcmp(key, "assume")) {
		unsigned int a = 0;
		char buf[256], *tok, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", colon + 2);
		for (tok = strtok_r(buf, " ,", &save); tok;
		     tok = strtok_r(NULL, " ,", &save))
			a |= ir_assume__by_name(tok);
		ir_ruleset__set_assume(rs, a);
		return 0;
	}
	ret = ir_ruleset__add_meta(rs, key, colon + 2);
	if (ret) /* e.g. "# hook: nonsense" */
		fl_err(err, errsz, ret, "%zu: bad header line '%s': %s",
		       lineno, key, strerror(-ret));
	return ret;
}

bool be_match_is_exact(const struct ir_match *m)
{
	const struct ir_field *fd = ir_field__get(m->field);
	size_t n = ir_field__bytes(m->field);
	unsigned int top = fd->width % 8;

	if (m->kind != IR_MATCH_MASK)
		return m->lo == m->hi;
	for (size_t i = 0; i < n; i++) {
		uint8_t full =
			(i == 0 && top) ? (uint8_t)((1u << top) - 1) : 0xff;

		if (m->mask.b[i] != full)
			return false;
	}
	return true;
}

int be_match_plen(const struct ir_match *m)
{
	const struct ir_field *fd = ir_field__get(m->field);
	size_t n = ir_field__bytes(m->field);
	int plen = 0;
	bool zero = false;

	if (m->kind != IR_MATCH_MASK || fd->width % 8)
		return -1;
	for (size_t i = 0; i < n; i++) {
		for (int b = 7; b >= 0; b--) {
			bool set = m->mask.b[i] & (1u << b);

			if (set && zero)
				return -1;
			if (set)
				plen++;
			else
				zero = true;
		}
	}
	return plen;
}

bool be_rule_exact(const struct ir_rule *r, enum ir_field_id f, uint64_t *v)
{
	const struct ir_match *m = ir_rule__find(r, f);

	if (!m || !be_match_is_exact(m))
		return false;
	*v = m->kind == IR_MATCH_MASK ? ir_val__u64(&m->key, f) : m->lo;
	return true;
}

bool be_eth_is_vlan(uint16_t type)
{
	return type == 0x8100 || type == 0x88a8;
}

uint16_t be_rule_l3_type(const struct ir_rule *r)
{
	uint64_t t = 0, vt = 0, nv = 0;

	/* eth.type unpinned but tagged (flower: protocol all with
	 * num_of_vlans >= 1): the type after the outer tag */
	if (!be_rule_exact(r, IR_F_ETH_TYPE, &t))
		return be_rule_exact(r, IR_F_NUM_VLANS, &nv) && nv >= 1 &&
				       be_rule_exact(r, IR_F_VLAN_TYPE, &vt) &&
				       !be_eth_is_vlan(vt)
			       ? vt
			       : 0;
	if (!be_eth_is_vlan(t))
		return t;
	if (be_rule_exact(r, IR_F_VLAN_TYPE, &vt) && !be_eth_is_vlan(vt))
		return vt;
	return 0;
}

bool be_caps_has(const struct ir_caps *caps, enum ir_field_id f)
{
	return f < IR_F__COUNT && caps->field_match[f];
}

/* The rule's matches as text (no prio, no action): its identity for
 * duplicate detection. */
/* The rule's matches as text, in a string of its own length (one is kept
 * per distinct rule: a fixed 4 KiB each was most of compile's peak memory
 * at 1M rules). */
static char *match_key(const struct ir_rule *r)
{
	struct ir_rule t = *r;
	char buf[4096];
	int n;

	memset(&t.action, 0, sizeof(t.action));
	memset(&t.prov, 0, sizeof(t.prov));
	t.prio = 0;
	n = ir_rule__snprint(&t, buf, sizeof(buf), false);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return NULL;
	return strdup(buf);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

bool *be_duplicates(const struct ir_ruleset *rs, size_t *n_dup)
{
	size_t n = ir_ruleset__count(rs), cap = 16;
	bool *dup = calloc(n + 1, sizeof(*dup));
	char **tab;

	*n_dup = 0;
	while (cap < 2 * n)
		cap *= 2;
	tab = calloc(cap, sizeof(*tab));
	if (!dup || !tab) {
		free(dup);
		free(tab);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char *k = match_key(ir_ruleset__rule_c(rs, i));
		size_t h;

		if (!k)
			continue; /* too long to key: keep it */
		for (h = fnv1a(k) & (cap - 1); tab[h]; h = (h + 1) & (cap - 1))
			if (!strcmp(tab[h], k))
				break;
		if (tab[h]) {
			dup[i] = true;
			(*n_dup)++;
			free(k);
		} else {
			tab[h] = k;
		}
	}
	for (size_t i = 0; i < cap; i++)
		free(tab[i]);
	free(tab);
	return dup;
}

/* Distinct ifindexes rs names (redirect targets, exact meta.ifindex), in
 * order of first use; returns how many were stored in out (at most max). */
static size_t used_ifindexes(const struct ir_ruleset *rs, uint32_t *out,
			     size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ir_ruleset__count(rs); i++) {
		const struct ir_rule *r = ir_ruleset__rule_c(rs, i);
		const struct ir_match *m = ir_rule__find(r, IR_F_META_IFINDEX);
		uint32_t cand[2];
		size_t nc = 0;

		if (r->action.verdict == IR_ACT_REDIRECT)
			cand[nc++] = r->action.ifindex;
		if (m && m->kind == IR_MATCH_MASK && be_match_is_exact(m))
			cand[nc++] = ir_val__u64(&m->key, m->field);
		for (size_t c = 0; c < nc; c++) {
			size_t k;

			for (k = 0; k < n && out[k] != cand[c]; k++)
				;
			if (k == n && n < max)
				out[n++] = cand[c];
		}
	}
	return n;
}

void be_print_ifnames(const struct ir_ruleset *rs, const struct be_opts *o,
		      FILE *f)
{
	uint32_t ifx[64];
	size_t n = used_ifindexes(rs, ifx, FL_ARRAY_SIZE(ifx));

	for (size_t i = 0; i < n; i++) {
		char name[IF_NAMESIZE];

		if (!be_ifname(o, ifx[i], name, NULL, 0))
			fprintf(f, "# ifname: %u=%s\n", ifx[i], name);
	}
}

int be_parse_ifname_line(const char *line, struct be_ifname **tab, size_t *n)
{
	unsigned int ifx;
	char name[IF_NAMESIZE + 1];
	struct be_ifname *t;

	if (sscanf(line, "# ifname: %u=%16s", &ifx, name) != 2 ||
	    strlen(name) >= IF_NAMESIZE)
		return 0;
	t = realloc(*tab, (*n + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	*tab = t;
	t[*n].ifindex = ifx;
	memcpy(t[*n].name, name, strlen(name) + 1); /* < IF_NAMESIZE */
	(*n)++;
	return 1;
}

void be_print_val(FILE *out, enum be_vfmt fmt, enum ir_field_id f,
		  const struct ir_val *v)
{
	char buf[INET6_ADDRSTRLEN];
	const uint8_t *b = v->b;

	switch (fmt) {
	case BE_V_DEC:
		fprintf(out, "%llu", (unsigned long long)ir_val__u64(v, f));
		return;
	case BE_V_HEX:
		fprintf(out, "0x%llx", (unsigned long long)ir_val__u64(v, f));
		return;
	case BE_V_MAC:
		fprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2],
			b[3], b[4], b[5]);
		return;
	case BE_V_IP4:
	case BE_V_IP6:
		inet_ntop(fmt == BE_V_IP4 ? AF_INET : AF_INET6, b, buf,
			  sizeof(buf));
		fputs(buf, out);
		return;
	}
}

int be_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

int be_rule_add(struct ir_rule *r, const struct ir_match *m, char *err,
		size_t errsz)
{
	int ret = ir_rule__and(r, m);

	if (ret)
		return fl_err(err, errsz, ret < 0 ? ret : -EINVAL,
			      "conflicting matches on %s",
			      ir_field__get(m->field)->name);
	return 0;
}
