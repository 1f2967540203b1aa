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
 * IPv4 check above: padding and truncation past the L4 minimum do not matter to the policy. */
#ifndef SLUICE_GUARD_PARSE_H
#define SLUICE_GUARD_PARSE_H

#include <linux/types.h>
#include <bpf/bpf_endian.h>

#define GUARD_PARSE_OK 0
#define GUARD_PARSE_NOT_IP 1
#define GUARD_PARSE_MALFORMED 2

#define GUARD_MAX_VLAN_TAGS 2
#define GUARD_MAX_EXT_HEADERS 8

#define GUARD_ETH_HLEN 14
#define GUARD_ETH_P_IP 0x0800
#define GUARD_ETH_P_IPV6 0x86DD
#define GUARD_ETH_P_8021Q 0x8100
#define GUARD_ETH_P_8021AD 0x88A8

#define GUARD_IPPROTO_HOPOPTS 0
#define GUARD_IPPROTO_ICMP 1
#define GUARD_IPPROTO_TCP 6
#define GUARD_IPPROTO_UDP 17
#define GUARD_IPPROTO_ROUTING 43
#define GUARD_IPPROTO_FRAGMENT 44
#define GUARD_IPPROTO_ESP 50
#define GUARD_IPPROTO_AH 51
#define GUARD_IPPROTO_ICMPV6 58
#define GUARD_IPPROTO_NONE 59
#define GUARD_IPPROTO_DSTOPTS 60

#define GUARD_FAMILY_IPV4 4
#define GUARD_FAMILY_IPV6 6

/* TCP flag bits (byte 13 of the TCP header). */
#define GUARD_TCP_FIN 0x01
#define GUARD_TCP_SYN 0x02
#define GUARD_TCP_RST 0x04
#define GUARD_TCP_ACK 0x10

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
    __u8 tcp_flags;         /* TCP only, 0 otherwise (and for non-first fragments) */
    __u8 has_ports;         /* TCP or UDP header present: sport/dport are valid */
    __be16 sport;           /* network order; 0 without ports */
    __be16 dport;
    __u8 is_fragment;       /* IPv4 MF or offset, IPv6 fragment header */
    __u8 is_first_fragment; /* a fragment with offset 0 (its L4 header was parsed) */
    __u8 has_l4;            /* the L4 header was checked present (not a non-first fragment, known protocol) */
    __u8 vlan_tags;         /* tags in the frame (not counting tags_seen) */
    __u8 ext_headers;       /* IPv6 extension headers walked */
    __u8 source_v4;         /* the source is an IPv4 address: IPv4, or IPv6 from IPv4-mapped ::ffff:a.b.c.d */
    __u8 pad[2];
    __u16 l3_offset;        /* the IP header */
    __u16 l4_offset;        /* the L4 header (valid when has_l4, or the end of the IP headers otherwise) */
    __u16 l4_length;        /* TCP: data offset * 4; UDP 8; ICMP 4; 0 otherwise */
    __u16 eth_proto;        /* the ethertype after the VLAN tags, host order */
};

/* The minimum header of a non-fragment or first fragment: GUARD_PARSE_OK or GUARD_PARSE_MALFORMED. */
static __always_inline int guard_parse_l4(__u8 *l4, void *data_end, __u8 *data, struct guard_packet *pkt)
{
    pkt->l4_offset = (__u16)(l4 - data);
    if (pkt->proto == GUARD_IPPROTO_TCP) {
        if ((void *)(l4 + 20) > data_end)
            return GUARD_PARSE_MALFORMED;
        __u32 length = (l4[12] >> 4) * 4;
        if (length < 20 || (void *)(l4 + length) > data_end)
            return GUARD_PARSE_MALFORMED;
        pkt->sport = *(__be16 *)l4;
        pkt->dport = *(__be16 *)(l4 + 2);
        pkt->tcp_flags = l4[13];
        pkt->has_ports = 1;
        pkt->has_l4 = 1;
        pkt->l4_length = (__u16)length;
    } else if (pkt->proto == GUARD_IPPROTO_UDP) {
        if ((void *)(l4 + 8) > data_end)
            return GUARD_PARSE_MALFORMED;
        pkt->sport = *(__be16 *)l4;
        pkt->dport = *(__be16 *)(l4 + 2);
        pkt->has_ports = 1;
        pkt->has_l4 = 1;
        pkt->l4_length = 8;
    } else if (pkt->proto == GUARD_IPPROTO_ICMP || pkt->proto == GUARD_IPPROTO_ICMPV6) {
        if ((void *)(l4 + 4) > data_end)
            return GUARD_PARSE_MALFORMED;
        pkt->has_l4 = 1;
        pkt->l4_length = 4;
    }
    return GUARD_PARSE_OK;
}

static __always_inline int guard_parse_ipv4(__u8 *ip, void *data_end, __u8 *data, struct guard_packet *pkt)
{
    if ((void *)(ip + 20) > data_end)
        return GUARD_PARSE_MALFORMED;
    if ((ip[0] >> 4) != 4)
        return GUARD_PARSE_MALFORMED;
    __u32 header_length = (ip[0] & 0x0f) * 4;
    if (header_length < 20 || (void *)(ip + header_length) > data_end)
        return GUARD_PARSE_MALFORMED;
    if (bpf_ntohs(*(__be16 *)(ip + 2)) < header_length)
        return GUARD_PARSE_MALFORMED;

    pkt->family = GUARD_FAMILY_IPV4;
    pkt->source_v4 = 1;
    pkt->proto = ip[9];
    pkt->saddr.words[0] = 0;
    pkt->saddr.words[1] = 0;
    pkt->saddr.words[2] = bpf_htonl(0xffff);
    pkt->saddr.words[3] = *(__u32 *)(ip + 12);
    pkt->daddr.words[0] = 0;
    pkt->daddr.words[1] = 0;
    pkt->daddr.words[2] = bpf_htonl(0xffff);
    pkt->daddr.words[3] = *(__u32 *)(ip + 16);

    __u16 fragment = bpf_ntohs(*(__be16 *)(ip + 6));
    __u8 *l4 = ip + header_length;
    if (fragment & 0x3fff) {                    /* MF (0x2000) or an offset */
        pkt->is_fragment = 1;
        if (fragment & 0x1fff) {                /* non-first: no L4 header here */
            pkt->l4_offset = (__u16)(l4 - data);
            return GUARD_PARSE_OK;
        }
        pkt->is_first_fragment = 1;
    }
    return guard_parse_l4(l4, data_end, data, pkt);
}

static __always_inline int guard_parse_ipv6(__u8 *ip, void *data_end, __u8 *data, struct guard_packet *pkt)
{
    if ((void *)(ip + 40) > data_end)
        return GUARD_PARSE_MALFORMED;
    if ((ip[0] >> 4) != 6)
        return GUARD_PARSE_MALFORMED;

    pkt->family = GUARD_FAMILY_IPV6;
    __builtin_memcpy(pkt->saddr.bytes, ip + 8, 16);
    __builtin_memcpy(pkt->daddr.bytes, ip + 24, 16);
    /* One identity per host: an IPv4-mapped source (::ffff:a.b.c.d) is the IPv4 address a.b.c.d for rules, limits,
     * blocks and flows, and saddr already holds it exactly as an IPv4 source is stored. */
    pkt->source_v4 = !pkt->saddr.words[0] && !pkt->saddr.words[1] && pkt->saddr.words[2] == bpf_htonl(0xffff);

    __u8 next = ip[6];
    __u8 *cursor = ip + 40;
    int walked = 0;
#pragma unroll
    for (int i = 0; i < GUARD_MAX_EXT_HEADERS + 1; i++) {
        if (next != GUARD_IPPROTO_HOPOPTS && next != GUARD_IPPROTO_ROUTING && next != GUARD_IPPROTO_DSTOPTS &&
            next != GUARD_IPPROTO_AH && next != GUARD_IPPROTO_FRAGMENT)
            break;
        if (i == GUARD_MAX_EXT_HEADERS)
            return GUARD_PARSE_MALFORMED;       /* a ninth extension header */
        if ((void *)(cursor + 8) > data_end)
            return GUARD_PARSE_MALFORMED;
        walked++;
        if (next == GUARD_IPPROTO_FRAGMENT) {
            __u16 fragment = bpf_ntohs(*(__be16 *)(cursor + 2));
            next = cursor[0];
            cursor += 8;
            pkt->is_fragment = 1;
            if (fragment & 0xfff8) {            /* non-first: the protocol is known, its header is elsewhere */
                pkt->ext_headers = walked;
                pkt->proto = next;
                pkt->l4_offset = (__u16)(cursor - data);
                return GUARD_PARSE_OK;
            }
            pkt->is_first_fragment = 1;
            continue;
        }
        __u32 length = next == GUARD_IPPROTO_AH ? ((__u32)cursor[1] + 2) * 4 : ((__u32)cursor[1] + 1) * 8;
        next = cursor[0];
        if ((void *)(cursor + length) > data_end)
            return GUARD_PARSE_MALFORMED;
        cursor += length;
    }
    pkt->ext_headers = walked;
    pkt->proto = next;
    return guard_parse_l4(cursor, data_end, data, pkt);
}

/* Parses the frame in [data, data_end). tags_seen: VLAN tags already taken out of the frame (TC: 1 when
 * skb->vlan_present, XDP: 0); they count toward the limit of two. pkt must be zeroed by the caller. */
static __always_inline int guard_parse(void *data, void *data_end, __u32 tags_seen, struct guard_packet *pkt)
{
    __u8 *cursor = data;
    if ((void *)(cursor + GUARD_ETH_HLEN) > data_end)
        return GUARD_PARSE_MALFORMED;
    __u16 proto = bpf_ntohs(*(__be16 *)(cursor + 12));
    cursor += GUARD_ETH_HLEN;

    __u32 tags = tags_seen;
#pragma unroll
    for (int i = 0; i < GUARD_MAX_VLAN_TAGS + 1; i++) {
        if (proto != GUARD_ETH_P_8021Q && proto != GUARD_ETH_P_8021AD)
            break;
        if (tags >= GUARD_MAX_VLAN_TAGS)
            return GUARD_PARSE_MALFORMED;
        if ((void *)(cursor + 4) > data_end)
            return GUARD_PARSE_MALFORMED;
        proto = bpf_ntohs(*(__be16 *)(cursor + 2));
        cursor += 4;
        tags++;
        pkt->vlan_tags++;
    }
    pkt->eth_proto = proto;
    pkt->l3_offset = (__u16)(cursor - (__u8 *)data);

    if (proto == GUARD_ETH_P_IP)
        return guard_parse_ipv4(cursor, data_end, data, pkt);
    if (proto == GUARD_ETH_P_IPV6)
        return guard_parse_ipv6(cursor, data_end, data, pkt);
    return GUARD_PARSE_NOT_IP;
}

#endif
