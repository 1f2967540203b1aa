// The program `sluice bench xdp` measures: counts every frame it sees and the verdict it gave, in per-CPU
// counters (no atomics on the hot path), and gives one fixed verdict: drop, pass, tx (with the MAC addresses
// swapped, so the frame goes back where it came from) or redirect to another device.
#include "parsing.h"
#include <linux/ipv6.h>
#include "xdp_bench.h"

/* Set before load by the controller (XdpBench). */
const volatile __u32 verdict = XDP_DROP;
const volatile __u32 redirect_ifindex = 0;
/* Non-zero: only UDP/TCP frames to this destination port are counted and given the verdict; the rest pass
 * under a slot of their own (ambient traffic such as neighbour discovery). Zero: the check is dead code the verifier removes. */
const volatile __u16 only_port = 0;

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, BENCH_SLOT_COUNT);
    __type(key, __u32);
    __type(value, __u64);
} bench_counters SEC(".maps");

static __always_inline void count(__u32 slot)
{
    __u64 *value = bpf_map_lookup_elem(&bench_counters, &slot);
    if (value)
        *value += 1;
}

static __always_inline void swap_macs(struct ethhdr *eth)
{
    unsigned char address[ETH_ALEN];
    __builtin_memcpy(address, eth->h_dest, ETH_ALEN);
    __builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
    __builtin_memcpy(eth->h_source, address, ETH_ALEN);
}

struct l4_ports {
    __be16 source;
    __be16 dest;
};

/* True when the frame is UDP or TCP (over IPv4, or IPv6 without extension headers) to only_port. */
static __always_inline int to_only_port(struct xdp_md *ctx)
{
    struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
    struct ethhdr *eth = parse_ethernet(&c);
    __u8 protocol;
    if (!eth)
        return 0;
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = parse_ipv4(&c);
        if (!ip)
            return 0;
        protocol = ip->protocol;
    } else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = CURSOR_TAKE(&c, struct ipv6hdr);
        if (!ip6)
            return 0;
        protocol = ip6->nexthdr;
    } else {
        return 0;
    }
    if (protocol != IPPROTO_UDP && protocol != IPPROTO_TCP)
        return 0;
    /* Source and destination ports lead both headers. */
    struct l4_ports *ports = CURSOR_TAKE(&c, struct l4_ports);
    return ports && ports->dest == bpf_htons(only_port);
}

SEC("xdp")
int xdp_bench(struct xdp_md *ctx)
{
    if (only_port && !to_only_port(ctx)) {
        count(BENCH_OTHER);
        return XDP_PASS;
    }
    count(BENCH_RX);
    switch (verdict) {
    case XDP_PASS:
        count(BENCH_PASS);
        return XDP_PASS;
    case XDP_TX: {
        struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
        struct ethhdr *eth = parse_ethernet(&c);
        if (!eth) {
            count(BENCH_ERROR);
            return XDP_DROP;
        }
        swap_macs(eth);
        count(BENCH_TX);
        return XDP_TX;
    }
    case XDP_REDIRECT: {
        long action = bpf_redirect(redirect_ifindex, 0);
        count(action == XDP_REDIRECT ? BENCH_REDIRECT : BENCH_ERROR);
        return action;
    }
    default:
        count(BENCH_DROP);
        return XDP_DROP;
    }
}

char LICENSE[] SEC("license") = "GPL";
