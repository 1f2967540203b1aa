/* A rule classifier for TC applications (qos, mirror): up to CLS_MAX_RULES rules, each a conjunction of
 * protocol, source prefix, destination prefix and destination port range, any of them left open.
 *
 * Bit-vector search: for each dimension the controller stores, per distinct value, the set of rules that value
 * satisfies (struct cls_set: a bitmap of rule indexes plus a summary bit per non-empty bitmap word). A packet's rule
 * set is the AND of up to four sets:
 *   cls_protos        array indexed by the IP protocol;
 *   cls_ports         array indexed by the destination port (host order); index 65536 = "packet has no ports";
 *   source, dest.     an address maps to a class (the longest stored prefix containing it: ::/0 is class 0, a rule's
 *                     prefix is 1 + the lowest rule slot that has it) and the class to its set (cls_src_sets /
 *                     cls_dst_sets), whose bitmap holds the rules of every stored prefix containing that prefix.
 *                     IPv4 (and IPv4-mapped IPv6, ::ffff:a.b.c.d, as guard_parse stores IPv4) goes through a
 *                     16-8-8 multibit trie in arrays (cls_src4 / cls_dst4: an entry per top 16 bits, then 256-entry
 *                     chunks for the third and fourth byte where longer prefixes exist): three array lookups at
 *                     most, which the verifier inlines, instead of a 128-bit LPM trie walk. Other IPv6 addresses
 *                     go through an LPM trie (cls_src6 / cls_dst6) holding only the prefixes outside ::ffff:0:0/96.
 *                     Both return exactly what one LPM trie over the ::ffff:-mapped space would.
 * A dimension no rule uses (its flag in cls_config.flags clear) costs no lookup, nor does an address dimension when
 * no rule left in the running is in a bitmap word with a rule that constrains it (cls_dimension_words), and an
 * address family for which the dimension holds no prefix costs no class lookup (its class is then 0). The sets are ANDed cheapest first and the search stops as
 * soon as the summaries' AND is empty, so a miss rarely reads a bitmap word. The controller refuses rules whose
 * matches overlap, so at most one bit survives the AND: the rule. */
#ifndef SLUICE_TC_CLASSIFIER_H
#define SLUICE_TC_CLASSIFIER_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "guard_parse.h"

#define CLS_MAX_RULES 1024
#define CLS_WORDS (CLS_MAX_RULES / 64)
#define CLS_NO_PORT 65536
#define CLS_NO_RULE (-1)
#define CLS_CLASSES (CLS_MAX_RULES + 1)      /* class 0 (::/0) + one per rule slot */

/* The dimensions a rule constrains (cls_rule.fields) or some rule uses (cls_config.flags), and (cls_config.flags
 * only) the address tables that hold a prefix, so an empty family costs no class lookup. */
enum cls_flags : __u8 {
    CLS_F_NONE = 0,     /* nothing: every packet */
    CLS_F_SRC = 0x1,    /* the source prefix */
    CLS_F_DST = 0x2,    /* the destination prefix */
    CLS_F_PORT = 0x4,   /* the destination port range */
    CLS_F_PROTO = 0x8,  /* the IP protocol */
    CLS_F_SRC4 = 0x10,  /* the IPv4 source table maps some address to a class other than 0 */
    CLS_F_DST4 = 0x20,  /* the IPv4 destination table maps some address to a class other than 0 */
    CLS_F_SRC6 = 0x40,  /* the IPv6 source trie holds a prefix other than ::/0 */
    CLS_F_DST6 = 0x80,  /* the IPv6 destination trie holds a prefix other than ::/0 */
};

/* struct cls_chunk entries and cls_root4 entries: a class, or (with CLS_CHUNK) the index of the chunk that refines
 * it by the next byte. Level-2 chunks (third byte) are 0..CLS_MAX_RULES-1, level-3 chunks (fourth byte) follow. */
#define CLS_CHUNK 0x8000
#define CLS_CHUNKS (2 * CLS_MAX_RULES)

/* The rules a value satisfies: a bitmap of rule indexes with a summary bit per non-empty word. */
struct cls_set {
    __u64 summary;              /* bit w set when words[w] != 0 */
    __u64 words[CLS_WORDS];
};

/* An LPM key: prefixlen counts bits of addr. */
struct cls_prefix {
    __u32 prefixlen;
    __u8 addr[16];
};

/* The first level of an IPv4 16-8-8 table (cls_src4[0], cls_dst4[0]). */
struct cls_root4 {
    __u16 entries[65536];       /* by the address's top 16 bits */
};

/* A second- or third-level chunk of an IPv4 16-8-8 table (cls_src4_chunks, cls_dst4_chunks). */
struct cls_chunk {
    __u16 entries[256];         /* by the next byte */
};

struct cls_config {
    enum cls_flags flags;   /* the dimensions some rule uses */
    __u8 pad[3];
    __u32 words;        /* bitmap words holding any rule: (highest rule index / 64) + 1, 0 = no rules */
    __u32 generation;   /* bumped by every controller change */
    __u32 application;  /* the application's own word (qos: it created the htb qdisc) */
};

/* Per address dimension, the bitmap words that hold a rule constraining it: when the candidates left by the cheaper
 * dimensions sit in none of those words, no candidate cares about the address and its lookup is skipped. */
struct cls_dimension_words {
    __u64 src;
    __u64 dst;
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

#define CLS_ADDRESS_MAPS(side)                                      \
struct {                                                            \
    __uint(type, BPF_MAP_TYPE_ARRAY);                               \
    __uint(max_entries, 1);                                         \
    __type(key, __u32);                                             \
    __type(value, struct cls_root4);                                \
    __uint(pinning, LIBBPF_PIN_BY_NAME);                            \
} cls_##side##4 SEC(".maps");                                       \
struct {                                                            \
    __uint(type, BPF_MAP_TYPE_ARRAY);                               \
    __uint(max_entries, CLS_CHUNKS);                                \
    __type(key, __u32);                                             \
    __type(value, struct cls_chunk);                                \
    __uint(pinning, LIBBPF_PIN_BY_NAME);                            \
} cls_##side##4_chunks SEC(".maps");                                \
struct {                                                            \
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);                            \
    __uint(map_flags, BPF_F_NO_PREALLOC);                           \
    __uint(max_entries, CLS_CLASSES);                               \
    __type(key, struct cls_prefix);                                 \
    __type(value, __u32);                                           \
    __uint(pinning, LIBBPF_PIN_BY_NAME);                            \
} cls_##side##6 SEC(".maps");                                       \
struct {                                                            \
    __uint(type, BPF_MAP_TYPE_ARRAY);                               \
    __uint(max_entries, CLS_CLASSES);                               \
    __type(key, __u32);                                             \
    __type(value, struct cls_set);                                  \
    __uint(pinning, LIBBPF_PIN_BY_NAME);                            \
} cls_##side##_sets SEC(".maps");

CLS_ADDRESS_MAPS(src)
CLS_ADDRESS_MAPS(dst)

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, CLS_NO_PORT + 1);
    __type(key, __u32);
    __type(value, struct cls_set);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} cls_port_sets SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, struct cls_set);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} cls_proto_sets SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct cls_config);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} cls_config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct cls_dimension_words);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} cls_dimension_words SEC(".maps");

/* Index (0..63) of the lowest set bit of a non-zero word (BPF has no count-trailing-zeros): the population count
 * of the bits below it, without branches, so the verifier walks one path per call and not one per bit position. */
static __always_inline __u32 cls_lowest_bit(__u64 word)
{
    __u64 below = (word & -word) - 1;
    below = below - ((below >> 1) & 0x5555555555555555ull);
    below = (below & 0x3333333333333333ull) + ((below >> 2) & 0x3333333333333333ull);
    below = (below + (below >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (__u32)((below * 0x0101010101010101ull) >> 56);
}

/* The class of an IPv4 address (network order) in a 16-8-8 table; 0 when a chunk is missing. */
static __always_inline __u32 cls_class4(void *root_map, void *chunk_map, __be32 address)
{
    __u32 host = bpf_ntohl(address), zero = 0;
    struct cls_root4 *root = bpf_map_lookup_elem(root_map, &zero);
    if (!root)
        return 0;
    __u32 entry = root->entries[host >> 16];
    if (!(entry & CLS_CHUNK))
        return entry;
    __u32 index = entry & ~CLS_CHUNK;
    struct cls_chunk *chunk = bpf_map_lookup_elem(chunk_map, &index);
    if (!chunk)
        return 0;
    entry = chunk->entries[(host >> 8) & 0xff];
    if (!(entry & CLS_CHUNK))
        return entry;
    index = entry & ~CLS_CHUNK;
    chunk = bpf_map_lookup_elem(chunk_map, &index);
    return chunk ? chunk->entries[host & 0xff] : 0;
}

/* True for the IPv4 form guard_parse gives addresses: ::ffff:a.b.c.d. */
static __always_inline int cls_is_v4(const union guard_addr *address)
{
    return !address->words[0] && !address->words[1] && address->words[2] == bpf_htonl(0xffff);
}

/* The set of an address: its class by family (class 0 without a lookup when the family's table holds no prefix),
 * then the class's set. */
static __always_inline struct cls_set *cls_address_set(const union guard_addr *address, __u32 flags, __u32 flag4, __u32 flag6,
    void *root_map, void *chunk_map, void *trie_map, void *sets_map)
{
    __u32 class = 0;
    int v4 = cls_is_v4(address);
    if (v4 && (flags & flag4)) {
        class = cls_class4(root_map, chunk_map, address->words[3]);
    } else if (!v4 && (flags & flag6)) {
        struct cls_prefix key = { .prefixlen = 128 };
        __builtin_memcpy(key.addr, address->bytes, 16);
        __u32 *found = bpf_map_lookup_elem(trie_map, &key);
        class = found ? *found : 0;
    }
    return bpf_map_lookup_elem(sets_map, &class);
}

/* The rule a parsed IP packet matches, or CLS_NO_RULE. The protocol's set is always read; a dimension skipped
 * borrows that pointer instead of a lookup (ANDing a set with itself changes nothing), so the four pointers are never
 * NULL and the word loop below is verified once, not once per combination of present sets. */
static __always_inline int cls_match(const struct guard_packet *pkt, const struct cls_config *config)
{
    __u32 flags = config->flags;
    __u64 summary = config->words >= CLS_WORDS ? ~0ull : (1ull << config->words) - 1;
    if (summary == 0)
        return CLS_NO_RULE;
    __u32 protocol = pkt->proto;
    struct cls_set *proto = bpf_map_lookup_elem(&cls_proto_sets, &protocol);
    if (!proto || !(summary &= proto->summary))
        return CLS_NO_RULE;
    struct cls_set *port = proto;
    if (flags & CLS_F_PORT) {
        __u32 dport = pkt->has_ports ? bpf_ntohs(pkt->dport) : CLS_NO_PORT;
        port = bpf_map_lookup_elem(&cls_port_sets, &dport);
        if (!port || !(summary &= port->summary))
            return CLS_NO_RULE;
    }
    __u32 zero = 0;
    struct cls_dimension_words *dimensions = bpf_map_lookup_elem(&cls_dimension_words, &zero);
    if (!dimensions)
        return CLS_NO_RULE;
    struct cls_set *dst = proto;
    if ((flags & CLS_F_DST) && (summary & dimensions->dst)) {
        dst = cls_address_set(&pkt->daddr, flags, CLS_F_DST4, CLS_F_DST6, &cls_dst4, &cls_dst4_chunks, &cls_dst6, &cls_dst_sets);
        if (!dst || !(summary &= dst->summary))
            return CLS_NO_RULE;
    }
    struct cls_set *src = proto;
    if ((flags & CLS_F_SRC) && (summary & dimensions->src)) {
        src = cls_address_set(&pkt->saddr, flags, CLS_F_SRC4, CLS_F_SRC6, &cls_src4, &cls_src4_chunks, &cls_src6, &cls_src_sets);
        if (!src || !(summary &= src->summary))
            return CLS_NO_RULE;
    }
    /* Only the words every set has bits in; the first of them almost always holds the answer. */
    for (__u32 i = 0; i < CLS_WORDS; i++) {
        if (!summary)
            break;
        __u32 w = cls_lowest_bit(summary) & (CLS_WORDS - 1);
        summary &= summary - 1;
        __u64 word = proto->words[w] & port->words[w] & dst->words[w] & src->words[w];
        if (word)
            return (int)(w * 64 + cls_lowest_bit(word));
    }
    return CLS_NO_RULE;
}

#endif
