/* The ABI of sluice ratelimit (RateLimit/README.md). The C# structs and enums are generated from the object's BTF,
 * these comments becoming their docs. */
#ifndef SLUICE_RATELIMIT_H
#define SLUICE_RATELIMIT_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define RL_MAX_LIMITS 1024

/* How a limit is enforced (rl_limit.mode), and the shape backend chosen at attach (rl_config.shaper). */
enum rl_mode : __u32 {
    RL_MODE_NONE = 0,       /* none (rl_config.shaper: no shape backend) */
    RL_MODE_POLICE = 1,     /* token bucket: over the limit is dropped */
    RL_MODE_SHAPE_EDT = 2,  /* earliest departure time in skb->tstamp (needs an fq qdisc to take effect) */
    RL_MODE_SHAPE_HTB = 3,  /* skb->priority = the limit's htb class, which the controller created */
};

#define RL_UNIT_BYTES 0
#define RL_UNIT_PACKETS 1

#define RL_F_SRC 0x1
#define RL_F_DST 0x2
#define RL_F_PORT 0x4
#define RL_F_CGROUP 0x8

#define RL_NSEC 1000000000ull

/* An LPM key on the address (IPv4 as ::ffff:a.b.c.d, prefix 96 + n). */
struct rl_prefix {
    __u32 prefixlen;
    __u8 addr[16];
};

/* rl_config[0]: what the program looks up. */
struct rl_config {
    __u32 flags;        /* RL_F_*: the key kinds some limit uses */
    __u32 generation;
    enum rl_mode shaper;    /* the shape backend chosen at attach: RL_MODE_SHAPE_EDT, RL_MODE_SHAPE_HTB or RL_MODE_NONE */
    __u32 pad;
};

#define RL_KEY_SRC 1
#define RL_KEY_DST 2
#define RL_KEY_PORT 3
#define RL_KEY_CGROUP 4

/* A limit's key as the controller wrote it, for listing and finding the slot (the program reads the lookup maps). */
struct rl_key {
    __u32 kind;         /* RL_KEY_*; 0 = slot unused */
    __u32 prefixlen;    /* src/dst: in the ::ffff: form for IPv4 */
    __u8 addr[16];
    __u64 cgroup_id;
    __u32 port;
    __u32 pad;
};

/* One limit: index into rl_limits, rl_buckets and rl_stats. */
struct rl_limit {
    __u64 rate;         /* units (bytes or packets) per second; 0 = slot unused */
    __u64 burst;        /* units: police bucket depth */
    __u64 horizon_ns;   /* EDT: a packet due later than now + horizon is dropped */
    enum rl_mode mode;
    __u32 unit;         /* RL_UNIT_* */
    __u32 classid;      /* RL_MODE_SHAPE_HTB: the htb class (major:minor) */
    __u32 pad;
};

/* Per-limit state, changed only under its lock so that CPUs neither lose nor double-spend tokens. */
struct rl_bucket {
    struct bpf_spin_lock lock;
    __u32 pad;
    __s64 credit;       /* police: tokens in unit-nanoseconds (units * 1e9), at most burst * 1e9; below 0 = debt */
    __u64 last_ns;      /* police: when credit was last refilled */
    __u64 next_ns;      /* EDT: the earliest departure time of the next packet */
};

/* Counters per limit, per CPU. */
struct rl_counters {
    __u64 packets;      /* packets that matched the limit's key */
    __u64 bytes;        /* their bytes */
    __u64 dropped;      /* police: over the limit; EDT: beyond the horizon */
    __u64 delayed;      /* EDT: departure set in the future; htb: classified into the limit's class */
};

#endif
