// DEVMAP redirect between two veth pairs: xdp_redirect_udp on the router's ingress veth sends
// every IPv4 UDP frame to the interface in tx_ports slot 0; xdp_pass_count on the receiving peer lets frames in
// (a redirect into a veth needs an XDP program on the peer) and counts them.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u32); // egress ifindex
} tx_ports SEC(".maps");

// 0: redirected by xdp_redirect_udp, 1: redirect refused (empty slot), 2: seen by xdp_pass_count
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 3);
    __type(key, __u32);
    __type(value, __u64);
} redirect_stats SEC(".maps");

static __always_inline void count(__u32 slot)
{
    __u64 *value = bpf_map_lookup_elem(&redirect_stats, &slot);
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
int xdp_redirect_udp(struct xdp_md *ctx)
{
    if (!is_ipv4_udp((void *)(long)ctx->data, (void *)(long)ctx->data_end))
        return XDP_PASS;
    long action = bpf_redirect_map(&tx_ports, 0, XDP_ABORTED);
    count(action == XDP_REDIRECT ? 0 : 1);
    return action;
}

SEC("xdp")
int xdp_pass_count(struct xdp_md *ctx)
{
    if (is_ipv4_udp((void *)(long)ctx->data, (void *)(long)ctx->data_end))
        count(2);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
