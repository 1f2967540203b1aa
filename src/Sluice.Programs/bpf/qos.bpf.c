/* sluice qos (Qos/README.md): classifies packets at TC ingress or egress by the rules in tc_classifier.h, sets
 * skb->priority (and tc_classid) from the matching rule's action, optionally rewrites the DSCP (IPv4 with an
 * incremental header checksum update, IPv6 traffic class), and counts per rule. It never drops: TC_ACT_OK. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "tc_parse.h"
#include "tc_classifier.h"
#include "qos.h"

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
 * Returns 1 when the packet changed, 0 when it already carried the DSCP, -1 when a helper failed.
 * A separate function (not inlined) so the verifier checks it once, not once per parser outcome. */
static __noinline int qos_set_dscp(struct __sk_buff *skb, __u32 offset, __u32 family, __u32 dscp)
{
    __u8 head[2];
    if (offset > 512)
        return -1;
    if (bpf_skb_load_bytes(skb, offset, head, 2) != 0)
        return -1;
    if (family == GUARD_FAMILY_IPV4) {
        __u8 tos = (__u8)((dscp << 2) | (head[1] & 0x3));
        if (tos == head[1])
            return 0;
        __u8 updated[2] = { head[0], tos };
        /* The header checksum covers the 16-bit word version/IHL + TOS: RFC 1624 update of that word. */
        if (bpf_l3_csum_replace(skb, offset + 10, *(__u16 *)head, *(__u16 *)updated, 2) != 0)
            return -1;
        return bpf_skb_store_bytes(skb, offset + 1, &tos, 1, 0) == 0 ? 1 : -1;
    }
    /* IPv6: version(4) | traffic class(8) | flow label(20); the class straddles bytes 0 and 1, and no checksum
     * covers it (the TCP/UDP pseudo-header does not include it). */
    __u8 old_class = (__u8)(((head[0] & 0x0f) << 4) | (head[1] >> 4));
    __u8 new_class = (__u8)((dscp << 2) | (old_class & 0x3));
    if (new_class == old_class)
        return 0;
    __u8 updated[2] = { (__u8)((head[0] & 0xf0) | (new_class >> 4)), (__u8)((head[1] & 0x0f) | ((new_class & 0x0f) << 4)) };
    return bpf_skb_store_bytes(skb, offset, updated, 2, 0) == 0 ? 1 : -1;
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
