// Counts packets and bytes per IP protocol (TCP, UDP, ICMP, ...) for IPv4 and IPv6, and drops one protocol
// when the loader sets drop_protocol. Everything C# needs is generated from this file's BTF.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct protocol_stats {
    __u64 packets;
    __u64 bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 256); // one slot per IP protocol number
    __type(key, __u32);
    __type(value, struct protocol_stats);
} stats SEC(".maps");

// Set from C# before load; 0 drops nothing. The verifier sees it as a constant.
const volatile __u8 drop_protocol = 0;

SEC("xdp")
int count_protocols(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    __u32 protocol;

    if ((void *)(eth + 1) > data_end)
        return XDP_PASS;
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > data_end)
            return XDP_PASS;
        protocol = ip->protocol;
    } else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = (void *)(eth + 1);
        if ((void *)(ip6 + 1) > data_end)
            return XDP_PASS;
        protocol = ip6->nexthdr;
    } else {
        return XDP_PASS;
    }

    struct protocol_stats *entry = bpf_map_lookup_elem(&stats, &protocol);
    if (entry) {
        entry->packets++;
        entry->bytes += data_end - data;
    }
    return drop_protocol != 0 && protocol == drop_protocol ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
