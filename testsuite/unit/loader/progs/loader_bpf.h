/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loader_bpf.h - what the loader's test programs include: the vendored
 * UAPI bpf.h and libbpf's bpf_helpers.h. clang -target bpf does not search
 * the host's multiarch directory for <asm/types.h>, so the few types
 * <linux/types.h> would provide are defined here and its guard is set.
 */
#ifndef LOADER_BPF_H
#define LOADER_BPF_H

#define _LINUX_TYPES_H
typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u64 __be64;
typedef __u16 __le16;
typedef __u32 __le32;
typedef __u64 __le64;
typedef __u16 __sum16;
typedef __u32 __wsum;
#define __aligned_u64 __u64 __attribute__((aligned(8)))

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#endif
