/* The guard's packet parser, shared by the XDP and TC stages (header-only, no maps, no helpers).
 *
 * guard_parse(data, data_end, tags_seen, &pkt) walks Ethernet, VLAN tags, IPv4 / IPv6 (+ extension headers) and the
 * minimum L4 header, and fills struct guard_packet. The rules it applies are the policy's step 1 and 2 in
 * Guard/README.md; the C# model (Guard/Model) must make the same choices, so the exact ones are listed here:
 *   - frame shorter than 14 bytes, a truncated VLAN tag, a third VLAN tag: MALFORMED
 *   - ethertype (after the tags) neither 0x0800 nor 0x86dd: NOT_IP
 *   - IPv4: 20 bytes present, version 4, IHL 5..15, IHL*4 bytes present, total length >= IHL*4, else MALFORMED.
 *     Fragment: MF or offset != 0; a non-first fragment (offset != 0) has no L4 header.
 *   - IPv6: 40 bytes present, version 6, else MALFORMED. Extension headers 0, 43, 60 (length (n+1)*8), 51 (AH,
 *     length (n+2)*4) and 44 (fragment, 8 bytes) are walked, each one wholly present, at most 8 of them: a ninth
 *     is MALFORMED. A fragment header makes the packet a fragment; a non-first one (offset != 0) ends the walk
 *     with its next header as the protocol and no L4 header. 50 (ESP), 59 and anything else end the walk.
 *     An IPv4-mapped source (::ffff:0:0/96) sets source_v4: the policy treats it as the IPv4 address it maps.
 *   - L4 in a non-fragment or first fragment, by protocol number alone (whatever the IP version):
 *     TCP 20 bytes and data offset >= 5 and data offset*4 bytes present; UDP 8; ICMP (1) and ICMPv6 (58) 4;
 *     else MALFORMED. Only TCP and UDP have ports. Other protocols: no L4 checks, no ports.
 * The length fields (IPv4 total length, IPv6 payload length) are not compared with the frame's length beyond the
 * IPv4 check above: padding and truncation past the L4 minimum do not matter to the policy.
 * Headers are read through parsing.h's cursor as the kernel's typed structs (struct iphdr, ipv6hdr, tcphdr, ...),
 * with the kernel's constants (ETH_P_*, IPPROTO_*, TCP_FLAG_*), like every other program here. */
#ifndef SLUICE_GUARD_PARSE_H
#define SLUICE_GUARD_PARSE_H

#include "parsing.h"

#define GUARD_PARSE_OK 0
#define GUARD_PARSE_NOT_IP 1
#define GUARD_PARSE_MALFORMED 2

#define GUARD_MAX_EXT_HEADERS 8

#define GUARD_FAMILY_IPV4 4
#define GUARD_FAMILY_IPV6 6

/* An address as the maps want it: IPv6 as is, IPv4 as ::ffff:a.b.c.d (the IPv4 address is words[3]). */
union guard_addr {
    __u8 bytes[16];
    __u32 words[4];
};

/* What guard_parse learned. Offsets are from data (the Ethernet header), for rewriting headers later. */
struct guard_packet {
    union guard_addr saddr;
    union guard_addr daddr;
    __u8 family;            /* GUARD_FAMILY_IPV4 / _IPV6; 0 when not IP */
    __u8 proto;             /* the L4 protocol (after IPv6 extension headers) */
    __u8 has_ports;         /* TCP or UDP header present: sport/dport are valid */
    __u8 is_fragment;       /* IPv4 MF or offset, IPv6 fragment header */
    __be16 sport;           /* network order; 0 without ports */
    __be16 dport;
    __u8 is_first_fragment; /* a fragment with offset 0 (its L4 header was parsed) */
    __u8 has_l4;            /* the L4 header was checked present (not a non-first fragment, known protocol) */
    __u8 vlan_tags;         /* tags in the frame (not counting tags_seen) */
    __u8 ext_headers;       /* IPv6 extension headers walked */
    __u8 source_v4;         /* the source is an IPv4 address: IPv4, or IPv6 from IPv4-mapped ::ffff:a.b.c.d */
    __u8 pad[3];
    __be32 tcp_flags;       /* TCP only (TCP_FLAG_* bits), 0 otherwise (and for non-first fragments) */
    __u32 tcp_seq;          /* TCP only: the sequence number, host order */
    __u16 l3_offset;        /* the IP header */
    __u16 l4_offset;        /* the L4 header (valid when has_l4, or the end of the IP headers otherwise) */
    __u16 l4_length;        /* TCP: data offset * 4; UDP 8; ICMP 4; 0 otherwise */
    __u16 eth_proto;        /* the ethertype after the VLAN tags, host order */
    __u32 ip_end;           /* where the IP packet ends by its length field (IPv4 total, IPv6 40 + payload length) */
};

/* The minimum header of a non-fragment or first fragment: GUARD_PARSE_OK or GUARD_PARSE_MALFORMED. */
static __always_inline int guard_parse_l4(struct cursor *c, void *data, struct guard_packet *pkt)
{
    pkt->l4_offset = (__u16)(c->pos - data);
    if (pkt->proto == IPPROTO_TCP) {
        struct tcphdr *tcp = parse_tcp(c);
        if (!tcp)
            return GUARD_PARSE_MALFORMED;
        pkt->sport = tcp->source;
        pkt->dport = tcp->dest;
        pkt->tcp_flags = tcp_flags_of(tcp);
        pkt->tcp_seq = bpf_ntohl(tcp->seq);
        pkt->has_ports = 1;
        pkt->has_l4 = 1;
        pkt->l4_length = (__u16)(tcp->doff * 4);
    } else if (pkt->proto == IPPROTO_UDP) {
        struct udphdr *udp = CURSOR_TAKE(c, struct udphdr);
        if (!udp)
            return GUARD_PARSE_MALFORMED;
        pkt->sport = udp->source;
        pkt->dport = udp->dest;
        pkt->has_ports = 1;
        pkt->has_l4 = 1;
        pkt->l4_length = sizeof(*udp);
    } else if (pkt->proto == IPPROTO_ICMP || pkt->proto == IPPROTO_ICMPV6) {
        if (!CURSOR_TAKE(c, struct icmp_head))
            return GUARD_PARSE_MALFORMED;
        pkt->has_l4 = 1;
        pkt->l4_length = sizeof(struct icmp_head);
    }
    return GUARD_PARSE_OK;
}

/* Stores an IPv4 address as the maps want it: ::ffff:a.b.c.d. */
static __always_inline void guard_map_v4(union guard_addr *to, __be32 address)
{
    to->words[0] = 0;
    to->words[1] = 0;
    to->words[2] = bpf_htonl(0xffff);
    to->words[3] = address;
}

static __always_inline int guard_parse_ipv4(struct cursor *c, void *data, struct guard_packet *pkt)
{
    struct iphdr *ip = parse_ipv4(c);
    if (!ip || ip->version != 4)
        return GUARD_PARSE_MALFORMED;
    __u32 header_length = ip->ihl * 4;
    __u32 total_length = bpf_ntohs(ip->tot_len);
    if (total_length < header_length)
        return GUARD_PARSE_MALFORMED;

    pkt->family = GUARD_FAMILY_IPV4;
    pkt->source_v4 = 1;
    pkt->proto = ip->protocol;
    pkt->ip_end = pkt->l3_offset + total_length;
    guard_map_v4(&pkt->saddr, ip->saddr);
    guard_map_v4(&pkt->daddr, ip->daddr);

    if (ipv4_is_fragment(ip)) {
        pkt->is_fragment = 1;
        if (ipv4_is_later_fragment(ip)) {       /* no L4 header here */
            pkt->l4_offset = (__u16)(c->pos - data);
            return GUARD_PARSE_OK;
        }
        pkt->is_first_fragment = 1;
    }
    return guard_parse_l4(c, data, pkt);
}

/* The extension headers the walk steps over; any other next header ends it. */
static __always_inline int guard_ipv6_extension(__u8 next)
{
    return next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS || next == IPPROTO_AH ||
           next == IPPROTO_FRAGMENT;
}

static __always_inline int guard_parse_ipv6(struct cursor *c, void *data, struct guard_packet *pkt)
{
    struct ipv6hdr *ip = parse_ipv6(c);
    if (!ip)
        return GUARD_PARSE_MALFORMED;

    pkt->family = GUARD_FAMILY_IPV6;
    pkt->ip_end = pkt->l3_offset + sizeof(*ip) + bpf_ntohs(ip->payload_len);
    __builtin_memcpy(pkt->saddr.bytes, &ip->saddr, 16);
    __builtin_memcpy(pkt->daddr.bytes, &ip->daddr, 16);
    /* One identity per host: an IPv4-mapped source (::ffff:a.b.c.d) is the IPv4 address a.b.c.d for rules, limits,
     * blocks and flows, and saddr already holds it exactly as an IPv4 source is stored. */
    pkt->source_v4 = !pkt->saddr.words[0] && !pkt->saddr.words[1] && pkt->saddr.words[2] == bpf_htonl(0xffff);

    __u8 next = ip->nexthdr;
    int walked = 0;
#pragma unroll
    for (int i = 0; i < GUARD_MAX_EXT_HEADERS + 1; i++) {
        if (!guard_ipv6_extension(next))
            break;
        if (i == GUARD_MAX_EXT_HEADERS)
            return GUARD_PARSE_MALFORMED;       /* a ninth extension header */
        walked++;
        if (next == IPPROTO_FRAGMENT) {
            struct ipv6_frag_hdr *fragment = CURSOR_TAKE(c, struct ipv6_frag_hdr);
            if (!fragment)
                return GUARD_PARSE_MALFORMED;
            next = fragment->nexthdr;
            pkt->is_fragment = 1;
            if (fragment->frag_off & bpf_htons(PARSE_IP6_OFFSET)) {
                /* non-first: the protocol is known, its header is elsewhere */
                pkt->ext_headers = walked;
                pkt->proto = next;
                pkt->l4_offset = (__u16)(c->pos - data);
                return GUARD_PARSE_OK;
            }
            pkt->is_first_fragment = 1;
            continue;
        }
        /* Hop-by-hop, routing and destination options count 8-byte units after the first 8; AH counts 4-byte
         * units after the first 8 (RFC 4302). Both start with the next header and that length. */
        struct ipv6_opt_hdr *option = c->pos;
        if ((void *)(option + 1) > c->end)
            return GUARD_PARSE_MALFORMED;
        __u32 length = next == IPPROTO_AH ? ((__u32)option->hdrlen + 2) * 4 : ((__u32)option->hdrlen + 1) * 8;
        next = option->nexthdr;
        if (!cursor_skip(c, length))
            return GUARD_PARSE_MALFORMED;
    }
    pkt->ext_headers = walked;
    pkt->proto = next;
    return guard_parse_l4(c, data, pkt);
}

/* Parses the frame in [data, data_end). tags_seen: VLAN tags already taken out of the frame (TC: 1 when
 * skb->vlan_present, XDP: 0); they count toward the limit of two. pkt must be zeroed by the caller. */
static __always_inline int guard_parse(void *data, void *data_end, __u32 tags_seen, struct guard_packet *pkt)
{
    struct cursor c = { .pos = data, .end = data_end };
    struct ethhdr *eth = parse_ethernet(&c);
    if (!eth)
        return GUARD_PARSE_MALFORMED;
    int tags = 0;
    int proto = parse_vlan_tags_after(&c, bpf_ntohs(eth->h_proto), tags_seen, &tags);
    if (proto < 0)
        return GUARD_PARSE_MALFORMED;
    pkt->vlan_tags = tags;
    pkt->eth_proto = proto;
    pkt->l3_offset = (__u16)(c.pos - data);

    if (proto == ETH_P_IP)
        return guard_parse_ipv4(&c, data, pkt);
    if (proto == ETH_P_IPV6)
        return guard_parse_ipv6(&c, data, pkt);
    return GUARD_PARSE_NOT_IP;
}

#endif
