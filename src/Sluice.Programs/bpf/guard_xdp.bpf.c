/* The guard's XDP stage: parse, rules, temporary blocks, per-source rate limits, SYN cookies, statistics, sampled
 * drops and metadata for the TC stage. The policy is Guard/README.md ("Policy (the XDP stage), in order"); every
 * packet leaves through guard_finish, which counts it exactly once under its reason.
 * Choices the README leaves open:
 *   - guard_sources is only read or written when a limit or GUARD_F_TRACK_SOURCES is on, and blocks are only
 *     enforced while a limit is on (turning the limits off lifts them); rules come first, so an allowed source
 *     is never blocked or limited and a denied one is counted as denied even while blocked.
 *   - an existing source entry counts every packet of its source (rules' verdicts too); dropped counts limit and
 *     block drops only.
 *   - an over-limit SYN (over the packet or the SYN limit) gets a cookie when GUARD_F_SYNCOOKIES is set and the
 *     reply can be built (see guard_syncookie); it is then neither blocked nor counted as dropped.
 *   - a malformed packet passed by malformed_verdict gets metadata (with GUARD_F_METADATA) whose marks are
 *     GUARD_MARK_MALFORMED if suspicious_marks has it, else none; not_ip packets get no metadata.
 *   - a block lives in guard_blocks (which no flood can evict) and is copied into the source's guard_sources entry,
 *     so a source with an entry costs no extra lookup; only a source without one (new, or evicted by a flood) is
 *     looked up in guard_blocks. A source blocked there gets no guard_sources entry while it stays blocked. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "guard_maps.h"
#include "guard_parse.h"

#define GUARD_NO_RULE 0xff

/* The winning rule so far: rank = prefixlen * 4 + scope (longest prefix, then the most specific scope). */
struct guard_match {
    struct guard_rule *rule;
    __u32 rank;
};

static __always_inline void guard_consider(struct guard_match *match, struct guard_rule *rule)
{
    if (!rule || !rule->actions)
        return;
    __u32 rank = (__u32)rule->prefixlen * 4 + rule->scope;
    if (!match->rule || rank > match->rank) {
        match->rule = rule;
        match->rank = rank;
    }
}

static __always_inline void guard_rules_v4(struct guard_config *config, struct guard_packet *pkt, struct guard_match *match)
{
    __u32 address = pkt->saddr.words[3];
    struct guard_rule *rule = bpf_map_lookup_elem(&guard_exact4, &address);
    if (rule && rule->actions) {
        guard_consider(match, rule);
    } else {
        struct guard_prefix_v4 key = { .prefixlen = 32 };
        __builtin_memcpy(key.addr, &address, 4);
        guard_consider(match, bpf_map_lookup_elem(&guard_rules4, &key));
    }
    if (!(config->flags & GUARD_F_PORT_RULES_V4))
        return;
    struct guard_port_prefix_v4 port_key = { .prefixlen = 24 + 32, .proto = pkt->proto };
    __builtin_memcpy(port_key.addr, &address, 4);
    guard_consider(match, bpf_map_lookup_elem(&guard_ports4, &port_key));
    if (pkt->has_ports) {
        __builtin_memcpy(port_key.port, &pkt->dport, 2);
        guard_consider(match, bpf_map_lookup_elem(&guard_ports4, &port_key));
    }
}

static __always_inline void guard_rules_v6(struct guard_config *config, struct guard_packet *pkt, struct guard_match *match)
{
    struct guard_rule *rule = bpf_map_lookup_elem(&guard_exact6, pkt->saddr.bytes);
    if (rule && rule->actions) {
        guard_consider(match, rule);
    } else {
        struct guard_prefix_v6 key = { .prefixlen = 128 };
        __builtin_memcpy(key.addr, pkt->saddr.bytes, 16);
        guard_consider(match, bpf_map_lookup_elem(&guard_rules6, &key));
    }
    if (!(config->flags & GUARD_F_PORT_RULES_V6))
        return;
    struct guard_port_prefix_v6 port_key = { .prefixlen = 24 + 128, .proto = pkt->proto };
    __builtin_memcpy(port_key.addr, pkt->saddr.bytes, 16);
    guard_consider(match, bpf_map_lookup_elem(&guard_ports6, &port_key));
    if (pkt->has_ports) {
        __builtin_memcpy(port_key.port, &pkt->dport, 2);
        guard_consider(match, bpf_map_lookup_elem(&guard_ports6, &port_key));
    }
}

/* GCRA: true when a packet at now conforms (and then takes its slot). *used gets the burst used afterwards (ns). */
static __always_inline int guard_gcra(__u64 *tat, __u64 now, __u64 interval, __u64 tolerance, __u64 *used)
{
    __u64 start = *tat > now ? *tat : now;
    if (start - now > tolerance)
        return 0;
    *tat = start + interval;
    *used = start + interval - now;
    return 1;
}

static __always_inline void guard_sample(struct xdp_md *ctx, struct guard_config *config, __u32 reason, __u32 length)
{
    __u16 rate = config->sample_rate;
    if (!rate || bpf_get_prandom_u32() % rate != 0)
        return;
    struct guard_event *event = bpf_ringbuf_reserve(&guard_events, sizeof(*event), 0);
    if (!event)
        return;
    __builtin_memset(event->data, 0, sizeof(event->data));
    event->timestamp_ns = bpf_ktime_get_ns();
    event->reason = reason;
    event->ifindex = ctx->ingress_ifindex;
    event->packet_length = (__u16)length;
    event->pad = 0;
    /* Two calls so the verifier sees a constant size, or one masked to 1..127. */
    event->captured = 0;
    if (length >= GUARD_EVENT_CAPTURE) {
        if (bpf_xdp_load_bytes(ctx, 0, event->data, GUARD_EVENT_CAPTURE) == 0)
            event->captured = GUARD_EVENT_CAPTURE;
    } else {
        __u64 captured = length;
        /* ((length - 1) & 127) + 1 is length here, and 1..128 to the verifier; in C the compiler would drop it. */
        asm volatile("%0 += -1; %0 &= 127; %0 += 1" : "+r"(captured));
        if (bpf_xdp_load_bytes(ctx, 0, event->data, captured) == 0)
            event->captured = (__u16)captured;
    }
    bpf_ringbuf_submit(event, 0);
}

/* When guard_blocks last swept out expired blocks (one sweep a second at most, and only when it is full). */
static __u64 guard_last_sweep_ns;

static long guard_sweep_expired(void *map, struct guard_source_key *key, __u64 *until, __u64 *now)
{
    if (*until <= *now)
        bpf_map_delete_elem(map, key);
    return 0;
}

/* Stores a block; 0 when guard_blocks is full even after expired blocks were swept out. Live blocks are never
 * displaced: the new one is the one that fails (counted as block_map_full by the caller). */
static __always_inline int guard_store_block(__u8 *address, __u64 until, __u64 now)
{
    if (bpf_map_update_elem(&guard_blocks, address, &until, BPF_ANY) == 0)
        return 1;
    if (now - guard_last_sweep_ns < 1000000000ull)
        return 0;
    guard_last_sweep_ns = now;
    bpf_for_each_map_elem(&guard_blocks, guard_sweep_expired, &now, 0);
    return bpf_map_update_elem(&guard_blocks, address, &until, BPF_ANY) == 0;
}

/* Step 4: is the source blocked? Its guard_sources entry holds a copy of the block; without an entry (a new source,
 * or one a flood evicted) guard_blocks is asked. A block seen expired is deleted from both, once. */
static __always_inline int guard_blocked(struct guard_source *source, __u8 *address, __u64 now)
{
    if (source) {
        __u64 until = source->blocked_until_ns;
        if (until > now)
            return 1;
        if (until) {
            source->blocked_until_ns = 0;
            bpf_map_delete_elem(&guard_blocks, address);
        }
        return 0;
    }
    __u64 *stored = bpf_map_lookup_elem(&guard_blocks, address);
    if (!stored)
        return 0;
    if (*stored > now)
        return 1;
    bpf_map_delete_elem(&guard_blocks, address);
    return 0;
}

/* Puts struct guard_meta in front of the packet; a driver without metadata room just gets the packet without it. */
static __always_inline void guard_write_meta(struct xdp_md *ctx, __u32 marks)
{
    if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct guard_meta)))
        return;
    struct guard_meta *meta = (void *)(long)ctx->data_meta;
    if ((void *)(meta + 1) > (void *)(long)ctx->data)
        return;
    meta->magic = GUARD_META_MAGIC;
    meta->marks = marks;
}

static __always_inline __u16 guard_fold(__u64 sum)
{
    sum = (sum & 0xffffffff) + (sum >> 32);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (__u16)~sum;
}

/* A 24-byte SYN-ACK header: the cookie as our sequence number, MSS option. */
struct guard_synack {
    struct tcphdr tcp;
    __u8 mss_kind;            /* TCPOPT_MSS */
    __u8 mss_length;          /* TCPOLEN_MSS */
    __be16 mss;
};

#define GUARD_TCPOPT_MSS 2    /* RFC 9293 option kind and length (net/tcp.h, not uapi) */
#define GUARD_TCPOLEN_MSS 4

struct guard_pseudo4 {
    __be32 saddr;
    __be32 daddr;
    __u8 zero;
    __u8 proto;
    __be16 length;
    struct guard_synack tcp;
};

struct guard_pseudo6 {
    struct in6_addr saddr;
    struct in6_addr daddr;
    __be32 length;
    __u8 zero[3];
    __u8 next;
    struct guard_synack tcp;
};

/* Turns an over-limit SYN into a SYN-ACK carrying a SYN cookie, in place: MACs, addresses and ports swapped, the
 * cookie as sequence number, the MSS it encodes as the only option, VLAN tags kept, checksums recomputed. Only for
 * non-fragment SYNs whose TCP header follows a 20-byte IPv4 header or the IPv6 header directly (no IPv4 options, no
 * extension headers); others get -1 and are dropped like any over-limit packet. Returns 0 when ready for XDP_TX. */
static __always_inline int guard_syncookie(struct xdp_md *ctx, struct guard_packet *pkt)
{
    /* Linux refuses TCP from IPv4-mapped sources, so a SYN-ACK to one would only reflect traffic. */
    if (pkt->is_fragment || (pkt->family == GUARD_FAMILY_IPV6 && pkt->source_v4))
        return -1;
    int v4 = pkt->family == GUARD_FAMILY_IPV4;
    __u32 ip_length = v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
    if ((__u32)pkt->l4_offset != (__u32)pkt->l3_offset + ip_length)
        return -1;
    __u32 l3 = pkt->l3_offset;
    if (l3 > 64)
        return -1;
    __u32 l4 = l3 + ip_length;

    /* The cookie comes from the SYN as received, options included (they give the MSS). */
    __u8 syn[60] = {};
    __u32 tcp_length = pkt->l4_length;
    if (tcp_length < 20 || tcp_length > 60) /* 20: sizeof(struct tcphdr), as a 32-bit compare the verifier follows */
        return -1;
    if (bpf_xdp_load_bytes(ctx, l4, syn, tcp_length))
        return -1;

    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    void *ip = data + l3;
    if (ip + sizeof(struct ipv6hdr) > data_end)
        return -1;
    __s64 cookie = v4 ? bpf_tcp_raw_gen_syncookie_ipv4(ip, (void *)syn, tcp_length)
                      : bpf_tcp_raw_gen_syncookie_ipv6(ip, (void *)syn, tcp_length);
    if (cookie < 0)
        return -1;

    /* Resize to exactly Ethernet + tags + IP + the 24-byte SYN-ACK (drops the SYN's options and any padding). */
    int delta = (int)(l4 + sizeof(struct guard_synack)) - (int)(ctx->data_end - ctx->data);
    if (delta && bpf_xdp_adjust_tail(ctx, delta))
        return -1;
    data = (void *)(long)ctx->data;
    data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    ip = data + l3;
    if ((void *)(eth + 1) > data_end || ip + ip_length + sizeof(struct guard_synack) > data_end)
        return -1;

    struct guard_synack reply = {
        .tcp = {
            .source = pkt->dport,
            .dest = pkt->sport,
            .seq = bpf_htonl((__u32)cookie),
            .ack_seq = bpf_htonl(pkt->tcp_seq + 1),
            .doff = sizeof(struct guard_synack) / 4,
            .syn = 1,
            .ack = 1,
            .window = bpf_htons(65535),
        },
        .mss_kind = GUARD_TCPOPT_MSS,
        .mss_length = GUARD_TCPOLEN_MSS,
        .mss = bpf_htons((__u16)(cookie >> 32)),
    };
    swap_mac(eth);

    if (v4) {
        struct iphdr *ip4 = ip;
        struct guard_pseudo4 pseudo = {
            .saddr = pkt->daddr.words[3],
            .daddr = pkt->saddr.words[3],
            .proto = IPPROTO_TCP,
            .length = bpf_htons(sizeof(struct guard_synack)),
            .tcp = reply,
        };
        reply.tcp.check = guard_fold(bpf_csum_diff(0, 0, (__be32 *)&pseudo, sizeof(pseudo), 0));
        struct iphdr header = {
            .version = 4,
            .ihl = sizeof(struct iphdr) / 4,
            .tot_len = bpf_htons(sizeof(struct iphdr) + sizeof(struct guard_synack)),
            .frag_off = bpf_htons(PARSE_IP_DF),
            .ttl = 64,
            .protocol = IPPROTO_TCP,
            .saddr = pkt->daddr.words[3],
            .daddr = pkt->saddr.words[3],
        };
        header.check = guard_fold(bpf_csum_diff(0, 0, (__be32 *)&header, sizeof(header), 0));
        *ip4 = header;
        __builtin_memcpy(ip4 + 1, &reply, sizeof(reply));
    } else {
        struct ipv6hdr *ip6 = ip;
        struct guard_pseudo6 pseudo = {
            .length = bpf_htonl(sizeof(struct guard_synack)),
            .next = IPPROTO_TCP,
            .tcp = reply,
        };
        __builtin_memcpy(&pseudo.saddr, pkt->daddr.bytes, 16);
        __builtin_memcpy(&pseudo.daddr, pkt->saddr.bytes, 16);
        reply.tcp.check = guard_fold(bpf_csum_diff(0, 0, (__be32 *)&pseudo, sizeof(pseudo), 0));
        ip6->payload_len = bpf_htons(sizeof(struct guard_synack));
        ip6->nexthdr = IPPROTO_TCP;
        ip6->hop_limit = 64;
        __builtin_memcpy(&ip6->saddr, pkt->daddr.bytes, 16);
        __builtin_memcpy(&ip6->daddr, pkt->saddr.bytes, 16);
        __builtin_memcpy(ip6 + 1, &reply, sizeof(reply));
    }
    return 0;
}

/* Counts the packet under its reason, samples drops, writes metadata on passed IP packets; the one exit. */
static __always_inline int guard_finish(struct xdp_md *ctx, struct guard_config *config, __u32 reason, __u32 action,
                                        __u32 length, __u32 marks, int meta)
{
    guard_count(reason, length);
    if (action == XDP_DROP) {
        guard_sample(ctx, config, reason, length);
    } else if (action == XDP_PASS && meta && (config->flags & GUARD_F_METADATA)) {
        guard_write_meta(ctx, marks);
    }
    return action;
}

SEC("xdp")
int guard_xdp(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u32 length = data_end - data;

    struct guard_config *config = guard_active_config();
    if (!config)
        return XDP_PASS;

    struct guard_packet pkt = {};
    int parsed = guard_parse(data, data_end, 0, &pkt);
    if (parsed == GUARD_PARSE_NOT_IP)
        return guard_finish(ctx, config, GUARD_REASON_NOT_IP, XDP_PASS, length, 0, 0);
    if (parsed != GUARD_PARSE_OK) {
        __u32 verdict = config->malformed_verdict == GUARD_VERDICT_PASS ? XDP_PASS : XDP_DROP;
        return guard_finish(ctx, config, GUARD_REASON_MALFORMED, verdict, length,
                            config->suspicious_marks & GUARD_MARK_MALFORMED, 1);
    }

    __u32 marks = pkt.is_fragment ? GUARD_MARK_FRAGMENT : 0;
    __u32 flags = config->flags;
    int limits = config->pps_interval_ns || config->syn_interval_ns;
    int tracking = limits || (flags & GUARD_F_TRACK_SOURCES);

    /* Source counters are plain adds: the README allows a lost update when CPUs race on one source, and a locked
     * add costs ~20 ns here. */
    struct guard_source *source = NULL;
    __u64 now = 0;
    if (tracking) {
        source = bpf_map_lookup_elem(&guard_sources, pkt.saddr.bytes);
        if (limits)
            now = bpf_ktime_get_ns();
        if (source) {
            source->packets++;
            source->bytes += length;
        }
    }

    /* Step 3: rules. They come before blocks and limits, so no state that spoofed traffic created for a source can
     * drop what an allow rule lets in. An IPv4-mapped IPv6 source meets the IPv4 rules. */
    struct guard_match match = {};
    if (pkt.source_v4)
        guard_rules_v4(config, &pkt, &match);
    else
        guard_rules_v6(config, &pkt, &match);
    if (match.rule) {
        struct guard_rule *rule = match.rule;
        __sync_fetch_and_add(&rule->packets, 1);
        __sync_fetch_and_add(&rule->bytes, length);
        if (rule->actions & GUARD_ACTION_ALLOW) {
            marks |= GUARD_MARK_ALLOWED;
            __u32 reason = (marks & config->suspicious_marks) ? GUARD_REASON_SUSPICIOUS : GUARD_REASON_ALLOWED;
            return guard_finish(ctx, config, reason, XDP_PASS, length, marks, 1);
        }
        return guard_finish(ctx, config, GUARD_REASON_DENIED, XDP_DROP, length, marks, 0);
    }
    marks |= GUARD_MARK_UNMATCHED;

    /* Step 4: a temporarily blocked source (no rule matched it). */
    if (limits && guard_blocked(source, pkt.saddr.bytes, now)) {
        if (source)
            source->dropped++;
        return guard_finish(ctx, config, GUARD_REASON_BLOCKED, XDP_DROP, length, marks, 0);
    }

    /* Step 5: rate limits for sources no rule matched. */
    if (tracking) {
        if (!source) {
            struct guard_source fresh = { .packets = 1, .bytes = length };
            bpf_map_update_elem(&guard_sources, pkt.saddr.bytes, &fresh, BPF_NOEXIST);
            source = bpf_map_lookup_elem(&guard_sources, pkt.saddr.bytes);
        }
        if (source) {
            __u32 over = 0;
            __u64 used = 0;
            if (config->pps_interval_ns) {
                if (!guard_gcra(&source->pkt_tat, now, config->pps_interval_ns, config->pps_tolerance_ns, &used))
                    over = GUARD_REASON_RATE_LIMITED;
                else if (used * 2 > config->pps_tolerance_ns + config->pps_interval_ns)
                    marks |= GUARD_MARK_NEAR_LIMIT;
            }
            int syn = pkt.family && (pkt.tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN &&
                      pkt.proto == IPPROTO_TCP && pkt.has_l4;
            if (!over && syn && config->syn_interval_ns) {
                __u64 syn_used = 0;
                if (!guard_gcra(&source->syn_tat, now, config->syn_interval_ns, config->syn_tolerance_ns, &syn_used))
                    over = GUARD_REASON_SYN_LIMITED;
            }
            if (over) {
                if (syn && (flags & GUARD_F_SYNCOOKIES) && guard_syncookie(ctx, &pkt) == 0)
                    return guard_finish(ctx, config, GUARD_REASON_SYNCOOKIE_SENT, XDP_TX, length, marks, 0);
                if (config->block_ns) {
                    source->blocked_until_ns = now + config->block_ns;
                    if (!guard_store_block(pkt.saddr.bytes, now + config->block_ns, now))
                        over = GUARD_REASON_BLOCK_MAP_FULL;
                }
                source->dropped++;
                return guard_finish(ctx, config, over, XDP_DROP, length, marks, 0);
            }
        }
    }

    /* Step 6: the default verdict. */
    if (config->default_verdict == GUARD_VERDICT_DROP)
        return guard_finish(ctx, config, GUARD_REASON_DEFAULT_DROP, XDP_DROP, length, marks, 0);
    __u32 reason = (marks & config->suspicious_marks) ? GUARD_REASON_SUSPICIOUS : GUARD_REASON_PASSED;
    return guard_finish(ctx, config, reason, XDP_PASS, length, marks, 1);
}

char LICENSE[] SEC("license") = "GPL";
