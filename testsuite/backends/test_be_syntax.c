// SPDX-License-Identifier: Apache-2.0
/*
 * test_be_syntax.c - what the backends emit is accepted by the real tools:
 * - flower: every rule of the IR corpora (this folder's corpus.ir, the IR
 *   samples and goldens) that the flower printer accepts, in each offload
 *   mode, and every golden .flower file, through `tc -force -batch` on
 *   veth devices in a private netns: each filter line must get as far as
 *   the kernel ("Error: TC classifier not found." - the host has no
 *   cls_flower), never a tc parse error;
 * - nft: the same corpora as one nft file per corpus (sw: `nft -c -f`
 *   must succeed; hw: only the kernel may object, to the offload flag on
 *   veth), and every golden .nft file.
 * Root, tc and nft; else 77.
 */
#include <check.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/backends_internal.h"
#include "common/common.h"
#include "netns.h"
#include "testsuite/fl_check.h"

#define MAX_IFX 64

static char *src_path(const char *rel)
{
	const char *src = getenv("FLOWLIFT_SRC");
	char *p;

	ck_assert(asprintf(&p, "%s/%s", src ? src : ".", rel) > 0);
	return p;
}

/* Devices for every ifindex the corpus names: fl<ifindex>. */
static struct be_ifname ifn[MAX_IFX];
static size_t n_ifn;

static void need_ifindex(uint32_t ifx)
{
	char cmd[128], *out;

	for (size_t i = 0; i < n_ifn; i++)
		if (ifn[i].ifindex == ifx)
			return;
	ck_assert(n_ifn < MAX_IFX);
	ifn[n_ifn].ifindex = ifx;
	snprintf(ifn[n_ifn].name, IF_NAMESIZE, "fl%u", ifx);
	snprintf(cmd, sizeof(cmd),
		 "ip link add fl%u type veth peer name "
		 "fl%up",
		 ifx, ifx);
	tn_run(cmd, &out);
	free(out);
	n_ifn++;
}

static void need_devices(const struct ir_ruleset *rs)
{
	for (size_t i = 0; i < ir_ruleset__count(rs); i++) {
		const struct ir_rule *r = ir_ruleset__rule_c(rs, i);
		const struct ir_match *m = ir_rule__find(r, IR_F_META_IFINDEX);

		if (r->action.verdict == IR_ACT_REDIRECT)
			need_ifindex(r->action.ifindex);
		if (m && be_match_is_exact(m))
			need_ifindex(ir_val__u64(&m->key, m->field));
	}
}

static struct ir_ruleset *load_ir(const char *path)
{
	char err[512] = "";
	FILE *f = fopen(path, "r");
	struct ir_ruleset *rs;

	ck_assert_msg(f, "%s", path);
	rs = ir_ruleset__parse(f, path, err, sizeof(err));
	fclose(f);
	ck_assert_msg(rs, "%s: %s", path, err);
	return rs;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Run a tc batch; every one of its n filters must reach the kernel. */
static void check_tc_batch(const char *text, int n, const char *what)
{
	const char *path = tn_tmpfile(text, 0);
	char *cmd, *out;

	ck_assert(asprintf(&cmd, "tc -force -batch %s", path) > 0);
	tn_run(cmd, &out);
	ck_assert_msg(count(out, "Error: TC classifier not found.") == n,
		      "%s: %d filters, tc said:\n%.1500s\n%.1500s", what, n,
		      out, text);
	ck_assert_msg(count(out, "Command failed") == n, "%s:\n%.1500s", what,
		      out);
	free(cmd);
	free(out);
	unlink(path);
}

/* sw: nft -c must accept it; hw: only the kernel may refuse (offload). */
static void check_nft(const char *text, bool hw, const char *what)
{
	const char *path = tn_tmpfile(text, 1);
	char *cmd, *out, *p;
	int st;

	ck_assert(asprintf(&cmd, "nft -c -f %s", path) > 0);
	st = tn_run(cmd, &out);
	if (!hw) {
		ck_assert_msg(st == 0, "%s: nft -c:\n%.1500s\n%.1500s", what,
			      out, text);
	} else {
		for (p = out; (p = strstr(p, "Error: ")); p++)
			ck_assert_msg(!strncmp(p,
					       "Error: Could not process rule",
					       29),
				      "%s: %.1500s", what, out);
	}
	free(cmd);
	free(out);
	unlink(path);
}

static const char *const corpora[] = {
	"testsuite/backends/corpus.ir",
	"testsuite/unit/ir/*.ir",
	"testsuite/golden/*.ir",
};

START_TEST(test_ir_corpora)
{
	static const enum be_offload offl[] = {BE_OFFLOAD_HW, BE_OFFLOAD_SW,
					       BE_OFFLOAD_BOTH};
	char *pat = src_path(corpora[_i]);
	glob_t g;

	if (glob(pat, 0, NULL, &g)) {
		free(pat);
		return; /* no goldens yet */
	}
	for (size_t k = 0; k < g.gl_pathc; k++) {
		struct ir_ruleset *rs = load_ir(g.gl_pathv[k]);
		struct ir_ruleset *nft_ok = ir_ruleset__new();

		need_devices(rs);
		for (size_t m = 0; m < 3; m++) {
			struct be_opts o = {.dev = "v0",
					    .offload = offl[m],
					    .ifnames = ifn,
					    .n_ifnames = n_ifn};
			char *text = NULL, err[512];
			size_t len = 0;
			FILE *f = open_memstream(&text, &len);
			int n = 0;

			for (size_t i = 0; i < ir_ruleset__count(rs); i++) {
				const struct ir_rule *r =
					ir_ruleset__rule_c(rs, i);
				struct be_flower_filter flt;
				char *line = NULL;
				size_t ll = 0;
				FILE *lf = open_memstream(&line, &ll);
				int ret;

				ret = be_flower_filter_from_rule(
					&flt, r, &o, err, sizeof(err));
				if (!ret)
					ret = be_flower_print_filter(
						&flt, &o, lf, err, sizeof(err));
				fclose(lf);
				if (!ret) {
					fprintf(f, "%s\n", line);
					n++;
				}
				free(line);
			}
			fclose(f);
			if (n)
				check_tc_batch(text, n, g.gl_pathv[k]);
			free(text);
		}
		/* nft: the rules nft can say, as one file */
		for (size_t i = 0; i < ir_ruleset__count(rs); i++) {
			struct ir_ruleset *one = ir_ruleset__new();
			struct be_opts o = {.dev = "v0",
					    .offload = BE_OFFLOAD_SW,
					    .ifnames = ifn,
					    .n_ifnames = n_ifn};
			char err[512];
			FILE *null = fopen("/dev/null", "w");

			ir_ruleset__add(one, ir_ruleset__rule_c(rs, i));
			if (!be_nft_ops.print(one, &o, null, err, sizeof(err)))
				ir_ruleset__add(nft_ok,
						ir_ruleset__rule_c(rs, i));
			fclose(null);
			ir_ruleset__free(one);
		}
		for (int hw = 0; hw < 2; hw++) {
			struct be_opts o = {.dev = "v0",
					    .offload = hw ? BE_OFFLOAD_HW
							  : BE_OFFLOAD_SW,
					    .ifnames = ifn,
					    .n_ifnames = n_ifn};
			char *text = NULL, err[512];
			size_t len = 0;
			FILE *f = open_memstream(&text, &len);

			ck_assert_int_eq(be_nft_ops.print(nft_ok, &o, f, err,
							  sizeof(err)),
					 0);
			fclose(f);
			check_nft(text, hw, g.gl_pathv[k]);
			free(text);
		}
		ir_ruleset__free(nft_ok);
		ir_ruleset__free(rs);
	}
	globfree(&g);
	free(pat);
}
END_TEST

/* Create every device a golden file names: dev NAME, device "NAME",
 * fwd to "NAME". */
static void golden_devices(const char *text)
{
	static const char *const pats[] = {" dev %15[A-Za-z0-9_.-]",
					   " device \"%15[A-Za-z0-9_.-]\"",
					   " to \"%15[A-Za-z0-9_.-]\""};
	const char *p = text;

	while ((p = strchr(p, ' '))) {
		char name[IF_NAMESIZE + 1] = "", cmd[128], *out;
		size_t i;

		for (i = 0; i < FL_ARRAY_SIZE(pats); i++)
			if (sscanf(p, pats[i], name) == 1)
				break;
		p++;
		if (i == FL_ARRAY_SIZE(pats) || if_nametoindex(name))
			continue;
		snprintf(cmd, sizeof(cmd),
			 "ip link add %s type veth peer name %.8sp%d && "
			 "tc qdisc add dev %s clsact",
			 name, name, (int)(p - text) % 1000, name);
		tn_run(cmd, &out);
		free(out);
	}
}

START_TEST(test_golden_files)
{
	static const char *const pats[] = {"testsuite/golden/*.flower",
					   "testsuite/golden/*.nft"};
	glob_t g;

	for (int t = 0; t < 2; t++) {
		char *pat = src_path(pats[t]);

		if (glob(pat, 0, NULL, &g)) {
			free(pat);
			continue;
		}
		for (size_t k = 0; k < g.gl_pathc; k++) {
			char *text = fl_read_file(g.gl_pathv[k], NULL);

			ck_assert_ptr_nonnull(text);
			if (!strncmp(text, "exit ", 5) ||
			    strstr(text, "\nexit ")) {
				free(text); /* an expected compile failure */
				continue;
			}
			golden_devices(text);
			if (t == 0)
				check_tc_batch(text, count(text, "filter add"),
					       g.gl_pathv[k]);
			else
				check_nft(text, strstr(text, "flags offload"),
					  g.gl_pathv[k]);
			free(text);
		}
		globfree(&g);
		free(pat);
	}
}
END_TEST

int main(void)
{
	static const char *const tools[] = {"tc", "nft", "ip", NULL};
	Suite *s = suite_create("be_syntax");
	TCase *tc = tcase_create("syntax");
	SRunner *sr;
	int failed;

	tn_require(tools);
	tn_unshare("ip link add v0 type veth peer name v1 && "
		   "tc qdisc add dev v0 clsact");
	tcase_add_loop_test(tc, test_ir_corpora, 0,
			    sizeof(corpora) / sizeof(corpora[0]));
	tcase_add_test(tc, test_golden_files);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	failed = fl_check_runner(sr) != EXIT_SUCCESS;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
