// SPDX-License-Identifier: Apache-2.0
/*
 * lift_compile.c - lift_compile(): set up, explore every path, describe the
 * result in the rule set's header, run the IR passes.
 *
 * Verdicts. tc (cls_bpf direct-action, tcx): TC_ACT_OK -> pass, TC_ACT_SHOT
 * -> drop, TC_ACT_REDIRECT after bpf_redirect -> redirect; the kernel
 * turns every code it does not know (PIPE, QUEUED, ...) into TC_ACT_UNSPEC,
 * "continue with the next filter", which for the rule set standing in for
 * the program as the last filter is pass, like TC_ACT_OK. RECLASSIFY,
 * STOLEN and TRAP have no rule equivalent (slow path). XDP: PASS -> pass,
 * DROP and ABORTED -> drop, TX -> tx, REDIRECT after bpf_redirect or
 * bpf_redirect_map -> redirect; unknown codes are dropped by the kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "compiler/lift_internal.h"
#include "compiler/pass.h"

#define TC_ACT_UNSPEC (-1)
#define TC_ACT_OK 0
#define TC_ACT_RECLASSIFY 1
#define TC_ACT_SHOT 2
#define TC_ACT_STOLEN 4
#define TC_ACT_REDIRECT 7
#define TC_ACT_TRAP 8


static int redirect_action(struct lift_ctx *ctx, struct lift_state *st,
			   struct ir_action *a, const char *code)
{
	if (!st->redirect)
		return lift_slow(ctx, st, "%s without a redirect target",
				 code);
	a->verdict = IR_ACT_REDIRECT;
	a->ifindex = st->redirect_ifindex;
	a->ingress = st->redirect_ingress;
	return lift_end(ctx, st, a);
}

int lift_exit(struct lift_ctx *ctx, struct lift_state *st)
{
	struct ir_action a = { .verdict = IR_ACT_PASS };
	const struct lift_val *r0 = &st->r[0];
	int32_t code;

	if (r0->kind == LV_SCALAR && r0->sym)
		return lift_split_on(ctx, st, r0, "verdict");
	if (!lift_val__is_const(r0))
		return lift_slow(ctx, st, "verdict depends on values no rule "
				 "can match");
	code = (int32_t)r0->c;
	if (ctx->tc) {
		switch (code) {
		case TC_ACT_SHOT:
			a.verdict = IR_ACT_DROP;
			break;
		case TC_ACT_REDIRECT:
			return redirect_action(ctx, st, &a, "TC_ACT_REDIRECT");
		case TC_ACT_RECLASSIFY:
		case TC_ACT_STOLEN:
		case TC_ACT_TRAP:
			return lift_slow(ctx, st, "verdict %d has no rule "
					 "equivalent", code);
		default: /* OK, UNSPEC and unknown codes: pass */
			break;
		}
		return lift_end(ctx, st, &a);
	}
	switch (code) {
	case XDP_PASS:
		break;
	case XDP_TX:
		a.verdict = IR_ACT_TX;
		break;
	case XDP_REDIRECT:
		return redirect_action(ctx, st, &a, "XDP_REDIRECT");
	default: /* DROP, ABORTED, invalid codes */
		a.verdict = IR_ACT_DROP;
		break;
	}
	return lift_end(ctx, st, &a);
}

/* What the kernel's verifier would refuse before looking further, and the
 * lifter indexes by: register numbers. An object is lifted offline, before
 * any verifier has seen it, so a corrupt one must be refused here (every
 * program of it: tail calls lift the others, the state-map analysis walks
 * them all). */
static int check_regs(const struct lift_prog *prog, char *err, size_t errsz)
{
	for (size_t i = 0; i < prog->n_insns; i++) {
		const struct bpf_insn *in = &prog->insns[i];
		bool pseudo_src = in->code == (BPF_JMP | BPF_CALL) ||
				  in->code == (BPF_LD | BPF_IMM | BPF_DW);

		if (in->dst_reg > BPF_REG_10 ||
		    (!pseudo_src && in->src_reg > BPF_REG_10))
			return fl_err(err, errsz, -EINVAL,
				      "prog '%s': insn %zu: register r%u does "
				      "not exist", prog->name, i,
				      in->dst_reg > BPF_REG_10 ? in->dst_reg
							       : in->src_reg);
		/* an ldimm64's second half is checked too: its registers
		 * are 0 when it is well formed, and a bad jump can land on
		 * it */
	}
	return 0;
}

static int pick_hook(const struct lift_prog *prog, enum ir_hook *hook)
{
	const char *sec = prog->sec ? prog->sec : "";

	switch (prog->type) {
	case BPF_PROG_TYPE_XDP:
		*hook = IR_HOOK_XDP;
		return 0;
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		*hook = strstr(sec, "egress") ? IR_HOOK_TC_EGRESS :
						IR_HOOK_TC_INGRESS;
		return 0;
	case BPF_PROG_TYPE_UNSPEC:
		if (!strncmp(sec, "xdp", 3)) {
			*hook = IR_HOOK_XDP;
			return 0;
		}
		if (!strncmp(sec, "tc", 2) || !strncmp(sec, "classifier", 10)) {
			*hook = strstr(sec, "egress") ? IR_HOOK_TC_EGRESS :
							IR_HOOK_TC_INGRESS;
			return 0;
		}
		break;
	default:
		break;
	}
	return -EOPNOTSUPP;
}

static const char *hook_name(enum ir_hook h)
{
	switch (h) {
	case IR_HOOK_TC_INGRESS: return "tc-ingress";
	case IR_HOOK_TC_EGRESS: return "tc-egress";
	default: return "xdp";
	}
}

static int map_meta(const struct lift_object *obj,
		    const struct lift_prog *prog, struct ir_ruleset *rs,
		    FILE *diag)
{
	uint32_t *idx = NULL;
	int n = lift_prog__maps(obj, prog, &idx), ret = 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n && !ret; i++) {
		const struct lift_map *m = &obj->maps[idx[i]];
		char hex[41], buf[512];

		fl_hex(m->digest, 20, hex);
		switch (m->src) {
		case LIFT_SRC_DUMP:
			snprintf(buf, sizeof(buf), "%s: dump %s sha1 %s",
				 m->name, m->src_path ? m->src_path : "?",
				 hex);
			break;
		case LIFT_SRC_LIVE:
			snprintf(buf, sizeof(buf), "%s: live %s sha1 %s",
				 m->name, m->src_path ? m->src_path : "?",
				 hex);
			break;
		case LIFT_SRC_OBJECT:
			snprintf(buf, sizeof(buf), "%s: object sha1 %s",
				 m->name, hex);
			break;
		default:
			snprintf(buf, sizeof(buf), "%s: EMPTY: no --map given",
				 m->name);
			if (diag && m->kind == LIFT_MAP_USER)
				fprintf(diag, "prog '%s': map '%s' is empty: "
					"no --map given\n", prog->name,
					m->name);
			break;
		}
		ret = ir_ruleset__add_meta(rs, "map", buf);
	}
	free(idx);
	return ret;
}

static int header(struct lift_ctx *ctx, const struct lift_prog *prog)
{
	char tag[17], as[64] = "";
	int ret;

	fl_hex(prog->tag, 8, tag);
	for (unsigned int b = 1; b; b <<= 1) {
		const char *n;

		if (!(ctx->opts->assume & b) || !(n = ir_assume__name(b)))
			continue;
		if (*as)
			strncat(as, ",", sizeof(as) - strlen(as) - 1);
		strncat(as, n, sizeof(as) - strlen(as) - 1);
	}
	ir_ruleset__set_hook(ctx->rs, ctx->hook);
	ir_ruleset__set_assume(ctx->rs, ctx->opts->assume);
	ret = ir_ruleset__set_meta(ctx->rs, "program", prog->name);
	if (!ret)
		ret = ir_ruleset__set_meta(ctx->rs, "section",
					   prog->sec ? prog->sec : "");
	if (!ret)
		ret = ir_ruleset__set_meta(ctx->rs, "tag", tag);
	if (!ret)
		ret = ir_ruleset__set_meta(ctx->rs, "hook",
					   hook_name(ctx->hook));
	if (!ret)
		ret = ir_ruleset__set_meta(ctx->rs, "assume",
					   *as ? as : "none");
	if (!ret)
		ret = map_meta(ctx->obj, prog, ctx->rs, ctx->opts->diag);
	return ret;
}

static int notes(struct lift_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_reasons; i++) {
		int ret = ir_ruleset__add_meta(ctx->rs, "slowpath",
					       ctx->reasons[i]);

		if (ret)
			return ret;
	}
	return 0;
}

int lift_compile(const struct lift_object *obj, const struct lift_prog *prog,
		 const struct lift_opts *opts, struct ir_ruleset **out,
		 struct lift_stats *stats, char *err, size_t errsz)
{
	static const struct lift_opts defaults;
	struct lift_stats dummy;
	struct lift_ctx ctx;
	int ret;

	if (err && errsz)
		*err = 0;
	if (!obj || !prog || !out)
		return fl_err(err, errsz, -EINVAL, "lift_compile: no program");
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	memset(&ctx, 0, sizeof(ctx));
	ctx.obj = obj;
	ctx.prog = prog;
	ctx.opts = opts;
	ctx.err = err;
	ctx.errsz = errsz;
	ctx.max_paths = opts->max_paths ? opts->max_paths : 65536;
	ctx.max_steps = opts->max_steps ? opts->max_steps : 1u << 20;
	ctx.max_unroll = opts->max_unroll ? opts->max_unroll : 64;
	ctx.budget = ctx.max_paths;
	if (pick_hook(prog, &ctx.hook))
		return fl_err(err, errsz, -EOPNOTSUPP,
			      "prog '%s': section '%s': not a tc or XDP "
			      "program (type %d)", prog->name,
			      prog->sec ? prog->sec : "", prog->type);
	ctx.tc = ctx.hook != IR_HOOK_XDP;
	if (!prog->n_insns)
		return fl_err(err, errsz, -ENOEXEC, "prog '%s': no "
			      "instructions", prog->name);
	ret = check_regs(prog, err, errsz);
	for (size_t i = 0; i < obj->n_progs && !ret; i++)
		ret = check_regs(&obj->progs[i], err, errsz);
	if (ret)
		return ret;
	ret = lift_state_maps(obj, &ctx.state_maps);
	if (ret)
		return fl_err(err, errsz, ret, "prog '%s': %s", prog->name,
			      strerror(-ret));
	ctx.rs = ir_ruleset__new();
	if (!ctx.rs) {
		lift_ctx__fini(&ctx);
		return fl_err(err, errsz, -ENOMEM, "out of memory");
	}
	ret = header(&ctx, prog);
	if (ret) {
		fl_err(err, errsz, ret, "prog '%s': rule set header: %s",
		       prog->name, strerror(-ret));
		goto fail;
	}
	ret = lift_explore(&ctx);
	if (ret < 0) {
		if (err && !*err)
			fl_err(err, errsz, ret, "prog '%s': %s", prog->name,
			       strerror(-ret));
		goto fail;
	}
	ret = notes(&ctx);
	if (ret)
		goto fail;
	stats->paths = ctx.seq;
	stats->paths_slowpath = ctx.paths_slow;
	ret = lift_run_passes(ctx.rs, opts, stats, err, errsz);
	if (ret)
		goto fail;
	stats->rules = ir_ruleset__count(ctx.rs);
	*out = ctx.rs;
	lift_ctx__fini(&ctx);
	return 0;
fail:
	lift_ctx__fini(&ctx);
	ir_ruleset__free(ctx.rs);
	return ret < 0 ? ret : -EINVAL;
}
