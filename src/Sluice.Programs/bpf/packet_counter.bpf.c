// The sample XDP counter (Sample/PacketCounter.cs): counts packets and bytes per IP protocol and drops UDP to one
// port (set before load through the const volatile knob). Counters are per-CPU, so no atomics are needed.
#include "parsing.h"
#include "packet_counter.h"

const volatile __u16 blocked_udp_port = 9; /* discard */

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, SLOT_COUNT);
    __type(key, __u32);
    __type(value, struct counter);
} counters SEC(".maps");

static __always_inline int count(__u32 slot, __u64 bytes, int verdict)
{
    struct counter *c = bpf_map_lookup_elem(&counters, &slot);
    if (c) {
        c->packets++;
        c->bytes += bytes;
    }
    return verdict;
}

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
    struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
    __u64 bytes = c.end - c.pos;

    struct ethhdr *eth = parse_ethernet(&c);
    if (!eth)
        return count(SLOT_MALFORMED, bytes, XDP_DROP);
    if (eth->h_proto != bpf_htons(ETH_P_IP))
        return count(SLOT_OTHER, bytes, XDP_PASS);

    struct iphdr *ip = parse_ipv4(&c);
    if (!ip)
        return count(SLOT_MALFORMED, bytes, XDP_DROP);

    switch (ip->protocol) {
    case IPPROTO_TCP:
        return count(SLOT_TCP, bytes, XDP_PASS);
    case IPPROTO_ICMP:
        return count(SLOT_ICMP, bytes, XDP_PASS);
    case IPPROTO_UDP: {
        struct udphdr *udp = CURSOR_TAKE(&c, struct udphdr);
        if (!udp)
            return count(SLOT_MALFORMED, bytes, XDP_DROP);
        if (udp->dest == bpf_htons(blocked_udp_port))
            return count(SLOT_DROPPED, bytes, XDP_DROP);
        return count(SLOT_UDP, bytes, XDP_PASS);
    }
    default:
        return count(SLOT_OTHER, bytes, XDP_PASS);
    }
}

char LICENSE[] SEC("license") = "GPL";
