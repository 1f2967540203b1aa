// Raw SYN cookies in XDP (GPL-only helpers, Linux 6.0): for an IPv4 TCP SYN,
// bpf_tcp_raw_gen_syncookie_ipv4 and its result go to cookie_results slot 0; for a bare ACK,
// bpf_tcp_raw_check_syncookie_ipv4's result goes to slot 1 (0: valid). Slots 2 and 3 count the runs of each.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __s64);
} cookie_results SEC(".maps");

static __always_inline void store(__u32 slot, __s64 result)
{
    __s64 *value = bpf_map_lookup_elem(&cookie_results, &slot);
    if (value)
        *value = result;
}

static __always_inline void count(__u32 slot)
{
    __s64 *value = bpf_map_lookup_elem(&cookie_results, &slot);
    if (value)
        __sync_fetch_and_add(value, 1);
}

SEC("xdp")
int xdp_syncookie(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_TCP || ip->ihl != 5)
        return XDP_PASS;
    struct tcphdr *th = (void *)(ip + 1);
    if ((void *)(th + 1) > data_end || th->doff != 5)
        return XDP_PASS;
    if (th->syn && !th->ack) {
        store(0, bpf_tcp_raw_gen_syncookie_ipv4(ip, th, sizeof(*th)));
        count(2);
        return XDP_DROP;
    }
    if (th->ack && !th->syn) {
        store(1, bpf_tcp_raw_check_syncookie_ipv4(ip, th));
        count(3);
        return XDP_DROP;
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
