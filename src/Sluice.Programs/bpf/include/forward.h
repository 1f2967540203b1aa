/* The forwarding plane's ABI, shared by forward.bpf.c and the C# controller. The C# structs and enum forward_mode
 * are generated from the object's BTF, these comments becoming their docs; Forward/ForwardAbi.cs keeps what BTF
 * lacks (enum forward_stat, which only indexes an array). */
#ifndef SLUICE_FORWARD_H
#define SLUICE_FORWARD_H

#include <linux/types.h>

#define FORWARD_MAX_PORTS 64
#define FORWARD_MAX_CPUS 64

/* How the forwarder moves frames. */
enum forward_mode {
    FORWARD_MODE_L2 = 0,        /* ingress port -> its egress port; group addresses flood the port group */
    FORWARD_MODE_ROUTER = 1,    /* bpf_fib_lookup: MAC rewrite, TTL / hop limit - 1, out of the FIB's port */
};

/* The forwarder's configuration: fwd_config[0]. */
struct forward_config {
    enum forward_mode mode;     /* how frames are moved */
    __u32 cpu_count;            /* > 0: steer each flow to fwd_cpus[hash % cpu_count] through fwd_cpumap first */
};

/* Index of each counter in fwd_stats. Every frame the ingress program sees is counted once under what it did
 * (REDIRECT .. PASS_OTHER, or STEER); a steered frame is counted again on its CPU as CPU_RECEIVED plus its outcome. */
enum forward_stat {
    FORWARD_STAT_REDIRECT = 0,      /* L2: sent to the ingress port's egress port */
    FORWARD_STAT_FLOOD = 1,         /* L2: group address, sent to every port of the group but the ingress one */
    FORWARD_STAT_ROUTE = 2,         /* router: rewritten and sent out of the FIB's port */
    FORWARD_STAT_STEER = 3,         /* sent to another CPU (CPUMAP), which forwards it */
    FORWARD_STAT_PASS_NO_PORT = 4,  /* L2: the ingress port has no egress port */
    FORWARD_STAT_PASS_ICMP = 5,     /* router: ICMP / ICMPv6, left to the stack */
    FORWARD_STAT_PASS_TTL = 6,      /* router: TTL / hop limit would expire: the stack sends time exceeded */
    FORWARD_STAT_PASS_NO_NEIGH = 7, /* router: route found, neighbour unresolved: the stack resolves it */
    FORWARD_STAT_PASS_FIB_MISS = 8, /* router: no route, local, blackhole, needs fragmenting, or not a port */
    FORWARD_STAT_PASS_OTHER = 9,    /* router: not IP, VLAN-tagged, group address, IPv6 hop-by-hop, malformed */
    FORWARD_STAT_CPU_RECEIVED = 10, /* frames the CPUMAP program ran on (per CPU: which CPUs the flows landed on) */
    FORWARD_STAT_COUNT = 11,
};

/* Packets and bytes of one forward_stat. */
struct forward_counter {
    __u64 packets;  /* frames */
    __u64 bytes;    /* bytes (Ethernet frame length) */
};

#endif
