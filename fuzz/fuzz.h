/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz.h - what the libFuzzer targets share: the input as a file (the
 * loaders take paths) and a hard failure for broken properties.
 */
#ifndef FLOWLIFT_FUZZ_H
#define FLOWLIFT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bytes in a fresh memfd; *path gets "/proc/self/fd/N". Returns the
 * fd (close it when done) or -1. */
int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t pathsz);

/* A NUL-terminated copy of the input (free it). */
char *fuzz_strdup(const uint8_t *data, size_t size);

/* A broken property: print and abort so that libFuzzer keeps the input. */
#define FUZZ_ASSERT(cond, ...)                                        \
	do {                                                          \
		if (!(cond)) {                                        \
			fprintf(stderr, "property broken: " __VA_ARGS__); \
			fputc('\n', stderr);                          \
			abort();                                      \
		}                                                     \
	} while (0)

#endif /* FLOWLIFT_FUZZ_H */
