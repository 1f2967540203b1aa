/* sluice mirror (Mirror/README.md): copies the packets that match the classifier rules (every packet when there
 * are none) to another interface with bpf_clone_redirect, at TC ingress or egress. The original always goes on:
 * TC_ACT_OK. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "tc_parse.h"
#include "tc_classifier.h"

/* Where copies go: mirror_target[0]. */
struct mirror_target {
    __u32 ifindex;      /* where copies go (its egress); 0 = mirroring off */
    __u32 pad;
};

/* The mirror's counters, per CPU. */
struct mirror_counters {
    __u64 seen;         /* packets the program ran on */
    __u64 matched;      /* packets that matched (or all, without rules) */
    __u64 mirrored;     /* copies sent */
    __u64 bytes;        /* bytes of the copies sent */
    __u64 failed;       /* bpf_clone_redirect failed (target down or gone) */
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct mirror_target);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} mirror_target SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct mirror_counters);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} mirror_stats SEC(".maps");

SEC("tc")
int mirror_copy(struct __sk_buff *skb)
{
    __u32 zero = 0;
    struct mirror_target *target = bpf_map_lookup_elem(&mirror_target, &zero);
    struct cls_config *config = bpf_map_lookup_elem(&cls_config, &zero);
    struct mirror_counters *counters = bpf_map_lookup_elem(&mirror_stats, &zero);
    if (!target || !config || !counters || target->ifindex == 0)
        return TC_ACT_OK;
    counters->seen++;
    if (config->words != 0) {
        struct guard_packet pkt = {};
        if (tc_parse(skb, &pkt) != GUARD_PARSE_OK || cls_match(&pkt, config) < 0)
            return TC_ACT_OK;
    }
    counters->matched++;
    __u32 length = skb->len;
    if (bpf_clone_redirect(skb, target->ifindex, 0) == 0) {
        counters->mirrored++;
        counters->bytes += length;
    } else {
        counters->failed++;
    }
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
