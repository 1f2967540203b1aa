/* The forwarding plane: L2 port forwarding and flooding through DEVMAPs, a FIB router, and CPUMAP steering of flows.
 * forward_xdp runs on every port; with steering on it only picks a CPU by flow hash and forward_cpu (the CPUMAP
 * program) forwards there. Both share forward_frame. Policy, choices and state layout: Forward/README.md. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "parsing.h"
#include "forward.h"

#define AF_INET 2
#define AF_INET6 10

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct forward_config);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} fwd_config SEC(".maps");

/* L2: key = ingress ifindex, value = its egress port. */
struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
    __uint(max_entries, FORWARD_MAX_PORTS);
    __type(key, __u32);
    __type(value, struct bpf_devmap_val);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} fwd_l2 SEC(".maps");

/* The flood group: every port that receives group-addressed frames (key = value ifindex). */
struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
    __uint(max_entries, FORWARD_MAX_PORTS);
    __type(key, __u32);
    __type(value, struct bpf_devmap_val);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} fwd_flood SEC(".maps");

/* Every port (key = value ifindex): the router sends only out of these; other FIB results go to the stack. */
struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
    __uint(max_entries, FORWARD_MAX_PORTS);
    __type(key, __u32);
    __type(value, struct bpf_devmap_val);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} fwd_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_CPUMAP);
    __uint(max_entries, FORWARD_MAX_CPUS);
    __type(key, __u32);
    __type(value, struct bpf_cpumap_val);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} fwd_cpumap SEC(".maps");

/* The CPUs flows are spread over: fwd_cpus[0 .. cpu_count-1] are CPU numbers (keys of fwd_cpumap). */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, FORWARD_MAX_CPUS);
    __type(key, __u32);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} fwd_cpus SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, FORWARD_STAT_COUNT);
    __type(key, __u32);
    __type(value, struct forward_counter);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} fwd_stats SEC(".maps");

/* Set only in the controller's route probe, a separate load run with BPF_PROG_TEST_RUN: no steering, no counters;
 * the stat the frame would be counted under goes to probe_stat instead. */
const volatile __u8 forward_probe = 0;
__u32 probe_stat = 0;

static __always_inline int forward_count(struct xdp_md *ctx, __u32 stat, int action)
{
    if (forward_probe) {
        probe_stat = stat;
        return action;
    }
    struct forward_counter *counter = bpf_map_lookup_elem(&fwd_stats, &stat);
    if (counter) {
        counter->packets++;
        counter->bytes += ctx->data_end - ctx->data;
    }
    return action;
}

static __always_inline struct forward_config *forward_config(void)
{
    __u32 zero = 0;
    return bpf_map_lookup_elem(&fwd_config, &zero);
}

static __always_inline int forward_l2(struct xdp_md *ctx, struct ethhdr *eth)
{
    if (eth->h_dest[0] & 1) {
        bpf_redirect_map(&fwd_flood, 0, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
        return forward_count(ctx, FORWARD_STAT_FLOOD, XDP_REDIRECT);
    }
    /* The low bits of the flags are the action when the ingress port has no entry. */
    if (bpf_redirect_map(&fwd_l2, ctx->ingress_ifindex, XDP_PASS) == XDP_REDIRECT)
        return forward_count(ctx, FORWARD_STAT_REDIRECT, XDP_REDIRECT);
    return forward_count(ctx, FORWARD_STAT_PASS_NO_PORT, XDP_PASS);
}

/* Sends a routed frame out of fib->ifindex with the FIB's MACs, when that interface is a port. */
static __always_inline int forward_out(struct xdp_md *ctx, struct ethhdr *eth, struct bpf_fib_lookup *fib)
{
    __builtin_memcpy(eth->h_dest, fib->dmac, ETH_ALEN);
    __builtin_memcpy(eth->h_source, fib->smac, ETH_ALEN);
    bpf_redirect_map(&fwd_ports, fib->ifindex, 0);
    return forward_count(ctx, FORWARD_STAT_ROUTE, XDP_REDIRECT);
}

static __always_inline int forward_fib_result(struct xdp_md *ctx, long rc, struct bpf_fib_lookup *fib)
{
    if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
        return forward_count(ctx, FORWARD_STAT_PASS_NO_NEIGH, XDP_PASS);
    if (rc != BPF_FIB_LKUP_RET_SUCCESS || !bpf_map_lookup_elem(&fwd_ports, &fib->ifindex))
        return forward_count(ctx, FORWARD_STAT_PASS_FIB_MISS, XDP_PASS);
    return -1;
}

static __always_inline int route_ipv4(struct xdp_md *ctx, struct ethhdr *eth, struct cursor *c)
{
    struct iphdr *ip = parse_ipv4(c);
    if (!ip || ip->version != 4)
        return forward_count(ctx, FORWARD_STAT_PASS_OTHER, XDP_PASS);
    if (ip->protocol == IPPROTO_ICMP)
        return forward_count(ctx, FORWARD_STAT_PASS_ICMP, XDP_PASS);
    if (ip->ttl <= 1)
        return forward_count(ctx, FORWARD_STAT_PASS_TTL, XDP_PASS);
    struct bpf_fib_lookup fib = {
        .family = AF_INET,
        .tos = ip->tos,
        .l4_protocol = ip->protocol,
        .tot_len = bpf_ntohs(ip->tot_len),
        .ifindex = ctx->ingress_ifindex,
        .ipv4_src = ip->saddr,
        .ipv4_dst = ip->daddr,
    };
    long rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
    int verdict = forward_fib_result(ctx, rc, &fib);
    if (verdict >= 0)
        return verdict;
    __be16 old = *(__be16 *)&ip->ttl;
    ip->ttl--;
    csum_replace16(&ip->check, old, *(__be16 *)&ip->ttl);
    return forward_out(ctx, eth, &fib);
}

static __always_inline int route_ipv6(struct xdp_md *ctx, struct ethhdr *eth, struct cursor *c)
{
    struct ipv6hdr *ip = parse_ipv6(c);
    if (!ip || ip->nexthdr == IPPROTO_HOPOPTS || ip->daddr.in6_u.u6_addr8[0] == 0xff)
        return forward_count(ctx, FORWARD_STAT_PASS_OTHER, XDP_PASS);
    if (ip->nexthdr == IPPROTO_ICMPV6)
        return forward_count(ctx, FORWARD_STAT_PASS_ICMP, XDP_PASS);
    if (ip->hop_limit <= 1)
        return forward_count(ctx, FORWARD_STAT_PASS_TTL, XDP_PASS);
    struct bpf_fib_lookup fib = {
        .family = AF_INET6,
        .l4_protocol = ip->nexthdr,
        .tot_len = bpf_ntohs(ip->payload_len),
        .ifindex = ctx->ingress_ifindex,
        .flowinfo = *(__be32 *)ip & bpf_htonl(0x0fffffff),
    };
    __builtin_memcpy(fib.ipv6_src, &ip->saddr, 16);
    __builtin_memcpy(fib.ipv6_dst, &ip->daddr, 16);
    long rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
    int verdict = forward_fib_result(ctx, rc, &fib);
    if (verdict >= 0)
        return verdict;
    ip->hop_limit--;                    /* IPv6 has no header checksum */
    return forward_out(ctx, eth, &fib);
}

static __always_inline int forward_router(struct xdp_md *ctx, struct ethhdr *eth, struct cursor *c)
{
    /* VLAN sub-interfaces and group addresses are the stack's business. */
    if (eth->h_dest[0] & 1)
        return forward_count(ctx, FORWARD_STAT_PASS_OTHER, XDP_PASS);
    if (eth->h_proto == bpf_htons(ETH_P_IP))
        return route_ipv4(ctx, eth, c);
    if (eth->h_proto == bpf_htons(ETH_P_IPV6))
        return route_ipv6(ctx, eth, c);
    return forward_count(ctx, FORWARD_STAT_PASS_OTHER, XDP_PASS);
}

static __always_inline int forward_frame(struct xdp_md *ctx, struct forward_config *config)
{
    struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
    struct ethhdr *eth = parse_ethernet(&c);
    if (!eth)
        return forward_count(ctx, FORWARD_STAT_PASS_OTHER, XDP_PASS);
    if (config->mode == FORWARD_MODE_ROUTER)
        return forward_router(ctx, eth, &c);
    return forward_l2(ctx, eth);
}

static __always_inline __u32 mix(__u32 hash, __u32 word)
{
    hash ^= word;
    hash *= 0x9e3779b1;
    return hash ^ (hash >> 15);
}

/* A hash of the flow (addresses, protocol, ports where present), so one flow always lands on one CPU. */
static __always_inline __u32 flow_hash(struct xdp_md *ctx)
{
    struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
    struct ethhdr *eth = parse_ethernet(&c);
    if (!eth)
        return 0;
    int proto = parse_vlan_tags(&c, eth, NULL);
    __u32 hash = 0x5eed;
    __u8 l4 = 0;
    if (proto == ETH_P_IP) {
        struct iphdr *ip = parse_ipv4(&c);
        if (!ip)
            return hash;
        hash = mix(mix(hash, ip->saddr), ip->daddr);
        if (ipv4_is_fragment(ip))
            return mix(hash, ip->protocol);
        l4 = ip->protocol;
    } else if (proto == ETH_P_IPV6) {
        struct ipv6hdr *ip = parse_ipv6(&c);
        if (!ip)
            return hash;
#pragma unroll
        for (int i = 0; i < 4; i++)
            hash = mix(mix(hash, ip->saddr.in6_u.u6_addr32[i]), ip->daddr.in6_u.u6_addr32[i]);
        l4 = ip->nexthdr;
    } else {
        return mix(hash, proto);
    }
    hash = mix(hash, l4);
    if (l4 == IPPROTO_TCP || l4 == IPPROTO_UDP) {
        __u32 *ports = CURSOR_TAKE(&c, __u32);
        if (ports)
            hash = mix(hash, *ports);
    }
    return hash;
}

SEC("xdp")
int forward_xdp(struct xdp_md *ctx)
{
    struct forward_config *config = forward_config();
    if (!config)
        return XDP_PASS;
    if (!forward_probe && config->cpu_count > 0 && config->cpu_count <= FORWARD_MAX_CPUS) {
        __u32 slot = flow_hash(ctx) % config->cpu_count;
        __u32 *cpu = bpf_map_lookup_elem(&fwd_cpus, &slot);
        if (cpu && bpf_redirect_map(&fwd_cpumap, *cpu, 0) == XDP_REDIRECT)
            return forward_count(ctx, FORWARD_STAT_STEER, XDP_REDIRECT);
    }
    return forward_frame(ctx, config);
}

/* Runs on the CPU a flow was steered to (the CPUMAP entry's program), then forwards like forward_xdp would. */
SEC("xdp/cpumap")
int forward_cpu(struct xdp_md *ctx)
{
    struct forward_config *config = forward_config();
    if (!config)
        return XDP_PASS;
    forward_count(ctx, FORWARD_STAT_CPU_RECEIVED, XDP_PASS);
    return forward_frame(ctx, config);
}

char LICENSE[] SEC("license") = "GPL";
