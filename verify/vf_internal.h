/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vf_internal.h - what the verify module's files share and nobody else
 * needs.
 */
#ifndef FLOWLIFT_VF_INTERNAL_H
#define FLOWLIFT_VF_INTERNAL_H

#include <stdint.h>

/* A number in [0, n) from the generator state (0 if n is 0). */
uint64_t vf_rnd(uint64_t *s, uint64_t n);

/* TCP flag combinations worth trying: the usual ones and the scans. */
extern const uint16_t vf_tcp_combos[];
extern const size_t vf_n_tcp_combos;

#endif /* FLOWLIFT_VF_INTERNAL_H */
