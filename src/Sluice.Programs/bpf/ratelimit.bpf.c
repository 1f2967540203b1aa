/* sluice ratelimit (RateLimit/README.md): per-key limits at TC ingress or egress. A packet's key is looked up in
 * this order, the first hit deciding: cgroup (bpf_skb_cgroup_id, egress only), source prefix, destination prefix,
 * destination port. Its limit then polices (token bucket, drop when empty), shapes by earliest departure time
 * (skb->tstamp, drop beyond a horizon) or classifies into the limit's htb class (skb->priority), by the limit's
 * mode. Buckets change only under the limit's bpf_spin_lock: concurrent CPUs cannot lose or double-spend tokens. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "tc_parse.h"
#include "ratelimit.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct rl_config);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} rl_config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, RL_MAX_LIMITS);
    __type(key, struct rl_prefix);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} rl_src SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, RL_MAX_LIMITS);
    __type(key, struct rl_prefix);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} rl_dst SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, RL_MAX_LIMITS);
    __type(key, __u32);         /* destination port, host order */
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} rl_port SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, RL_MAX_LIMITS);
    __type(key, __u64);         /* cgroup v2 id (the directory's inode number) */
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} rl_cgroup SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, RL_MAX_LIMITS);
    __type(key, __u32);
    __type(value, struct rl_limit);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} rl_limits SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, RL_MAX_LIMITS);
    __type(key, __u32);
    __type(value, struct rl_bucket);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} rl_buckets SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, RL_MAX_LIMITS);
    __type(key, __u32);
    __type(value, struct rl_key);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} rl_keys SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, RL_MAX_LIMITS);
    __type(key, __u32);
    __type(value, struct rl_counters);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} rl_stats SEC(".maps");

/* The limit index for the packet, or -1. */
static __always_inline int rl_find(struct __sk_buff *skb, const struct rl_config *config)
{
    __u32 *index;
    if (config->flags & RL_F_CGROUP) {
        __u64 id = bpf_skb_cgroup_id(skb);
        if (id && (index = bpf_map_lookup_elem(&rl_cgroup, &id)))
            return (int)*index;
    }
    if (!(config->flags & (RL_F_SRC | RL_F_DST | RL_F_PORT)))
        return -1;
    struct guard_packet pkt = {};
    if (tc_parse(skb, &pkt) != GUARD_PARSE_OK)
        return -1;
    struct rl_prefix key = { .prefixlen = 128 };
    if (config->flags & RL_F_SRC) {
        __builtin_memcpy(key.addr, pkt.saddr.bytes, 16);
        if ((index = bpf_map_lookup_elem(&rl_src, &key)))
            return (int)*index;
    }
    if (config->flags & RL_F_DST) {
        __builtin_memcpy(key.addr, pkt.daddr.bytes, 16);
        if ((index = bpf_map_lookup_elem(&rl_dst, &key)))
            return (int)*index;
    }
    if ((config->flags & RL_F_PORT) && pkt.has_ports) {
        __u32 port = bpf_ntohs(pkt.dport);
        if ((index = bpf_map_lookup_elem(&rl_port, &port)))
            return (int)*index;
    }
    return -1;
}

/* Token bucket: 1 when the packet conforms (its cost is taken), 0 when it must be dropped. A packet bigger than the
 * whole bucket (a GSO/GRO aggregate at a low rate) may leave a full bucket and put it into debt, which the refill pays
 * back before anything else passes: the long-run rate stays exact and such packets are not dropped for ever. */
static __always_inline int rl_police(struct rl_bucket *bucket, const struct rl_limit *limit, __u64 cost, __u64 now)
{
    __s64 capacity = (__s64)(limit->burst * RL_NSEC);
    __u64 rate = limit->rate;
    __s64 price = (__s64)(cost * RL_NSEC);
    int conforms = 0;
    bpf_spin_lock(&bucket->lock);
    __u64 elapsed = now > bucket->last_ns ? now - bucket->last_ns : 0;
    __s64 credit = bucket->credit;
    /* Once the time to fill the bucket has passed it is full; below it elapsed * rate cannot overflow. */
    __u64 missing = credit < capacity ? (__u64)(capacity - credit) : 0;
    if (elapsed >= missing / rate)
        credit = capacity;
    else
        credit += (__s64)(elapsed * rate);
    if (credit >= price || (price > capacity && credit == capacity)) {
        credit -= price;
        conforms = 1;
    }
    bucket->credit = credit;
    if (now > bucket->last_ns)
        bucket->last_ns = now;
    bpf_spin_unlock(&bucket->lock);
    return conforms;
}

/* Earliest departure time: the packet leaves at max(now, the key's next slot); the slot advances by the packet's
 * transmission time at the rate. Returns the departure time, or 0 when it lies beyond the horizon (drop). */
static __always_inline __u64 rl_departure(struct rl_bucket *bucket, const struct rl_limit *limit, __u64 cost, __u64 now)
{
    __u64 delay = cost * RL_NSEC / limit->rate;
    __u64 departure;
    bpf_spin_lock(&bucket->lock);
    departure = bucket->next_ns > now ? bucket->next_ns : now;
    if (departure - now > limit->horizon_ns)
        departure = 0;
    else
        bucket->next_ns = departure + delay;
    bpf_spin_unlock(&bucket->lock);
    return departure;
}

/* What a packet weighs on the wire, as htb and tbf count it (qdisc_pkt_len_init): a GSO packet leaves as gso_segs
 * frames, each with its own headers. Charging skb->len alone would let a TCP flow of 1,448-byte segments through a
 * policer about 4.5 % faster than the rate. */
static __always_inline __u64 rl_wire_length(struct __sk_buff *skb)
{
    __u64 length = skb->len;
    __u32 segments = skb->gso_segs;
    if (segments <= 1)
        return length;
    struct guard_packet pkt = {};
    if (tc_parse(skb, &pkt) != GUARD_PARSE_OK || !pkt.has_l4)
        return length;
    return length + (__u64)(segments - 1) * (pkt.l4_offset + pkt.l4_length);
}

SEC("tc")
int ratelimit_tc(struct __sk_buff *skb)
{
    __u32 zero = 0;
    struct rl_config *config = bpf_map_lookup_elem(&rl_config, &zero);
    if (!config || config->flags == 0)
        return TC_ACT_OK;
    int found = rl_find(skb, config);
    if (found < 0)
        return TC_ACT_OK;
    __u32 index = (__u32)found;
    struct rl_limit *limit = bpf_map_lookup_elem(&rl_limits, &index);
    struct rl_bucket *bucket = bpf_map_lookup_elem(&rl_buckets, &index);
    struct rl_counters *counters = bpf_map_lookup_elem(&rl_stats, &index);
    if (!limit || !bucket || !counters || limit->rate == 0)
        return TC_ACT_OK;
    counters->packets++;
    if (limit->mode == RL_MODE_SHAPE_HTB) {
        counters->bytes += skb->len;
        skb->priority = limit->classid;
        counters->delayed++;
        return TC_ACT_OK;
    }
    __u64 length = rl_wire_length(skb);
    __u64 cost = limit->unit == RL_UNIT_PACKETS ? 1 : length;
    counters->bytes += length;
    __u64 now = bpf_ktime_get_ns();
    if (limit->mode == RL_MODE_SHAPE_EDT) {
        __u64 departure = rl_departure(bucket, limit, cost, now);
        if (departure == 0) {
            counters->dropped++;
            return TC_ACT_SHOT;
        }
        if (departure > now) {
            if (departure > skb->tstamp)
                skb->tstamp = departure;
            counters->delayed++;
        }
        return TC_ACT_OK;
    }
    if (rl_police(bucket, limit, cost, now))
        return TC_ACT_OK;
    counters->dropped++;
    return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
