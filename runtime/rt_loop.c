// SPDX-License-Identifier: Apache-2.0
/*
 * rt_loop.c - the agent's one loop: read events, flush installs, once per
 * interval the periodic work and the start of a reap, and the reap itself
 * in slices between reads.
 *
 * A reap looks at every installed rule (2-6 us each with the sim device,
 * more through netlink), so a whole reap over 100k flows holds the reader
 * up for longer than a 256 KiB ring buffer lasts at 50k new flows/s (~60
 * ms). Here a reap is a dump and a sweep worked through in slices of
 * about reap_slice rules, and every slice follows a read that does not
 * wait: the ring buffer waits at most one slice. Everything stays on one
 * thread, so the flow table needs no lock.
 */
#include <errno.h>

#include "runtime/rt_internal.h"

int rt_loop__run(const struct rt_loop *l)
{
	struct rt_core *c = l->core;
	uint64_t next = 0;
	int ret = 0;

	while (!*l->stop) {
		uint64_t now = rt_core__now(c) / 1000;
		bool reaping = rt_core__reaping(c);
		int timeout = 0;

		if (now >= next) {
			ret = l->ops->interval(l->arg);
			if (ret)
				break;
			/* a failed dump is retried next interval: nothing
			 * is lost meanwhile */
			rt_core__reap_start(c);
			next = now + l->interval_ms;
			reaping = rt_core__reaping(c);
		}
		if (!reaping)
			timeout = next - now < RT_POLL_MS ? (int)(next - now) :
							    RT_POLL_MS;
		ret = l->ops->read(l->arg, timeout);
		if (ret < 0 && ret != -EINTR)
			break;
		ret = rt_core__flush(c);
		if (ret)
			break;
		if (reaping)
			rt_core__reap_step(c, 0); /* errors: logged, retried */
	}
	return ret;
}
