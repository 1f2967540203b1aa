// Parses Ethernet + IPv4, counts packets per IP protocol (PERCPU_ARRAY, 256 slots) and per source address
// (HASH), drops UDP to port 9 (discard) and passes everything else.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define DISCARD_PORT 9

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, __u64);
} protocol_counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, __u32);   // IPv4 source address, network byte order
    __type(value, __u64); // packets
} source_counts SEC(".maps");

static __always_inline void count_source(__u32 source)
{
    __u64 one = 1;
    __u64 *packets = bpf_map_lookup_elem(&source_counts, &source);
    if (packets)
        __sync_fetch_and_add(packets, 1);
    else
        bpf_map_update_elem(&source_counts, &source, &one, BPF_NOEXIST);
}

SEC("xdp")
int xdp_counter(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;

    if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;

    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end || ip->ihl < 5)
        return XDP_PASS;

    __u32 protocol = ip->protocol;
    __u64 *count = bpf_map_lookup_elem(&protocol_counts, &protocol);
    if (count)
        (*count)++;
    count_source(ip->saddr);

    if (ip->protocol != IPPROTO_UDP)
        return XDP_PASS;
    struct udphdr *udp = (void *)ip + ip->ihl * 4;
    if ((void *)(udp + 1) > data_end)
        return XDP_PASS;
    return udp->dest == bpf_htons(DISCARD_PORT) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
