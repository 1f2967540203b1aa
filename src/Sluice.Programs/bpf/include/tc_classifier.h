/* A rule classifier for TC applications (qos, mirror): up to CLS_MAX_RULES rules, each a conjunction of
 * protocol, source prefix, destination prefix and destination port range, any of them left open.
 *
 * Bit-vector search: for each dimension the controller stores, per distinct value, the set of rules that value
 * satisfies (a bitmap of rule indexes). A packet's rule set is the AND of four lookups:
 *   cls_src / cls_dst   LPM tries on the address (IPv4 as ::ffff:a.b.c.d); each prefix's bitmap already holds the
 *                       rules of every shorter prefix containing it, and ::/0 holds the rules with no address;
 *   cls_ports           array indexed by the destination port (host order); index 65536 = "packet has no ports";
 *   cls_protos          array indexed by the IP protocol.
 * A dimension no rule uses (its flag in cls_config.flags clear) is skipped. The controller refuses rules whose
 * matches overlap, so at most one bit survives the AND: the rule. Cost does not grow with the rule count beyond
 * the words scanned (cls_config.words = rules / 64, rounded up). */
#ifndef SLUICE_TC_CLASSIFIER_H
#define SLUICE_TC_CLASSIFIER_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "guard_parse.h"

#define CLS_MAX_RULES 1024
#define CLS_WORDS (CLS_MAX_RULES / 64)
#define CLS_NO_PORT 65536
#define CLS_NO_RULE (-1)

/* The dimensions a rule constrains (cls_rule.fields) or some rule uses (cls_config.flags). */
enum cls_flags : __u8 {
    CLS_F_NONE = 0,     /* nothing: every packet */
    CLS_F_SRC = 0x1,    /* the source prefix */
    CLS_F_DST = 0x2,    /* the destination prefix */
    CLS_F_PORT = 0x4,   /* the destination port range */
    CLS_F_PROTO = 0x8,  /* the IP protocol */
};

struct cls_bitmap {
    __u64 words[CLS_WORDS];
};

/* An LPM key: prefixlen counts bits of addr (an IPv4 /n is ::ffff:a.b.c.d/96+n). */
struct cls_prefix {
    __u32 prefixlen;
    __u8 addr[16];
};

struct cls_config {
    enum cls_flags flags;   /* the dimensions some rule uses */
    __u8 pad[3];
    __u32 words;        /* bitmap words holding any rule: (highest rule index / 64) + 1, 0 = no rules */
    __u32 generation;   /* bumped by every controller change */
    __u32 application;  /* the application's own word (qos: it created the htb qdisc) */
};

/* A rule as the controller wrote it (the programs read only the tables derived from it). */
struct cls_rule {
    __u8 used;
    __u8 proto;             /* with CLS_F_PROTO */
    enum cls_flags fields;  /* the dimensions this rule constrains */
    __u8 pad;
    __u16 port_low;         /* with CLS_F_PORT: destination ports port_low..port_high, host order */
    __u16 port_high;
    struct cls_prefix src;  /* with CLS_F_SRC (prefixlen in the ::ffff: form for IPv4) */
    struct cls_prefix dst;  /* with CLS_F_DST */
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, CLS_MAX_RULES);
    __type(key, __u32);
    __type(value, struct cls_rule);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} cls_rules SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, 2 * CLS_MAX_RULES + 2);
    __type(key, struct cls_prefix);
    __type(value, struct cls_bitmap);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} cls_src SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, 2 * CLS_MAX_RULES + 2);
    __type(key, struct cls_prefix);
    __type(value, struct cls_bitmap);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} cls_dst SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, CLS_NO_PORT + 1);
    __type(key, __u32);
    __type(value, struct cls_bitmap);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} cls_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, struct cls_bitmap);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} cls_protos SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct cls_config);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} cls_config SEC(".maps");

/* Index (0..63) of the lowest set bit of a non-zero word, by binary search (BPF has no count-trailing-zeros). */
static __always_inline __u32 cls_lowest_bit(__u64 word)
{
    __u32 index = 0;
    if (!(word & 0xffffffffull)) { word >>= 32; index += 32; }
    if (!(word & 0xffffull)) { word >>= 16; index += 16; }
    if (!(word & 0xffull)) { word >>= 8; index += 8; }
    if (!(word & 0xfull)) { word >>= 4; index += 4; }
    if (!(word & 0x3ull)) { word >>= 2; index += 2; }
    if (!(word & 0x1ull)) index += 1;
    return index;
}

/* The rule a parsed IP packet matches, or CLS_NO_RULE. */
static __always_inline int cls_match(const struct guard_packet *pkt, const struct cls_config *config)
{
    struct cls_bitmap *src = NULL, *dst = NULL, *port = NULL, *proto = NULL;
    __u32 words = config->words;
    if (words == 0)
        return CLS_NO_RULE;
    if (config->flags & CLS_F_SRC) {
        struct cls_prefix key = { .prefixlen = 128 };
        __builtin_memcpy(key.addr, pkt->saddr.bytes, 16);
        src = bpf_map_lookup_elem(&cls_src, &key);
        if (!src)
            return CLS_NO_RULE;
    }
    if (config->flags & CLS_F_DST) {
        struct cls_prefix key = { .prefixlen = 128 };
        __builtin_memcpy(key.addr, pkt->daddr.bytes, 16);
        dst = bpf_map_lookup_elem(&cls_dst, &key);
        if (!dst)
            return CLS_NO_RULE;
    }
    if (config->flags & CLS_F_PORT) {
        __u32 key = pkt->has_ports ? bpf_ntohs(pkt->dport) : CLS_NO_PORT;
        port = bpf_map_lookup_elem(&cls_ports, &key);
        if (!port)
            return CLS_NO_RULE;
    }
    if (config->flags & CLS_F_PROTO) {
        __u32 key = pkt->proto;
        proto = bpf_map_lookup_elem(&cls_protos, &key);
        if (!proto)
            return CLS_NO_RULE;
    }
    for (__u32 i = 0; i < CLS_WORDS; i++) {
        if (i >= words)
            break;
        __u64 word = ~0ull;
        if (src) word &= src->words[i];
        if (dst) word &= dst->words[i];
        if (port) word &= port->words[i];
        if (proto) word &= proto->words[i];
        if (word)
            return (int)(i * 64 + cls_lowest_bit(word));
    }
    return CLS_NO_RULE;
}

#endif
