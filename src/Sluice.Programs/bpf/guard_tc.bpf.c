/* The guard's TC ingress stage (Guard/README.md, "TC stage"): decides on the marks the XDP stage left in the
 * packet's metadata and limits TCP connections per source (new connections per second and concurrent ones).
 * It runs after XDP in native and in generic mode: in both, the metadata written by bpf_xdp_adjust_meta is in
 * front of skb->data here. Direct action: TC_ACT_OK or TC_ACT_SHOT; every packet is counted once in guard_stats. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "guard_maps.h"

/* Headers are in the linear part of almost every skb; when they are not, pull this much (or the whole packet)
 * and parse again. Enough for two VLAN tags, IPv6 with a few extension headers and a TCP header. */
#define TC_PULL_LENGTH 256

/* A tracked flow's last_seen_ns is refreshed at most this often (the controller can age idle flows by it). */
#define TC_TOUCH_INTERVAL_NS 1000000000ull

#define TC_TCP_FIN 0x01
#define TC_TCP_SYN 0x02
#define TC_TCP_RST 0x04
#define TC_TCP_ACK 0x10

/* What the TC stage needs from a packet: the TCP flow and its flags. */
struct tc_packet {
    struct guard_flow_key flow;
    __u8 tcp_flags;
    __u8 is_tcp; /* a TCP header is present (not a non-first fragment) */
};

/* The marks the XDP stage left in front of the packet, or 0 when it left none (metadata off, no XDP stage). */
static __always_inline __u32 tc_read_marks(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    struct guard_meta *meta = (void *)(long)skb->data_meta;
    if ((void *)(meta + 1) > data)
        return 0;
    return meta->magic == GUARD_META_MAGIC ? meta->marks : 0;
}

static __always_inline void tc_map_ipv4(__u8 *out, __u32 address)
{
    __builtin_memset(out, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    __builtin_memcpy(out + 12, &address, 4);
}

/* PLACEHOLDER parse until guard_parse.h lands (one parser for both stages): Ethernet, two VLAN tags, IPv4 with
 * options, IPv6 without extension headers, TCP. Returns 0 when the packet is not TCP or is cut short. */
static __always_inline int tc_parse(void *data, void *data_end, struct tc_packet *packet)
{
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return 0;
    __u16 proto = eth->h_proto;
    void *pos = eth + 1;
#pragma unroll
    for (int i = 0; i < 2; i++) {
        if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
            break;
        if (pos + 4 > data_end)
            return 0;
        proto = *(__u16 *)(pos + 2);
        pos += 4;
    }
    __u8 l4;
    if (proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = pos;
        if ((void *)(ip + 1) > data_end)
            return 0;
        __u32 length = ip->ihl * 4;
        if (length < sizeof(*ip) || pos + length > data_end)
            return 0;
        if (ip->frag_off & bpf_htons(0x1fff))
            return 0;
        tc_map_ipv4(packet->flow.saddr, ip->saddr);
        tc_map_ipv4(packet->flow.daddr, ip->daddr);
        l4 = ip->protocol;
        pos += length;
    } else if (proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = pos;
        if ((void *)(ip6 + 1) > data_end)
            return 0;
        __builtin_memcpy(packet->flow.saddr, &ip6->saddr, 16);
        __builtin_memcpy(packet->flow.daddr, &ip6->daddr, 16);
        l4 = ip6->nexthdr;
        pos = ip6 + 1;
    } else {
        return 0;
    }
    if (l4 != IPPROTO_TCP)
        return 0;
    struct tcphdr *tcp = pos;
    if ((void *)(tcp + 1) > data_end)
        return 0;
    packet->flow.sport = tcp->source;
    packet->flow.dport = tcp->dest;
    packet->flow.proto = IPPROTO_TCP;
    packet->tcp_flags = ((__u8 *)tcp)[13];
    packet->is_tcp = 1;
    return 1;
}

/* Parses the packet, pulling non-linear headers into the linear part once if they are not there. */
static __always_inline int tc_parse_skb(struct __sk_buff *skb, struct tc_packet *packet)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    if (tc_parse(data, data_end, packet))
        return 1;
    __u32 linear = data_end - data;
    __u32 length = skb->len;
    if (linear >= length || linear >= TC_PULL_LENGTH)
        return 0;
    if (bpf_skb_pull_data(skb, length < TC_PULL_LENGTH ? length : TC_PULL_LENGTH) != 0)
        return 0;
    __builtin_memset(packet, 0, sizeof(*packet));
    return tc_parse((void *)(long)skb->data, (void *)(long)skb->data_end, packet);
}

/* The source's connection state, created on first use. NULL only if the LRU cannot give an entry. */
static __always_inline struct guard_conn_source *tc_conn_source(struct guard_source_key *source)
{
    struct guard_conn_source *conn = bpf_map_lookup_elem(&guard_conns, source);
    if (conn)
        return conn;
    struct guard_conn_source fresh = {};
    bpf_map_update_elem(&guard_conns, source, &fresh, BPF_NOEXIST);
    return bpf_map_lookup_elem(&guard_conns, source);
}

/* A SYN without ACK: a retransmission of a tracked flow passes; a new connection must pass the source's rate and
 * concurrency limits, then it is tracked. The rate is charged only for connections that are let in. */
static __always_inline __u32 tc_open(struct guard_config *config, struct guard_flow_key *flow)
{
    __u64 now = bpf_ktime_get_ns();
    struct guard_flow *existing = bpf_map_lookup_elem(&guard_flows, flow);
    if (existing) {
        existing->last_seen_ns = now;
        return GUARD_REASON_TC_PASSED;
    }
    struct guard_source_key source;
    __builtin_memcpy(source.addr, flow->saddr, 16);
    struct guard_conn_source *conn = tc_conn_source(&source);
    if (!conn)
        return GUARD_REASON_TC_PASSED;
    __u32 concurrent = conn->concurrent;
    /* More than the flow map can hold is a decrement that raced below zero: the count is lost, start again. */
    if (concurrent > GUARD_MAX_FLOWS) {
        conn->concurrent = 0;
        concurrent = 0;
    }
    __u64 interval = config->conn_interval_ns;
    __u64 tat = conn->conn_tat > now ? conn->conn_tat : now;
    if (interval && tat - now > config->conn_tolerance_ns)
        return GUARD_REASON_TC_CONN_RATE;
    if (config->max_concurrent && concurrent >= config->max_concurrent)
        return GUARD_REASON_TC_CONN_LIMIT;
    struct guard_flow fresh = { .created_ns = now, .last_seen_ns = now };
    /* Another CPU tracking the same SYN first makes this one a retransmission. */
    if (bpf_map_update_elem(&guard_flows, flow, &fresh, BPF_NOEXIST) != 0)
        return GUARD_REASON_TC_PASSED;
    if (interval)
        conn->conn_tat = tat + interval;
    __sync_fetch_and_add(&conn->concurrent, 1);
    return GUARD_REASON_TC_PASSED;
}

/* A FIN or RST from the client ends its flow; only the CPU that deletes the flow decrements, once. */
static __always_inline void tc_close(struct guard_flow_key *flow)
{
    if (bpf_map_delete_elem(&guard_flows, flow) != 0)
        return;
    struct guard_source_key source;
    __builtin_memcpy(source.addr, flow->saddr, 16);
    struct guard_conn_source *conn = bpf_map_lookup_elem(&guard_conns, &source);
    if (!conn)
        return;
    __u32 concurrent = conn->concurrent;
    if (concurrent > GUARD_MAX_FLOWS)
        conn->concurrent = 0;
    else if (concurrent > 0)
        __sync_fetch_and_add(&conn->concurrent, -1);
}

/* Any other packet of a tracked flow refreshes its last_seen_ns (rate-limited to keep the cache line quiet). */
static __always_inline void tc_touch(struct guard_flow_key *flow)
{
    struct guard_flow *existing = bpf_map_lookup_elem(&guard_flows, flow);
    if (!existing)
        return;
    __u64 now = bpf_ktime_get_ns();
    if (now - existing->last_seen_ns > TC_TOUCH_INTERVAL_NS)
        existing->last_seen_ns = now;
}

static __always_inline __u32 tc_decide(struct __sk_buff *skb, struct guard_config *config, __u32 marks)
{
    if (marks & config->tc_drop_marks)
        return GUARD_REASON_TC_SUSPICIOUS;
    if (marks & GUARD_MARK_ALLOWED)
        return GUARD_REASON_TC_PASSED;
    struct tc_packet packet = {};
    if (!tc_parse_skb(skb, &packet) || !packet.is_tcp)
        return GUARD_REASON_TC_PASSED;
    int limited = config->conn_interval_ns || config->max_concurrent;
    __u8 flags = packet.tcp_flags;
    if ((flags & (TC_TCP_SYN | TC_TCP_ACK)) == TC_TCP_SYN)
        return limited ? tc_open(config, &packet.flow) : GUARD_REASON_TC_PASSED;
    /* Closing runs even with the limits off, so flows tracked before they were turned off still end. */
    if (flags & (TC_TCP_FIN | TC_TCP_RST))
        tc_close(&packet.flow);
    else if (limited)
        tc_touch(&packet.flow);
    return GUARD_REASON_TC_PASSED;
}

/* 1 in config.sample_rate dropped packets goes to guard_events with its first bytes, as in the XDP stage. */
static __always_inline void tc_sample(struct __sk_buff *skb, struct guard_config *config, __u32 reason)
{
    __u32 rate = config->sample_rate;
    if (!rate || bpf_get_prandom_u32() % rate != 0)
        return;
    struct guard_event *event = bpf_ringbuf_reserve(&guard_events, sizeof(*event), 0);
    if (!event)
        return;
    __u32 length = skb->len;
    __u32 captured = length < GUARD_EVENT_CAPTURE ? length : GUARD_EVENT_CAPTURE;
    event->timestamp_ns = bpf_ktime_get_ns();
    event->reason = reason;
    event->ifindex = skb->ifindex;
    event->packet_length = length > 0xffff ? 0xffff : length;
    event->pad = 0;
    if (captured == 0 || bpf_skb_load_bytes(skb, 0, event->data, captured & (GUARD_EVENT_CAPTURE * 2 - 1)) != 0)
        captured = 0;
    event->captured = captured;
    bpf_ringbuf_submit(event, 0);
}

SEC("tc")
int guard_tc(struct __sk_buff *skb)
{
    __u32 marks = tc_read_marks(skb);
    __u64 length = skb->len;
    struct guard_config *config = guard_active_config();
    if (!config) {
        guard_count(GUARD_REASON_TC_PASSED, length);
        return TC_ACT_OK;
    }
    __u32 reason = tc_decide(skb, config, marks);
    guard_count(reason, length);
    if (reason == GUARD_REASON_TC_PASSED)
        return TC_ACT_OK;
    tc_sample(skb, config, reason);
    return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
