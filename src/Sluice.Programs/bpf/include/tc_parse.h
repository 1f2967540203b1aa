/* Parsing an sk_buff in a TC program with the guard's parser (guard_parse.h), shared by every TC application:
 * the guard's TC stage, qos, ratelimit and mirror. */
#ifndef SLUICE_TC_PARSE_H
#define SLUICE_TC_PARSE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "guard_parse.h"

/* Headers are in the linear part of almost every skb; when they are not, pull this much (or the whole packet)
 * and parse again. Enough for two VLAN tags, IPv6 with a few extension headers and a TCP header. */
#define TC_PULL_LENGTH 256

/* Parses the packet with guard_parse. A VLAN tag the stack already moved to skb->vlan_tci counts
 * toward the tag limit. Headers outside the linear part are pulled in once (at most TC_PULL_LENGTH bytes). */
static __always_inline int tc_parse(struct __sk_buff *skb, struct guard_packet *pkt)
{
    __u32 tags_seen = skb->vlan_present ? 1 : 0;
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    int result = guard_parse(data, data_end, tags_seen, pkt);
    if (result != GUARD_PARSE_MALFORMED)
        return result;
    __u32 linear = data_end - data;
    __u32 length = skb->len;
    if (linear >= length || linear >= TC_PULL_LENGTH)
        return result;
    if (bpf_skb_pull_data(skb, length < TC_PULL_LENGTH ? length : TC_PULL_LENGTH) != 0)
        return result;
    __builtin_memset(pkt, 0, sizeof(*pkt));
    return guard_parse((void *)(long)skb->data, (void *)(long)skb->data_end, tags_seen, pkt);
}

#endif
