/* The echo reflector's ABI, shared by echo.bpf.c and the C# controller. The C# structs are generated from the
 * object's BTF, these comments becoming their docs; Echo/EchoAbi.cs keeps what BTF lacks (enum echo_stat). */
#ifndef SLUICE_ECHO_H
#define SLUICE_ECHO_H

#include <linux/types.h>

/* Index of each counter in echo_stats: every frame is counted once, under what happened to it. */
enum echo_stat {
    ECHO_STAT_ICMP4 = 0,    /* ICMP echo request answered */
    ECHO_STAT_ICMP6 = 1,    /* ICMPv6 echo request answered */
    ECHO_STAT_UDP4 = 2,     /* UDP datagram to an echo port, sent back (IPv4) */
    ECHO_STAT_UDP6 = 3,     /* the same over IPv6 */
    ECHO_STAT_PASSED = 4,   /* anything else: handed to the stack */
    ECHO_STAT_COUNT = 5,
};

/* Packets and bytes of one echo_stat. */
struct echo_counter {
    __u64 packets;  /* frames */
    __u64 bytes;    /* bytes (Ethernet frame length) */
};

/* Hop limit / TTL of every reply, like a host's own default. */
#define ECHO_REPLY_TTL 64
#define ECHO_MAX_UDP_PORTS 256

#endif
