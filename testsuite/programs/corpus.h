/* SPDX-License-Identifier: Apache-2.0 */
/*
 * corpus.h - what the verify corpus programs share: headers and tiny
 * parsing helpers. Each program is a realistic policy written for
 * flowlift's differential tests (testsuite/verify/).
 */
#ifndef FLOWLIFT_CORPUS_H
#define FLOWLIFT_CORPUS_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/* ICMP and ICMPv6 headers as far as these programs read them
 * (<linux/icmp.h> drags in libc headers that a BPF build cannot use). */
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;
};

struct icmp6hdr {
	__u8 icmp6_type;
	__u8 icmp6_code;
	__sum16 icmp6_cksum;
	__be32 rest;
};

#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_FRAG_NEEDED 4

struct lpm_v4 {
	__u32 prefixlen;
	__be32 addr;
};

struct lpm_v6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* A pointer to T at p if the frame has sizeof(T) bytes there, else NULL. */
#define HDR(T, p, end) \
	((void *)(p) + sizeof(T) <= (void *)(end) ? (T *)(p) : (T *)0)

char LICENSE[] SEC("license") = "GPL";

#endif
