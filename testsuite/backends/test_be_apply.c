// SPDX-License-Identifier: Apache-2.0
/*
 * test_be_apply.c - `flowlift apply` on this host, where the kernel has no
 * cls_flower: --dry-run prints every message decoded and touches nothing;
 * a real apply fails rule by rule with the kernel's own extended-ack text
 * ("rule N (prio P): Error: TC classifier not found."), takes nothing half
 * way, and says so once under -j; bad files and bad usage fail cleanly.
 * (Installing for real is the e2e test's, in the qemu guest.) Root, else 77.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "netns.h"
#include "testsuite/fl_check.h"

static char *flowlift;
static const char *rules_path;

static const char rules[] =
	"# flowlift flower rules for dev v0 ingress, offload sw (skip_hw)\n"
	"# program: t\n"
	"filter add dev v0 ingress protocol ip prio 1 flower ip_proto tcp "
	"dst_port 22 skip_hw action drop\n"
	"filter add dev v0 ingress protocol ip prio 2 flower src_ip 10.0.0.0/8 "
	"skip_hw action mirred egress redirect dev v1\n"
	"filter add dev v0 ingress protocol arp prio 3 flower skip_hw action "
	"pass\n"
	/* a final any -> slowpath: folded into the catch-all */
	"filter add dev v0 ingress protocol all prio 4 flower skip_hw action "
	"goto chain 1\n";

static int run(const char *args, char **out)
{
	char *cmd;
	int st;

	ck_assert(asprintf(&cmd, "%s %s", flowlift, args) > 0);
	st = tn_run(cmd, out);
	free(cmd);
	return st;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static char *filters(void)
{
	char *out;

	tn_run("tc filter show dev v0 ingress; tc chain show dev v0 ingress",
	       &out);
	return out;
}

START_TEST(test_dry_run)
{
	char *out, *args, *tcf;

	ck_assert(asprintf(&args, "apply %s --dev v0 --dry-run", rules_path) >
		  0);
	ck_assert_int_eq(run(args, &out), 0);
	/* 3 rules + catch-all + entry */
	ck_assert_int_eq(count(out, "RTM_NEWTFILTER"), 5);
	ck_assert_ptr_nonnull(strstr(out, "rule: prio 1 eth.type=0x0800 "
					  "ip.proto=6 l4.dport=22 -> drop"));
	ck_assert_ptr_nonnull(strstr(out, "rule: prio 2 eth.type=0x0800 "
					  "ip4.src=10.0.0.0/8 -> redirect("));
	ck_assert_ptr_nonnull(strstr(out, "TCA_FLOWER_KEY_TCP_DST (19) len 2 "
					  "0016"));
	ck_assert_ptr_nonnull(strstr(out, "offload sw (skip_hw)"));
	ck_assert_ptr_nonnull(strstr(out, "(goto chain 2)")); /* entry */
	ck_assert_ptr_nonnull(strstr(out, "(goto chain 1)")); /* slow path */
	ck_assert_int_eq(count(out, "cookie 666c6f776c696674"), 5);
	tcf = filters();
	ck_assert_str_eq(tcf, "");
	free(tcf);
	free(out);
	free(args);
}
END_TEST

START_TEST(test_apply_fails_with_kernel_text)
{
	char *out, *args, *tcf;

	ck_assert(asprintf(&args, "apply %s --dev v0", rules_path) > 0);
	ck_assert_int_eq(run(args, &out), 1);
	/* each failure names the file, the line and the rule */
	ck_assert_msg(strstr(out, ":3: rule 0 (prio 1): Error: TC "
				  "classifier not found.\n"),
		      "%s", out);
	ck_assert_msg(strstr(out, ":5: rule 2 (prio 3): Error: TC "
				  "classifier not found.\n"),
		      "%s", out);
	ck_assert_ptr_nonnull(strstr(out, rules_path));
	ck_assert_ptr_nonnull(strstr(out, "flowlift apply: catch-all (chain 2 "
					  "prio 65535): Error: TC classifier "
					  "not found.\n"));
	ck_assert_ptr_nonnull(strstr(out, "4 of 4 filters failed on v0; "
					  "nothing changed"));
	tcf = filters();
	ck_assert_str_eq(tcf, "");
	free(tcf);
	free(out);
	free(args);
}
END_TEST

START_TEST(test_apply_json)
{
	char *out, *args, err[256];
	struct fl_jval *doc;
	const struct fl_jval *failed;

	ck_assert(asprintf(&args, "-j apply %s --dev v0", rules_path) > 0);
	ck_assert_int_eq(run(args, &out), 1);
	doc = fl_json_parse(out, strlen(out), err, sizeof(err));
	ck_assert_msg(doc, "one JSON object expected: %s\n%s", err, out);
	failed = fl_jval__get(doc, "failed");
	ck_assert_ptr_nonnull(failed);
	ck_assert_uint_eq(failed->n, 4);
	ck_assert_str_eq(fl_jval__get(&failed->items[0], "error")->str,
			 "Error: TC classifier not found.");
	fl_jval__free(doc);
	free(out);
	free(args);
}
END_TEST

static const struct {
	const char *args;
	int status;
	const char *says;
} bad[] = {
	{"apply --dev v0", 2, "want one RULES file"},
	{"apply RULES", 2, "--dev DEV is required"},
	{"apply RULES --dev v0 --offload fast", 2, "--offload wants"},
	{"apply /nonexistent --dev v0", 1, "/nonexistent: No such file"},
	{"apply RULES --dev nosuchdev0", 1, "no device 'nosuchdev0'"},
	{"apply BAD --dev v0", 1, ":2: unknown key 'dst_portz'"},
	{"apply RULES --dev v1", 1, "Parent Qdisc doesn't exists"},
};

START_TEST(test_bad_input)
{
	const char *bad_path = tn_tmpfile("# x\nfilter add dev v0 ingress "
					  "protocol ip prio 1 flower "
					  "dst_portz 1 action drop\n",
					  1);
	char *args, *out, *a = strdup(bad[_i].args), *p;

	/* RULES / BAD placeholders */
	if ((p = strstr(a, "RULES")))
		ck_assert(asprintf(&args, "%.*s%s%s", (int)(p - a), a,
				   rules_path, p + 5) > 0);
	else if ((p = strstr(a, "BAD")))
		ck_assert(asprintf(&args, "%.*s%s%s", (int)(p - a), a, bad_path,
				   p + 3) > 0);
	else
		args = strdup(a);
	ck_assert_int_eq(run(args, &out), bad[_i].status);
	ck_assert_msg(strstr(out, bad[_i].says), "%s: %s", args, out);
	unlink(bad_path);
	free(out);
	free(args);
	free(a);
}
END_TEST

int main(void)
{
	static const char *const tools[] = {"tc", "ip", NULL};
	const char *build = getenv("FLOWLIFT_BUILD");
	Suite *s = suite_create("be_apply");
	TCase *tc = tcase_create("apply");
	SRunner *sr;
	int failed;

	tn_require(tools);
	if (asprintf(&flowlift, "%s/flowlift", build ? build : ".") < 0 ||
	    access(flowlift, X_OK)) {
		printf("skip: no flowlift binary at %s\n", flowlift);
		return 77;
	}
	tn_unshare("ip link add v0 type veth peer name v1 && "
		   "tc qdisc add dev v0 clsact");
	rules_path = tn_tmpfile(rules, 0);
	tcase_add_test(tc, test_dry_run);
	tcase_add_test(tc, test_apply_fails_with_kernel_text);
	tcase_add_test(tc, test_apply_json);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	failed = fl_check_runner(sr) != EXIT_SUCCESS;
	unlink(rules_path);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
