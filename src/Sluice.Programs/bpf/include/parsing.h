/* Header-only packet parsing helpers: a cursor that only moves forward after a bounds check. */
#ifndef SLUICE_PARSING_H
#define SLUICE_PARSING_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct cursor {
    void *pos;
    void *end;
};

/* Returns the header at the cursor and advances past it, or NULL when the packet is too short. */
#define CURSOR_TAKE(c, type) ({                                   \
    type *__h = (type *)(c)->pos;                                 \
    if ((void *)(__h + 1) > (c)->end) __h = NULL;                 \
    else (c)->pos = (void *)(__h + 1);                            \
    __h; })

static __always_inline struct ethhdr *parse_ethernet(struct cursor *c)
{
    return CURSOR_TAKE(c, struct ethhdr);
}

/* IPv4 header including options (IHL), or NULL when truncated or malformed. */
static __always_inline struct iphdr *parse_ipv4(struct cursor *c)
{
    struct iphdr *ip = (struct iphdr *)c->pos;
    if ((void *)(ip + 1) > c->end)
        return NULL;
    __u32 length = ip->ihl * 4;
    if (length < sizeof(*ip) || c->pos + length > c->end)
        return NULL;
    c->pos += length;
    return ip;
}

#define PARSE_MAX_VLAN_TAGS 2

/* An 802.1Q / 802.1ad tag as it sits in the frame after the outer ethertype. */
struct vlan_tag {
    __be16 tci;
    __be16 proto;
};

/* Skips up to PARSE_MAX_VLAN_TAGS 802.1Q / 802.1ad tags after the Ethernet header. Returns the ethertype that follows
 * them (host order), or -1 when a tag is truncated or there are more tags than that. tags (may be NULL) gets the count. */
static __always_inline int parse_vlan_tags(struct cursor *c, struct ethhdr *eth, int *tags)
{
    __u16 proto = bpf_ntohs(eth->h_proto);
    int seen = 0;
#pragma unroll
    for (int i = 0; i < PARSE_MAX_VLAN_TAGS + 1; i++) {
        if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
            break;
        if (i == PARSE_MAX_VLAN_TAGS)
            return -1;
        struct vlan_tag *tag = CURSOR_TAKE(c, struct vlan_tag);
        if (!tag)
            return -1;
        proto = bpf_ntohs(tag->proto);
        seen++;
    }
    if (tags)
        *tags = seen;
    return proto;
}

/* The fixed IPv6 header (version checked), or NULL. Extension headers are left to the caller. */
static __always_inline struct ipv6hdr *parse_ipv6(struct cursor *c)
{
    struct ipv6hdr *ip = CURSOR_TAKE(c, struct ipv6hdr);
    if (ip && ip->version != 6)
        return NULL;
    return ip;
}

/* An IPv4 fragment (MF set or a non-zero offset): its L4 header may be elsewhere. */
static __always_inline int ipv4_is_fragment(const struct iphdr *ip)
{
    return (ip->frag_off & bpf_htons(0x3fff)) != 0;
}

/* RFC 1624 (eqn. 3) incremental update of a 16-bit one's complement checksum when a 16-bit word of the covered
 * data changes from old to new (both in network order): HC' = ~(~HC + ~m + m'). When the covered data now sums to
 * zero, eqn. 3 yields 0x0000 where a sender computing from scratch writes 0xffff; 0x0000 fails verification when
 * every covered word is zero (e.g. an ICMP echo reply with id, sequence and data all 0), while 0xffff always verifies,
 * so 0xffff is written instead. */
static __always_inline void csum_replace16(__sum16 *sum, __be16 old, __be16 new)
{
    __u32 folded = (__u16)~*sum + (__u16)~old + (__u16)new;
    folded = (folded & 0xffff) + (folded >> 16);
    folded = (folded & 0xffff) + (folded >> 16);
    folded = ~folded & 0xffff;
    *sum = (__sum16)(folded ? folded : 0xffff);
}

/* Exchanges two Ethernet addresses in place (reflecting a frame back to its sender). */
static __always_inline void swap_mac(struct ethhdr *eth)
{
    __u8 tmp[ETH_ALEN];
    __builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
    __builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
    __builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

#endif
