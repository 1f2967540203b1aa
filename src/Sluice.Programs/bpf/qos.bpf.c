/* sluice qos (Qos/README.md): classifies packets at TC ingress or egress by the rules in tc_classifier.h, sets
 * skb->priority (and tc_classid) from the matching rule's action, optionally rewrites the DSCP (IPv4 with an
 * incremental header checksum update, IPv6 traffic class), and counts per rule. It never drops: TC_ACT_OK. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <stddef.h>
#include "tc_parse.h"
#include "tc_classifier.h"
#include "qos.h"

/* The ECN field (RFC 3168): the two low bits of the IPv4 TOS and of the IPv6 traffic class, never changed. */
#define QOS_ECN_BITS 0x3

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, QOS_ACTIONS);
    __type(key, __u32);
    __type(value, struct qos_action);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} qos_actions SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, QOS_ACTIONS);
    __type(key, __u32);
    __type(value, struct qos_counters);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} qos_stats SEC(".maps");

/* Rewrites the DSCP (upper six bits of the IPv4 TOS / IPv6 traffic class), keeping the two ECN bits.
 * Returns 1 when the packet changed, 0 when it already carried the DSCP, -1 when the header is not in the linear
 * data or a helper failed. The header is read in place; only a change goes through the helpers, which unclone the
 * skb (a direct write would make the verifier unclone every packet, marked or not). A separate function (not
 * inlined) so the verifier checks it once, not once per parser outcome. */
static __noinline int qos_set_dscp(struct __sk_buff *skb, __u32 offset, __u32 family, __u32 dscp)
{
    offset &= 0xff;     /* Ethernet + two VLAN tags: well inside */
    struct cursor c = tc_cursor_at(skb, offset);
    if (family == GUARD_FAMILY_IPV4) {
        struct iphdr *ip = CURSOR_TAKE(&c, struct iphdr);
        if (!ip)
            return -1;
        __u8 old = ip->tos, tos = (__u8)((dscp << 2) | (old & QOS_ECN_BITS));
        if (tos == old)
            return 0;
        /* The header checksum covers TOS as the low byte of the first 16-bit word: RFC 1624 update of that word
         * (the version/IHL byte beside it is unchanged, so the word's change is the TOS byte's). */
        if (bpf_l3_csum_replace(skb, offset + offsetof(struct iphdr, check), bpf_htons(old), bpf_htons(tos), 2) != 0)
            return -1;
        return bpf_skb_store_bytes(skb, offset + offsetof(struct iphdr, tos), &tos, 1, 0) == 0 ? 1 : -1;
    }
    /* IPv6: version(4) | traffic class(8) | flow label(20); the class is priority (4 bits) and the top of
     * flow_lbl[0], and no checksum covers it (the TCP/UDP pseudo-header does not include it). */
    struct ipv6hdr *ip = CURSOR_TAKE(&c, struct ipv6hdr);
    if (!ip)
        return -1;
    __u8 old = (__u8)((ip->priority << 4) | (ip->flow_lbl[0] >> 4));
    __u8 class = (__u8)((dscp << 2) | (old & QOS_ECN_BITS));
    if (class == old)
        return 0;
    __u8 head[2] = { (__u8)((ip->version << 4) | (class >> 4)), (__u8)(((class & 0x0f) << 4) | (ip->flow_lbl[0] & 0x0f)) };
    return bpf_skb_store_bytes(skb, offset, head, sizeof(head), 0) == 0 ? 1 : -1;
}

/* Parses and classifies: the rule index (QOS_DEFAULT_RULE when none matched) in bits 0..15, the IP family in bits
 * 16..23 (0 = not a parsed IP packet) and the IP header's offset in bits 24..31 + 32..39. A global function: the
 * verifier checks it once on its own, so the parser's many outcomes do not multiply with the action code below. */
__noinline __u64 qos_lookup(struct __sk_buff *skb)
{
    __u32 zero = 0;
    struct cls_config *config = bpf_map_lookup_elem(&cls_config, &zero);
    if (!skb || !config)
        return QOS_DEFAULT_RULE;
    struct guard_packet pkt = {};
    if (tc_parse(skb, &pkt) != GUARD_PARSE_OK)
        return QOS_DEFAULT_RULE;
    int rule = cls_match(&pkt, config);
    __u64 index = rule < 0 ? QOS_DEFAULT_RULE : (__u64)rule;
    return index | ((__u64)pkt.family << 16) | ((__u64)pkt.l3_offset << 24);
}

SEC("tc")
int qos_classify(struct __sk_buff *skb)
{
    __u64 found = qos_lookup(skb);
    __u32 index = (__u32)(found & 0xffff);
    __u32 family = (__u32)((found >> 16) & 0xff);
    __u32 l3_offset = (__u32)((found >> 24) & 0xffff);
    struct qos_action *action = bpf_map_lookup_elem(&qos_actions, &index);
    struct qos_counters *counters = bpf_map_lookup_elem(&qos_stats, &index);
    if (!action || !(action->flags & QOS_A_ENABLED))
        return TC_ACT_OK;
    skb->priority = action->priority;
    if (action->flags & QOS_A_CLASS_ID)
        skb->tc_classid = action->classid;
    int marked = 0;
    if ((action->flags & QOS_A_DSCP) && family != 0)
        marked = qos_set_dscp(skb, l3_offset, family, action->dscp);
    if (counters) {
        counters->packets++;
        counters->bytes += skb->len;
        if (marked > 0)
            counters->marked++;
        else if (marked < 0)
            counters->errors++;
    }
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
