// SPDX-License-Identifier: Apache-2.0
/*
 * rt_event.c - validating what comes out of the ring buffer.
 *
 * A record is trusted only after its version, the size it claims, the size
 * it has and every enumerated field check out; a bad record is counted and
 * dropped by the caller, never installed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runtime/rt_internal.h"

static const char *const verdict_names[FLOWLIFT_VERDICT__COUNT] = {
	[0] = "slowpath",
	[FLOWLIFT_DROP] = "drop",
	[FLOWLIFT_PASS] = "pass",
	[FLOWLIFT_REDIRECT] = "redirect",
	[FLOWLIFT_TX] = "tx",
};

static const char *const hook_names[FLOWLIFT_HOOK__COUNT] = {
	[FLOWLIFT_HOOK_TC_INGRESS] = "tc-ingress",
	[FLOWLIFT_HOOK_TC_EGRESS] = "tc-egress",
	[FLOWLIFT_HOOK_XDP] = "xdp",
};

const char *rt_verdict__name(uint8_t verdict)
{
	return verdict < FLOWLIFT_VERDICT__COUNT ? verdict_names[verdict] : "?";
}

static bool all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static int check_key(const struct flowlift_flow_key *k)
{
	if (k->hook >= FLOWLIFT_HOOK__COUNT)
		return -EINVAL;
	if (k->family != 4 && k->family != 6)
		return -EINVAL;
	if (k->flags & ~FLOWLIFT_KEY_VLAN || k->pad)
		return -EINVAL;
	if (!(k->flags & FLOWLIFT_KEY_VLAN) ? k->vlan_id : k->vlan_id > 4095)
		return -EINVAL;
	if (k->family == 4 &&
	    (!all_zero(k->src + 4, 12) || !all_zero(k->dst + 4, 12)))
		return -EINVAL;
	return 0;
}

int rt_event__parse(const void *data, size_t size, struct flowlift_event *out)
{
	struct flowlift_event ev;
	uint16_t version, claimed;

	if (size < 4)
		return -EINVAL;
	memcpy(&version, data, 2);
	memcpy(&claimed, (const uint8_t *)data + 2, 2);
	if (version != FLOWLIFT_EVENT_VERSION)
		return -EPROTO;
	if (claimed != sizeof(ev) || size < sizeof(ev))
		return -EINVAL;
	memcpy(&ev, data, sizeof(ev));
	if (!ev.verdict || ev.verdict >= FLOWLIFT_VERDICT__COUNT)
		return -EINVAL;
	if (ev.flags & ~FLOWLIFT_REDIRECT_INGRESS || ev.pad)
		return -EINVAL;
	if ((ev.verdict == FLOWLIFT_REDIRECT) != (ev.redirect_ifindex != 0))
		return -EINVAL;
	if (check_key(&ev.key))
		return -EINVAL;
	*out = ev;
	return 0;
}

int rt_key__snprint(const struct flowlift_flow_key *k, char *buf, size_t size)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = k->family == 6 ? AF_INET6 : AF_INET;
	const char *hook = k->hook < FLOWLIFT_HOOK__COUNT ?
				   hook_names[k->hook] : "?";
	char vlan[16] = "";
	int n;

	inet_ntop(af, k->src, src, sizeof(src));
	inet_ntop(af, k->dst, dst, sizeof(dst));
	if (k->flags & FLOWLIFT_KEY_VLAN)
		snprintf(vlan, sizeof(vlan), " vlan %u", k->vlan_id);
	if (k->family == 6)
		n = snprintf(buf, size, "proto %u [%s]:%u -> [%s]:%u dev %u %s%s",
			     k->proto, src, ntohs(k->sport), dst,
			     ntohs(k->dport), k->ifindex, hook, vlan);
	else
		n = snprintf(buf, size, "proto %u %s:%u -> %s:%u dev %u %s%s",
			     k->proto, src, ntohs(k->sport), dst,
			     ntohs(k->dport), k->ifindex, hook, vlan);
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}
