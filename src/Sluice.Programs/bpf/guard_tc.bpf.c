/* The guard's TC ingress stage (Guard/README.md, "TC stage"): decides on the marks the XDP stage left in the
 * packet's metadata and limits TCP connections per source (new connections per second and concurrent ones).
 * It runs after XDP in native and in generic mode: in both, the metadata written by bpf_xdp_adjust_meta is in
 * front of skb->data here. Direct action: TC_ACT_OK or TC_ACT_SHOT; every packet is counted once in guard_stats
 * (so a packet XDP passed is counted by both stages: totals must add XDP slots or TC slots, not both).
 *
 * Choices the README leaves open:
 *   - no metadata (GUARD_F_METADATA off, or no XDP stage) means no marks: allowed sources are then limited too;
 *   - the GCRA is checked before the concurrency limit and charged only for connections that are let in;
 *   - a SYN without ACK is a new connection whatever other flags it has; FIN or RST closes, also for allowed
 *     sources and with the limits off (flows opened earlier still give their slot back); with both limits off
 *     nothing new is tracked;
 *   - a count above GUARD_MAX_FLOWS can only be a decrement that raced below zero: it is reset to 0;
 *   - tracked flows refresh last_seen_ns at most once a second, so a controller can age idle flows.
 * Limits: the stage sees only the client's side. A connection the server ends (RST to a closed port, a refused
 * or timed-out handshake) or that ends without the client's FIN/RST, and a flow evicted from the LRU guard_flows,
 * keep their slot in guard_conns.concurrent until the source's entry is evicted or reset; an evicted guard_conns
 * entry forgets the count (the source gets a fresh budget). Connections completed through XDP SYN cookies were
 * never seen as a SYN here and are not tracked. A FIN is a half-close: the server's socket may live on. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "guard_maps.h"
#include "guard_parse.h"
#include "tc_parse.h"

/* What the TC stage needs from a packet: the TCP flow and its flags. */
struct tc_packet {
    struct guard_flow_key flow;
    __be32 tcp_flags;         /* TCP_FLAG_* bits */
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

/* A tracked flow's last_seen_ns is refreshed at most this often (the controller can age idle flows by it). */
#define TC_TOUCH_INTERVAL_NS 1000000000ull

/* Fills the TCP flow of the packet; 0 when it is not a TCP packet with its header (or not a parsable IP packet). */
static __always_inline int tc_tcp_packet(struct __sk_buff *skb, struct tc_packet *packet)
{
    struct guard_packet pkt = {};
    if (tc_parse(skb, &pkt) != GUARD_PARSE_OK || pkt.proto != IPPROTO_TCP || !pkt.has_ports)
        return 0;
    __builtin_memcpy(packet->flow.saddr, pkt.saddr.bytes, 16);
    __builtin_memcpy(packet->flow.daddr, pkt.daddr.bytes, 16);
    packet->flow.sport = pkt.sport;
    packet->flow.dport = pkt.dport;
    packet->flow.proto = IPPROTO_TCP;
    packet->tcp_flags = pkt.tcp_flags;
    return 1;
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
    int limited = config->conn_interval_ns || config->max_concurrent;
    int allowed = marks & GUARD_MARK_ALLOWED;
    struct tc_packet packet = {};
    if (!tc_tcp_packet(skb, &packet))
        return GUARD_REASON_TC_PASSED;
    __be32 flags = packet.tcp_flags;
    /* Allowed sources skip the limits: their new connections are not tracked. */
    if ((flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN)
        return limited && !allowed ? tc_open(config, &packet.flow) : GUARD_REASON_TC_PASSED;
    /* Closing runs for allowed sources and with the limits off too: flows tracked before a source was allowed or
     * the limits were turned off still end and give their slot back. */
    if (flags & (TCP_FLAG_FIN | TCP_FLAG_RST))
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
