/* Header-only packet parsing helpers: a cursor that only moves forward after a bounds check. */
#ifndef SLUICE_PARSING_H
#define SLUICE_PARSING_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/in6.h>
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

/* Skips the 802.1Q / 802.1ad tags that follow an ethertype proto (host order), when seen tags were already taken
 * out of the frame (TC: the one in skb->vlan_tci) and count toward PARSE_MAX_VLAN_TAGS. Returns the ethertype after
 * the tags (host order), or -1 when a tag is truncated or there are more tags than that. tags (may be NULL) gets the
 * number of tags skipped in the frame. */
static __always_inline int parse_vlan_tags_after(struct cursor *c, __u16 proto, int seen, int *tags)
{
    int skipped = 0;
#pragma unroll
    for (int i = 0; i < PARSE_MAX_VLAN_TAGS + 1; i++) {
        if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
            break;
        if (seen + i >= PARSE_MAX_VLAN_TAGS)
            return -1;
        struct vlan_tag *tag = CURSOR_TAKE(c, struct vlan_tag);
        if (!tag)
            return -1;
        proto = bpf_ntohs(tag->proto);
        skipped++;
    }
    if (tags)
        *tags = skipped;
    return proto;
}

/* Skips up to PARSE_MAX_VLAN_TAGS 802.1Q / 802.1ad tags after the Ethernet header. Returns the ethertype that follows
 * them (host order), or -1 when a tag is truncated or there are more tags than that. tags (may be NULL) gets the count. */
static __always_inline int parse_vlan_tags(struct cursor *c, struct ethhdr *eth, int *tags)
{
    return parse_vlan_tags_after(c, bpf_ntohs(eth->h_proto), 0, tags);
}

/* The fixed IPv6 header (version checked), or NULL. Extension headers are left to the caller. */
static __always_inline struct ipv6hdr *parse_ipv6(struct cursor *c)
{
    struct ipv6hdr *ip = CURSOR_TAKE(c, struct ipv6hdr);
    if (ip && ip->version != 6)
        return NULL;
    return ip;
}

/* IPv4 frag_off bits (host order; the uapi headers leave them to the kernel's net/ip.h). */
#define PARSE_IP_DF 0x4000
#define PARSE_IP_MF 0x2000
#define PARSE_IP_OFFSET 0x1fff

/* An IPv4 fragment (MF set or a non-zero offset): its L4 header may be elsewhere. */
static __always_inline int ipv4_is_fragment(const struct iphdr *ip)
{
    return (ip->frag_off & bpf_htons(PARSE_IP_MF | PARSE_IP_OFFSET)) != 0;
}

/* A fragment that is not the first (non-zero offset): it carries no L4 header. */
static __always_inline int ipv4_is_later_fragment(const struct iphdr *ip)
{
    return (ip->frag_off & bpf_htons(PARSE_IP_OFFSET)) != 0;
}

/* The IPv6 fragment header (RFC 8200 4.5; the kernel's struct frag_hdr is not uapi). */
struct ipv6_frag_hdr {
    __u8 nexthdr;
    __u8 reserved;
    __be16 frag_off;          /* offset in 8-byte units << 3 | M flag */
    __be32 identification;
};

#define PARSE_IP6_OFFSET 0xfff8

/* The first four bytes of ICMP and ICMPv6 (linux/icmp.h does not build for -target bpf). */
struct icmp_head {
    __u8 type;
    __u8 code;
    __sum16 checksum;
};

/* Moves the cursor length bytes on; 0 (cursor unchanged) when fewer are left. */
static __always_inline int cursor_skip(struct cursor *c, __u32 length)
{
    if (c->pos + length > c->end)
        return 0;
    c->pos += length;
    return 1;
}

/* TCP header including options (data offset), or NULL when truncated or the data offset is below 5. */
static __always_inline struct tcphdr *parse_tcp(struct cursor *c)
{
    struct tcphdr *tcp = (struct tcphdr *)c->pos;
    if ((void *)(tcp + 1) > c->end)
        return NULL;
    __u32 length = tcp->doff * 4;
    if (length < sizeof(*tcp) || c->pos + length > c->end)
        return NULL;
    c->pos += length;
    return tcp;
}

/* The TCP flag bits of a header, as the kernel's TCP_FLAG_* masks of its fourth 32-bit word. */
static __always_inline __be32 tcp_flags_of(struct tcphdr *tcp)
{
    return tcp_flag_word(tcp) & (TCP_FLAG_CWR | TCP_FLAG_ECE | TCP_FLAG_URG | TCP_FLAG_ACK | TCP_FLAG_PSH |
                                 TCP_FLAG_RST | TCP_FLAG_SYN | TCP_FLAG_FIN);
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
