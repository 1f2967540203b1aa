/* The echo reflector: answers ICMP echo, ICMPv6 echo and UDP datagrams to configured ports by turning the frame
 * around in place (XDP_TX); everything else goes to the stack. Policy and choices: Echo/README.md.
 * Checksums: swapping addresses or ports leaves a one's complement sum unchanged (the sum is commutative), so only the
 * words that really change are patched, incrementally (RFC 1624): the ICMP type and the IPv4 TTL. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "parsing.h"
#include "echo.h"

#define ICMP_ECHO_REQUEST 8
#define ICMP_ECHO_REPLY 0
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, ECHO_MAX_UDP_PORTS);
    __type(key, __u16);                 /* UDP destination port, host order */
    __type(value, __u8);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} echo_udp_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, ECHO_STAT_COUNT);
    __type(key, __u32);
    __type(value, struct echo_counter);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} echo_stats SEC(".maps");

static __always_inline int echo_finish(struct xdp_md *ctx, __u32 stat, int action)
{
    struct echo_counter *counter = bpf_map_lookup_elem(&echo_stats, &stat);
    if (counter) {
        counter->packets++;
        counter->bytes += ctx->data_end - ctx->data;
    }
    return action;
}

/* A new TTL, with the header checksum patched for the 16-bit word (TTL, protocol) it lives in. */
static __always_inline void set_ttl(struct iphdr *ip, __u8 ttl)
{
    __be16 *word = (__be16 *)&ip->ttl;
    __be16 old = *word;
    ip->ttl = ttl;
    csum_replace16(&ip->check, old, *word);
}

static __always_inline void swap_ipv4(struct iphdr *ip)
{
    __be32 tmp = ip->saddr;
    ip->saddr = ip->daddr;
    ip->daddr = tmp;
}

static __always_inline void swap_ipv6(struct ipv6hdr *ip)
{
    struct in6_addr tmp = ip->saddr;
    ip->saddr = ip->daddr;
    ip->daddr = tmp;
}

/* UDP to an echo port: swap the ports (the checksum, including a zero "no checksum", stays valid). */
static __always_inline int reflect_udp(struct cursor *c)
{
    struct udphdr *udp = CURSOR_TAKE(c, struct udphdr);
    if (!udp)
        return 0;
    __u16 port = bpf_ntohs(udp->dest);
    if (!bpf_map_lookup_elem(&echo_udp_ports, &port))
        return 0;
    __be16 tmp = udp->source;
    udp->source = udp->dest;
    udp->dest = tmp;
    return 1;
}

/* An echo request of the given type becomes the reply: the type word changes, the checksum follows it. */
static __always_inline int reflect_icmp(struct cursor *c, __u8 request, __u8 reply)
{
    struct icmp_head *icmp = CURSOR_TAKE(c, struct icmp_head);
    if (!icmp || icmp->type != request || icmp->code != 0)
        return 0;
    __be16 old = *(__be16 *)icmp;
    icmp->type = reply;
    csum_replace16(&icmp->checksum, old, *(__be16 *)icmp);
    return 1;
}

static __always_inline int echo_ipv4(struct cursor *c, __u32 *stat)
{
    struct iphdr *ip = parse_ipv4(c);
    if (!ip || ip->version != 4 || ipv4_is_fragment(ip))
        return 0;
    /* Never answer for a multicast or broadcast destination: the reply's source would be that group. */
    if ((bpf_ntohl(ip->daddr) >> 28) == 0xe || ip->daddr == 0xffffffff)
        return 0;
    if (ip->protocol == IPPROTO_ICMP) {
        if (!reflect_icmp(c, ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY))
            return 0;
        *stat = ECHO_STAT_ICMP4;
    } else if (ip->protocol == IPPROTO_UDP) {
        if (!reflect_udp(c))
            return 0;
        *stat = ECHO_STAT_UDP4;
    } else {
        return 0;
    }
    swap_ipv4(ip);
    set_ttl(ip, ECHO_REPLY_TTL);
    return 1;
}

static __always_inline int echo_ipv6(struct cursor *c, __u32 *stat)
{
    struct ipv6hdr *ip = parse_ipv6(c);
    if (!ip || ip->daddr.in6_u.u6_addr8[0] == 0xff)
        return 0;
    /* Only a transport header right after the fixed header; extension headers go to the stack. */
    if (ip->nexthdr == IPPROTO_ICMPV6) {
        if (!reflect_icmp(c, ICMPV6_ECHO_REQUEST, ICMPV6_ECHO_REPLY))
            return 0;
        *stat = ECHO_STAT_ICMP6;
    } else if (ip->nexthdr == IPPROTO_UDP) {
        if (!reflect_udp(c))
            return 0;
        *stat = ECHO_STAT_UDP6;
    } else {
        return 0;
    }
    swap_ipv6(ip);
    ip->hop_limit = ECHO_REPLY_TTL;   /* not covered by any checksum */
    return 1;
}

SEC("xdp")
int echo_xdp(struct xdp_md *ctx)
{
    struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
    __u32 stat = ECHO_STAT_PASSED;
    struct ethhdr *eth = parse_ethernet(&c);
    if (!eth || (eth->h_dest[0] & 1))     /* truncated, or sent to a group address */
        return echo_finish(ctx, ECHO_STAT_PASSED, XDP_PASS);
    int proto = parse_vlan_tags(&c, eth, NULL);
    int reflected = 0;
    if (proto == ETH_P_IP)
        reflected = echo_ipv4(&c, &stat);
    else if (proto == ETH_P_IPV6)
        reflected = echo_ipv6(&c, &stat);
    if (!reflected)
        return echo_finish(ctx, ECHO_STAT_PASSED, XDP_PASS);
    swap_mac(eth);
    return echo_finish(ctx, stat, XDP_TX);
}

char LICENSE[] SEC("license") = "GPL";
