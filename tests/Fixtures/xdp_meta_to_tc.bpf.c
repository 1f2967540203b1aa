// XDP metadata handed to TC: xdp_write_meta grows the metadata area by 4 bytes
// (bpf_xdp_adjust_meta) and writes META_MAGIC there for every IPv4 UDP frame; tc_read_meta, on TC ingress of the
// same device, reads it back from data_meta, copies it into skb->mark and counts what it found.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define META_MAGIC 0x5EC0FFEEu

// 0: XDP wrote metadata, 1: XDP could not grow it, 2: TC saw META_MAGIC, 3: TC saw no metadata, 4: TC saw another value
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 5);
    __type(key, __u32);
    __type(value, __u64);
} meta_stats SEC(".maps");

static __always_inline void count(__u32 slot)
{
    __u64 *value = bpf_map_lookup_elem(&meta_stats, &slot);
    if (value)
        __sync_fetch_and_add(value, 1);
}

static __always_inline int is_ipv4_udp(void *data, void *data_end)
{
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return 0;
    struct iphdr *ip = (void *)(eth + 1);
    return (void *)(ip + 1) <= data_end && ip->protocol == IPPROTO_UDP;
}

SEC("xdp")
int xdp_write_meta(struct xdp_md *ctx)
{
    if (!is_ipv4_udp((void *)(long)ctx->data, (void *)(long)ctx->data_end))
        return XDP_PASS;
    if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(__u32)) < 0) {
        count(1);
        return XDP_PASS;
    }
    __u32 *meta = (void *)(long)ctx->data_meta;
    if ((void *)(meta + 1) > (void *)(long)ctx->data) {
        count(1);
        return XDP_PASS;
    }
    *meta = META_MAGIC;
    count(0);
    return XDP_PASS;
}

SEC("tc")
int tc_read_meta(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    if (!is_ipv4_udp(data, (void *)(long)skb->data_end))
        return TC_ACT_OK;
    __u32 *meta = (void *)(long)skb->data_meta;
    if ((void *)(meta + 1) > data) {
        count(3);
        return TC_ACT_OK;
    }
    if (*meta != META_MAGIC) {
        count(4);
        return TC_ACT_OK;
    }
    skb->mark = *meta;
    count(2);
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
