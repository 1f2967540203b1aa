/* Parsing an sk_buff in a TC program, shared by every TC application (the guard's TC stage, qos, ratelimit,
 * mirror): a parsing.h cursor over the skb's linear data, read by the guard's parser (guard_parse.h), so the TC
 * applications and the guard classify the same header shapes the same way. */
#ifndef SLUICE_TC_PARSE_H
#define SLUICE_TC_PARSE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "parsing.h"
#include "guard_parse.h"

/* Headers are in the linear part of almost every skb; when they are not, pull this much (or the whole packet)
 * and parse again. Enough for two VLAN tags, IPv6 with a few extension headers and a TCP header. */
#define TC_PULL_LENGTH 256

/* A cursor over the skb's linear data (the headers direct packet access can reach). */
static __always_inline struct cursor tc_cursor(struct __sk_buff *skb)
{
    struct cursor c = { .pos = (void *)(long)skb->data, .end = (void *)(long)skb->data_end };
    return c;
}

/* A cursor at offset bytes into the linear data (offset < 256: the bound lets the verifier check the pointer). */
static __always_inline struct cursor tc_cursor_at(struct __sk_buff *skb, __u32 offset)
{
    struct cursor c = tc_cursor(skb);
    c.pos += offset & 0xff;
    return c;
}

/* Parses the packet with guard_parse. A VLAN tag the stack already moved to skb->vlan_tci counts toward the tag
 * limit. Headers outside the linear part are pulled in once (at most TC_PULL_LENGTH bytes). */
static __always_inline int tc_parse(struct __sk_buff *skb, struct guard_packet *pkt)
{
    __u32 tags_seen = skb->vlan_present ? 1 : 0;
    struct cursor c = tc_cursor(skb);
    int result = guard_parse(c.pos, c.end, tags_seen, pkt);
    if (result != GUARD_PARSE_MALFORMED)
        return result;
    __u32 linear = c.end - c.pos;
    __u32 length = skb->len;
    if (linear >= length || linear >= TC_PULL_LENGTH)
        return result;
    if (bpf_skb_pull_data(skb, length < TC_PULL_LENGTH ? length : TC_PULL_LENGTH) != 0)
        return result;
    __builtin_memset(pkt, 0, sizeof(*pkt));
    c = tc_cursor(skb);
    return guard_parse(c.pos, c.end, tags_seen, pkt);
}

#endif
