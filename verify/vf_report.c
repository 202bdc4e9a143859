// SPDX-License-Identifier: Apache-2.0
/*
 * vf_report.c - the verify report, as text and as JSON (-j).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/verify.h"

static const char *const verdict_names[IR_ACT__COUNT] = {
	[IR_ACT_SLOWPATH] = "slowpath",
	[IR_ACT_DROP] = "drop",
	[IR_ACT_PASS] = "pass",
	[IR_ACT_REDIRECT] = "redirect",
	[IR_ACT_TX] = "tx",
};

#define NOTE_VLAN                                                          \
	"tc ingress: the outer VLAN tag is stripped before test_run, as the " \
	"kernel does on receive; test_run does not set skb->vlan_tci, so "    \
	"programs that read it are not judged on tagged frames"
#define NOTE_NOT_TESTABLE                                                  \
	"not testable: test_run refused the frame (tc: incomplete IPv4/IPv6 " \
	"header; any hook: under 14 bytes) or the hook never sees it (tc "    \
	"ingress: a VLAN tag the kernel cannot pull); neither passing nor "   \
	"failing"
#define NOTE_REDIRECT                                                      \
	"redirect targets are not visible through test_run: where no fentry " \
	"probe on the redirect helper could be attached, redirects are "      \
	"checked as verdicts only and the target ifindex is the lifter's own " \
	"path result, not independently confirmed"

static void hex_lines(FILE *f, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i += 16) {
		fprintf(f, "    %04zx ", i);
		for (size_t j = i; j < i + 16 && j < n; j++)
			fprintf(f, " %02x", b[j]);
		fputc('\n', f);
	}
}

void vf_report__print(const struct vf_report *r, FILE *f)
{
	fprintf(f, "verify: prog '%s' (%s), target %s, assume %s\n",
		r->program, r->hook, r->target,
		r->assume[0] ? r->assume : "none");
	if (strcmp(r->source, "lift_compile"))
		fprintf(f, "  rules       %u (hit %u; from %s)\n", r->rules,
			r->rules_hit, r->source);
	else
		fprintf(f, "  rules       %u (hit %u; lifter: %u paths, %u to "
			"slow path, %u withheld)\n", r->rules, r->rules_hit,
			r->lstats.paths, r->lstats.paths_slowpath,
			r->lstats.withheld);
	fprintf(f, "  packets     %llu: judged %llu, not testable %llu, "
		"tagged but vlan_tci read %llu, outside the assumptions %llu\n",
		(unsigned long long)r->packets, (unsigned long long)r->tested,
		(unsigned long long)r->not_testable,
		(unsigned long long)r->vlan_meta,
		(unsigned long long)r->outside);
	fprintf(f, "  kernel      pass %llu, drop %llu, redirect %llu, tx %llu\n",
		(unsigned long long)r->kverdicts[IR_ACT_PASS],
		(unsigned long long)r->kverdicts[IR_ACT_DROP],
		(unsigned long long)r->kverdicts[IR_ACT_REDIRECT],
		(unsigned long long)r->kverdicts[IR_ACT_TX]);
	fprintf(f, "  coverage    %.1f%% (%llu of %llu judged frames decided "
		"by rules, the rest slow path)%s\n", r->coverage,
		(unsigned long long)r->decided, (unsigned long long)r->tested,
		r->coverage_ok ? "" : "  BELOW THE MINIMUM");
	if (r->kverdicts[IR_ACT_REDIRECT])
		fprintf(f, "  redirects   %llu targets checked by the probe, %llu "
			"agreed as verdicts only\n",
			(unsigned long long)r->redirects_checked,
			(unsigned long long)r->redirects_unchecked);
	fprintf(f, "  violations  %llu", (unsigned long long)r->n_violations);
	if (r->n_stateful)
		fprintf(f, " (%llu only after the program changed its maps)",
			(unsigned long long)r->n_stateful);
	fputc('\n', f);
	fprintf(f, "  time        compile %.2f s, index %.2f s, run %.2f s\n",
		r->secs_compile, r->secs_index, r->secs_run);
	if (!r->rules)
		fprintf(f, "  note: the rule set is empty: every frame goes to the "
			"slow path\n");
	if (r->not_testable)
		fprintf(f, "  note: %s\n", NOTE_NOT_TESTABLE);
	if (!strcmp(r->hook, "tc ingress"))
		fprintf(f, "  note: %s\n", NOTE_VLAN);
	if (r->kverdicts[IR_ACT_REDIRECT])
		fprintf(f, "  note: %s\n", NOTE_REDIRECT);
	for (size_t i = 0; i < r->n_kept; i++) {
		const struct vf_violation *v = &r->viol[i];

		fprintf(f, "\nVIOLATION %zu: %s\n", i + 1, v->why);
		fprintf(f, "  frame   %s [%s]\n", v->desc, v->frame.kind);
		if (v->frame.mark)
			fprintf(f, "  mark    0x%x\n", v->frame.mark);
		if (v->kern_len != v->frame.len)
			fprintf(f, "  (kernel given %u bytes: outer tag "
				"stripped)\n", v->kern_len);
		fprintf(f, "  kernel  %s (%s)\n", v->kernel,
			verdict_names[v->kverdict]);
		fprintf(f, "  rule    %s\n", v->rule);
		if (v->source[0])
			fprintf(f, "  path    last branch at %s\n", v->source);
		fprintf(f, "  hex\n");
		hex_lines(f, v->frame.data, v->frame.len);
	}
	if (r->n_violations > r->n_kept)
		fprintf(f, "\n(%llu more violations not shown)\n",
			(unsigned long long)(r->n_violations - r->n_kept));
}

void vf_report__json(const struct vf_report *r, struct fl_json *j)
{
	fl_json__obj_begin(j);
	fl_json__kstr(j, "program", r->program);
	fl_json__kstr(j, "hook", r->hook);
	fl_json__kstr(j, "target", r->target);
	fl_json__kstr(j, "rules_from", r->source);
	fl_json__kstr(j, "assume", r->assume);
	fl_json__ku64(j, "rules", r->rules);
	fl_json__ku64(j, "rules_hit", r->rules_hit);
	fl_json__key(j, "lifter");
	fl_json__obj_begin(j);
	fl_json__ku64(j, "paths", r->lstats.paths);
	fl_json__ku64(j, "paths_slowpath", r->lstats.paths_slowpath);
	fl_json__ku64(j, "withheld", r->lstats.withheld);
	fl_json__obj_end(j);
	fl_json__ku64(j, "packets", r->packets);
	fl_json__ku64(j, "tested", r->tested);
	fl_json__ku64(j, "not_testable", r->not_testable);
	fl_json__ku64(j, "vlan_meta", r->vlan_meta);
	fl_json__ku64(j, "outside_assumptions", r->outside);
	fl_json__ku64(j, "decided", r->decided);
	fl_json__key(j, "coverage");
	fl_json__dbl(j, r->coverage);
	fl_json__kbool(j, "coverage_ok", r->coverage_ok);
	fl_json__key(j, "kernel");
	fl_json__obj_begin(j);
	for (int v = IR_ACT_DROP; v < IR_ACT__COUNT; v++)
		fl_json__ku64(j, verdict_names[v], r->kverdicts[v]);
	fl_json__obj_end(j);
	fl_json__ku64(j, "redirects_target_checked", r->redirects_checked);
	fl_json__ku64(j, "redirects_target_unchecked", r->redirects_unchecked);
	fl_json__kbool(j, "redirect_probe", r->redirect_probe);
	fl_json__ku64(j, "violations", r->n_violations);
	fl_json__ku64(j, "violations_stateful", r->n_stateful);
	fl_json__key(j, "secs_compile");
	fl_json__dbl(j, r->secs_compile);
	fl_json__key(j, "secs_run");
	fl_json__dbl(j, r->secs_run);
	fl_json__key(j, "secs_index");
	fl_json__dbl(j, r->secs_index);
	fl_json__key(j, "notes");
	fl_json__arr_begin(j);
	if (r->not_testable)
		fl_json__str(j, NOTE_NOT_TESTABLE);
	if (!strcmp(r->hook, "tc ingress"))
		fl_json__str(j, NOTE_VLAN);
	if (r->kverdicts[IR_ACT_REDIRECT])
		fl_json__str(j, NOTE_REDIRECT);
	fl_json__arr_end(j);
	fl_json__key(j, "details");
	fl_json__arr_begin(j);
	for (size_t i = 0; i < r->n_kept; i++) {
		const struct vf_violation *v = &r->viol[i];
		char *hex = malloc(2 * (size_t)v->frame.len + 1);

		fl_json__obj_begin(j);
		fl_json__kstr(j, "why", v->why);
		fl_json__kstr(j, "frame", v->desc);
		fl_json__kstr(j, "kind", v->frame.kind);
		fl_json__ku64(j, "mark", v->frame.mark);
		if (hex) {
			fl_hex(v->frame.data, v->frame.len, hex);
			fl_json__kstr(j, "hex", hex);
			free(hex);
		}
		fl_json__ku64(j, "kernel_len", v->kern_len);
		fl_json__kstr(j, "kernel", v->kernel);
		fl_json__kstr(j, "kernel_verdict", verdict_names[v->kverdict]);
		fl_json__kstr(j, "rule", v->rule);
		fl_json__kstr(j, "source", v->source);
		fl_json__obj_end(j);
	}
	fl_json__arr_end(j);
	fl_json__obj_end(j);
}
