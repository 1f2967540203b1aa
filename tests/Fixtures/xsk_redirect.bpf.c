// AF_XDP receive (KERNEL-LAB "Works" row: AF_XDP socket on veth, copy mode): IPv4 UDP to port 9999 goes to the
// AF_XDP socket in XSKMAP slot rx_queue_index (XDP_PASS when the slot is empty); everything else passes.
// xsk_stats: 0 = redirected, 1 = redirect refused (passed).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define XSK_PORT 9999

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u32);
} xsks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} xsk_stats SEC(".maps");

SEC("xdp")
int xsk_redirect_udp(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP || ip->ihl != 5)
        return XDP_PASS;
    struct udphdr *udp = (void *)(ip + 1);
    if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(XSK_PORT))
        return XDP_PASS;
    long action = bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
    __u32 slot = action == XDP_REDIRECT ? 0 : 1;
    __u64 *count = bpf_map_lookup_elem(&xsk_stats, &slot);
    if (count)
        __sync_fetch_and_add(count, 1);
    return action;
}

char LICENSE[] SEC("license") = "GPL";
