/* SPDX-License-Identifier: Apache-2.0 */
/* golden.h - includes and small parsing helpers shared by the golden
 * programs (each program still exercises one feature). */
#ifndef FLOWLIFT_GOLDEN_H
#define FLOWLIFT_GOLDEN_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* from <linux/in.h> and <linux/icmp.h>, which pull in libc headers */
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_ICMPV6 58
#define ICMP_REDIRECT 5
#define ICMP_ECHO 8

struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 un;
};

#ifndef ETH_P_8021Q
#define ETH_P_8021Q 0x8100
#endif

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

#endif
