// Shared by attach_xdp.bpf.c and attach_tc.bpf.c: a drop list of IPv4 source addresses and per-program
// counters, so tests can check on both ends which program saw which packet.
#pragma once
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

// Counter slots: each program variant owns two (passed, dropped), so a replacement can be told apart.
#define SLOTS_PER_VARIANT 2
#define VARIANTS 2

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u32);  // IPv4 source address, network byte order
    __type(value, __u8); // unused: presence means drop
} drop_sources SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, SLOTS_PER_VARIANT * VARIANTS);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 slot)
{
    __u64 *value = bpf_map_lookup_elem(&counters, &slot);
    if (value)
        __sync_fetch_and_add(value, 1);
}

// 1: drop, 0: pass, -1: not an IPv4 UDP packet (left uncounted so ARP/ND noise never skews a test).
static __always_inline int classify(void *data, void *data_end, __u32 variant)
{
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return -1;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP)
        return -1;
    __u32 source = ip->saddr;
    int drop = bpf_map_lookup_elem(&drop_sources, &source) != 0;
    count(variant * SLOTS_PER_VARIANT + drop);
    return drop;
}
