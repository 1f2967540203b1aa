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
 *   - a source's connections are slots with an expiry (guard.h): a SYN holds one for GUARD_CONN_SYN_TIMEOUT_S,
 *     the client's later packets for GUARD_CONN_IDLE_TIMEOUT_S from the last one (refreshed at most once a
 *     second); an expired slot is free, so spoofed SYNs that never complete and connections that end unseen age
 *     out without a sweeper; a FIN or RST frees the slot only when it carries the sequence number the client is
 *     at (tracked from its SYN and data), so an off-path sender cannot free slots; a flow only touches the slot
 *     its tag is in, so a late close of an aged-out flow cannot free the slot a new flow took;
 *   - client packets that start more than TC_SEQ_WINDOW from that number neither move it nor refresh the slot;
 *   - when every slot is taken and no concurrency limit is set, the flow is tracked without one (the rate
 *     limit still sees its retransmissions).
 * Limits: the stage sees only the client's side. A connection the server ends (RST to a closed port, a refused
 * or timed-out handshake) keeps its slot until the SYN or idle timeout; so does a connection whose client's
 * FIN/RST carries a number the stage did not expect (data lost after the guard). A flow evicted from the LRU
 * guard_tcp_flows keeps its slot until it expires; an evicted guard_slots entry forgets its slots (the source gets a
 * fresh budget: under a flood of new sources the concurrency limit fails open, the rate limits do not change).
 * Connections completed through XDP SYN cookies were never seen as a SYN here and are not tracked. A FIN is a
 * half-close: the server's socket may live on after the slot is freed. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "guard_maps.h"
#include "guard_parse.h"
#include "tc_parse.h"

/* What the TC stage needs from a packet: the TCP flow, its flags, and the sequence space it covers. */
struct tc_packet {
    struct guard_flow_key flow;
    __be32 tcp_flags;         /* TCP_FLAG_* bits */
    __u32 seq;                /* host order */
    __u32 payload;            /* TCP payload bytes, by the IP length field */
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
/* How far from the flow's next sequence number a client packet may start and still count as the client's: a
 * packet outside does not refresh the flow or move its sequence, so blind spoofed data cannot keep a slot alive or
 * desynchronise the flow (it needs a 1 in 2^32 / (2 * TC_SEQ_WINDOW) guess). 16 MiB covers a receive window. */
#define TC_SEQ_WINDOW (1u << 24)

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
    packet->seq = pkt.tcp_seq;
    __u32 headers = (__u32)pkt.l4_offset + pkt.l4_length;
    packet->payload = pkt.ip_end > headers ? pkt.ip_end - headers : 0;
    return 1;
}

/* A new source's connection state: all zero, and too large (64 slots) for the 512-byte BPF stack. */
static const struct guard_conn_source tc_fresh_conn;

/* The source's connection state, created on first use. NULL only if the LRU cannot give an entry. */
static __always_inline struct guard_conn_source *tc_conn_source(struct guard_source_key *source)
{
    struct guard_conn_source *conn = bpf_map_lookup_elem(&guard_slots, source);
    if (conn)
        return conn;
    bpf_map_update_elem(&guard_slots, source, &tc_fresh_conn, BPF_NOEXIST);
    return bpf_map_lookup_elem(&guard_slots, source);
}

static __always_inline __u32 tc_seconds(__u64 now_ns)
{
    return (__u32)(now_ns / 1000000000ull);
}

static __always_inline __u64 tc_slot_value(__u32 expiry_s, __u32 tag)
{
    return ((__u64)expiry_s << 32) | tag;
}

/* Sets the flow's slot to expire at expiry_s if the flow still holds it (its tag, not expired); 0 when it lost it. */
static __always_inline int tc_slot_set(struct guard_conn_source *conn, struct guard_flow *flow, __u32 expiry_s, __u32 now_s)
{
    __u32 index = flow->slot;
    if (index >= GUARD_CONN_SLOTS)
        return 0;
    __u64 *slot = &conn->slots[index];
    __u64 value = *slot;
    if ((__u32)value != flow->tag || (__u32)(value >> 32) <= now_s)
        return 0;
    __u64 next = expiry_s ? tc_slot_value(expiry_s, flow->tag) : 0;
    return __sync_val_compare_and_swap(slot, value, next) == value;
}

static __always_inline struct guard_conn_source *tc_conn_of(struct guard_flow_key *flow)
{
    struct guard_source_key source;
    __builtin_memcpy(source.addr, flow->saddr, 16);
    return bpf_map_lookup_elem(&guard_slots, &source);
}

/* What a scan of a source's slots finds: how many are taken, and the first free one. */
struct tc_slot_scan {
    struct guard_conn_source *conn;
    __u32 now_s;
    __u32 live;
    __u32 free;
};

/* One slot of the scan (a bpf_loop callback: the verifier checks it once instead of 64 unrolled branches). */
static long tc_scan_slot(__u32 index, struct tc_slot_scan *scan)
{
    if (index >= GUARD_CONN_SLOTS)
        return 1;
    if ((__u32)(scan->conn->slots[index] >> 32) > scan->now_s)
        scan->live++;
    else if (scan->free == GUARD_CONN_NO_SLOT)
        scan->free = index;
    return 0;
}

/* A SYN without ACK: a retransmission of a tracked flow passes; a new connection must pass the source's rate and
 * concurrency limits, then it takes a free slot and is tracked. The rate is charged only for connections that are
 * let in. Slots whose expiry passed are free: that is how connections that never completed, or ended unseen, age. */
static __always_inline __u32 tc_open(struct guard_config *config, struct tc_packet *packet)
{
    struct guard_flow_key *flow = &packet->flow;
    __u64 now = bpf_ktime_get_ns();
    /* A retransmitted SYN changes nothing: it neither refreshes the flow nor proves the client is alive. */
    if (bpf_map_lookup_elem(&guard_tcp_flows, flow))
        return GUARD_REASON_TC_PASSED;
    struct guard_source_key source;
    __builtin_memcpy(source.addr, flow->saddr, 16);
    struct guard_conn_source *conn = tc_conn_source(&source);
    if (!conn)
        return GUARD_REASON_TC_PASSED;
    __u32 now_s = tc_seconds(now);
    struct tc_slot_scan scan = { .conn = conn, .now_s = now_s, .free = GUARD_CONN_NO_SLOT };
    bpf_loop(GUARD_CONN_SLOTS, tc_scan_slot, &scan, 0);
    __u32 live = scan.live, free = scan.free;
    __u64 interval = config->conn_interval_ns;
    __u64 tat = conn->conn_tat > now ? conn->conn_tat : now;
    if (interval && tat - now > config->conn_tolerance_ns)
        return GUARD_REASON_TC_CONN_RATE;
    if (config->max_concurrent && live >= config->max_concurrent)
        return GUARD_REASON_TC_CONN_LIMIT;
    struct guard_flow fresh = {
        .created_ns = now,
        .last_seen_ns = now,
        .next_seq = packet->seq + 1,
        .tag = bpf_get_prandom_u32() | 1,
        .slot = GUARD_CONN_NO_SLOT,
        .state = GUARD_FLOW_SYN_SENT,
    };
    if (free < GUARD_CONN_SLOTS) {
        __u64 *slot = &conn->slots[free];
        __u64 old = *slot;
        if ((__u32)(old >> 32) <= now_s &&
            __sync_val_compare_and_swap(slot, old, tc_slot_value(now_s + GUARD_CONN_SYN_TIMEOUT_S, fresh.tag)) == old)
            fresh.slot = free;
        else if (config->max_concurrent)
            return GUARD_REASON_TC_CONN_LIMIT; /* another CPU took the last free slot first */
    }
    /* Another CPU tracking the same SYN first makes this one a retransmission: give the slot back. */
    if (bpf_map_update_elem(&guard_tcp_flows, flow, &fresh, BPF_NOEXIST) != 0) {
        tc_slot_set(conn, &fresh, 0, now_s);
        return GUARD_REASON_TC_PASSED;
    }
    if (interval)
        conn->conn_tat = tat + interval;
    return GUARD_REASON_TC_PASSED;
}

/* A FIN or RST from the client ends its flow, only when it carries exactly the sequence number the client is at
 * (what Linux itself demands of a RST, RFC 5961): an off-path sender does not know it. Only the CPU that deletes
 * the flow frees its slot, once. */
static __always_inline void tc_close(struct tc_packet *packet)
{
    struct guard_flow *existing = bpf_map_lookup_elem(&guard_tcp_flows, &packet->flow);
    if (!existing || existing->next_seq != packet->seq)
        return;
    struct guard_flow flow = *existing;
    if (bpf_map_delete_elem(&guard_tcp_flows, &packet->flow) != 0)
        return;
    struct guard_conn_source *conn = tc_conn_of(&packet->flow);
    if (conn)
        tc_slot_set(conn, &flow, 0, tc_seconds(bpf_ktime_get_ns()));
}

/* Any other packet of a tracked flow that starts near where the client is: moves the flow's next sequence number,
 * and keeps its slot for GUARD_CONN_IDLE_TIMEOUT_S more (the first one ends the SYN timeout). A flow whose slot
 * expired meanwhile is forgotten: its connection goes on untracked. */
static __always_inline void tc_touch(struct tc_packet *packet)
{
    struct guard_flow *existing = bpf_map_lookup_elem(&guard_tcp_flows, &packet->flow);
    if (!existing)
        return;
    __s32 offset = (__s32)(packet->seq - existing->next_seq);
    if (offset > (__s32)TC_SEQ_WINDOW || offset < -(__s32)TC_SEQ_WINDOW)
        return;
    __u32 end = packet->seq + packet->payload;
    if ((__s32)(end - existing->next_seq) > 0)
        existing->next_seq = end;
    __u64 now = bpf_ktime_get_ns();
    if (existing->state == GUARD_FLOW_ACTIVE && now - existing->last_seen_ns <= TC_TOUCH_INTERVAL_NS)
        return;
    existing->last_seen_ns = now;
    existing->state = GUARD_FLOW_ACTIVE;
    struct guard_conn_source *conn = tc_conn_of(&packet->flow);
    __u32 now_s = tc_seconds(now);
    if (existing->slot < GUARD_CONN_SLOTS && (!conn || !tc_slot_set(conn, existing, now_s + GUARD_CONN_IDLE_TIMEOUT_S, now_s)))
        bpf_map_delete_elem(&guard_tcp_flows, &packet->flow);
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
        return limited && !allowed ? tc_open(config, &packet) : GUARD_REASON_TC_PASSED;
    /* Closing runs for allowed sources and with the limits off too: flows tracked before a source was allowed or
     * the limits were turned off still end and give their slot back. */
    if (flags & (TCP_FLAG_FIN | TCP_FLAG_RST))
        tc_close(&packet);
    else if (limited)
        tc_touch(&packet);
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
