/* The guard's ABI: every struct, enum and flag shared by guard_xdp.bpf.c, guard_tc.bpf.c and the C# controller.
 * src/Sluice.Programs/Guard/Abi/ mirrors this file field by field; a test compares both against the objects' BTF,
 * so change them together. All addresses and ports are in network byte order; everything else is host order. */
#ifndef SLUICE_GUARD_H
#define SLUICE_GUARD_H

#include <linux/types.h>

/* Statistics slots: one per reason a packet got its verdict (per-CPU counters, map guard_stats). */
enum guard_reason {
    GUARD_REASON_PASSED = 0,          /* no rule matched, within every limit: default verdict (pass unless configured) */
    GUARD_REASON_ALLOWED = 1,         /* an allow rule matched: passed, rate limits skipped */
    GUARD_REASON_NOT_IP = 2,          /* neither IPv4 nor IPv6 (ARP, LLDP, ...): passed */
    GUARD_REASON_DENIED = 3,          /* a deny rule matched: dropped */
    GUARD_REASON_RATE_LIMITED = 4,    /* the source exceeded its packet rate: dropped */
    GUARD_REASON_SYN_LIMITED = 5,     /* the source exceeded its SYN rate: dropped */
    GUARD_REASON_BLOCKED = 6,         /* the source is temporarily blocked after exceeding a limit: dropped */
    GUARD_REASON_MALFORMED = 7,       /* truncated or malformed headers: config.malformed_verdict */
    GUARD_REASON_SUSPICIOUS = 8,      /* passed to TC with a suspicion mark in the metadata */
    GUARD_REASON_SYNCOOKIE_SENT = 9,  /* an over-limit SYN answered with a SYN cookie (XDP_TX) */
    GUARD_REASON_DEFAULT_DROP = 10,   /* no rule matched and config.default_verdict is drop */
    GUARD_REASON_TC_PASSED = 11,      /* TC stage: passed */
    GUARD_REASON_TC_CONN_RATE = 12,   /* TC stage: the source opened new TCP connections too fast: dropped */
    GUARD_REASON_TC_CONN_LIMIT = 13,  /* TC stage: the source holds too many concurrent TCP connections: dropped */
    GUARD_REASON_TC_SUSPICIOUS = 14,  /* TC stage: dropped because of an XDP suspicion mark in config.tc_drop_marks */
    GUARD_REASON_BLOCK_MAP_FULL = 15, /* over a limit and dropped, but guard_blocks was full: the block was not stored */
    GUARD_REASON_COUNT = 16
};

/* The verdict numbers used in guard_config (the XDP action values). */
#define GUARD_VERDICT_DROP 1 /* XDP_DROP */
#define GUARD_VERDICT_PASS 2 /* XDP_PASS */

/* guard_rule.actions bits. Both set means the same prefix is allowed and denied: allow wins. */
#define GUARD_ACTION_ALLOW 1
#define GUARD_ACTION_DENY 2

/* IPv4 any-port prefix rules (LPM trie guard_rules4; exact /32 addresses in hash guard_exact4). */
struct guard_prefix_v4 {
    __u32 prefixlen;  /* 0..32 */
    __u8 addr[4];
};

/* IPv6 any-port prefix rules (LPM trie guard_rules6; exact /128 addresses in hash guard_exact6). */
struct guard_prefix_v6 {
    __u32 prefixlen;  /* 0..128 */
    __u8 addr[16];
};

/* Protocol and port scoped rules (LPM tries guard_ports4/guard_ports6): the data is protocol, destination port,
 * source address, so prefixlen = 24 + address prefix length. A protocol-only rule has port 0 and is looked up
 * separately with port 0; port rules exist for TCP and UDP only. */
struct guard_port_prefix_v4 {
    __u32 prefixlen;  /* 24 + 0..32 */
    __u8 proto;       /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, ... */
    __u8 port[2];     /* destination port, network order; 0 = any port of proto */
    __u8 addr[4];
} __attribute__((packed));

struct guard_port_prefix_v6 {
    __u32 prefixlen;  /* 24 + 0..128 */
    __u8 proto;
    __u8 port[2];
    __u8 addr[16];
} __attribute__((packed));

/* The value of every rule map (exact hashes and LPM tries). The controller writes actions and prefixlen; the
 * programs only add to the counters (atomically: rules are shared by every CPU). */
struct guard_rule {
    __u8 actions;     /* GUARD_ACTION_* bits */
    __u8 prefixlen;   /* the source address prefix length (LPM lookups do not return it) */
    __u8 scope;       /* GUARD_SCOPE_*: how specific the rule is besides the address */
    __u8 pad;
    __u32 id;         /* controller-assigned, for status output; not used by the programs */
    __u64 packets;    /* hit counters */
    __u64 bytes;
};

/* Rule scopes, least to most specific. The winning rule has the longest address prefix; among equal lengths the
 * most specific scope; among equal scopes allow beats deny. */
#define GUARD_SCOPE_ANY 0    /* every protocol and port (guard_rules4/6, guard_exact4/6) */
#define GUARD_SCOPE_PROTO 1  /* one protocol, every port (guard_ports4/6 with port 0) */
#define GUARD_SCOPE_PORT 2   /* one protocol and destination port */

/* guard_config.flags */
#define GUARD_F_PORT_RULES_V4 (1u << 0) /* guard_ports4 is not empty: do the two extra lookups */
#define GUARD_F_PORT_RULES_V6 (1u << 1)
#define GUARD_F_SYNCOOKIES (1u << 2)    /* answer over-limit SYNs with SYN cookies instead of dropping them */
#define GUARD_F_METADATA (1u << 3)      /* write struct guard_meta in front of passed packets for the TC stage */
#define GUARD_F_TRACK_SOURCES (1u << 4) /* keep per-source packet counters even without rate limits (top sources) */

/* guard_meta.marks and guard_config.suspicious_marks / tc_drop_marks */
#define GUARD_MARK_ALLOWED (1u << 0)    /* an allow rule matched (TC skips connection limits) */
#define GUARD_MARK_FRAGMENT (1u << 1)   /* an IPv4 or IPv6 fragment */
#define GUARD_MARK_MALFORMED (1u << 2)  /* malformed but passed (malformed_verdict = pass) */
#define GUARD_MARK_UNMATCHED (1u << 3)  /* no rule matched */
#define GUARD_MARK_NEAR_LIMIT (1u << 4) /* the source used more than half of its packet burst */

/* The live configuration. guard_config is an array of two; guard_cfg_sel[0] names the active slot, so the
 * controller writes the inactive slot and flips the selector: a packet never sees half an update. */
struct guard_config {
    __u32 flags;              /* GUARD_F_* */
    __u8 malformed_verdict;   /* GUARD_VERDICT_*; default drop */
    __u8 default_verdict;     /* for packets no rule matched; default pass */
    __u16 sample_rate;        /* 1 in N dropped packets goes to guard_events; 0 = none */
    __u32 suspicious_marks;   /* GUARD_MARK_* bits that make XDP count a packet as suspicious */
    __u32 tc_drop_marks;      /* GUARD_MARK_* bits for which the TC stage drops the packet */
    __u64 pps_interval_ns;    /* per-source packet rate as a GCRA: 1e9 / pps; 0 = no packet limit */
    __u64 pps_tolerance_ns;   /* (burst - 1) * pps_interval_ns */
    __u64 syn_interval_ns;    /* per-source SYN rate (TCP SYN without ACK); 0 = no SYN limit */
    __u64 syn_tolerance_ns;
    __u64 block_ns;           /* block a source this long after it exceeds a limit; 0 = never block */
    __u64 conn_interval_ns;   /* TC: new TCP connections per source as a GCRA; 0 = no limit */
    __u64 conn_tolerance_ns;
    __u32 max_concurrent;     /* TC: concurrent TCP connections per source; 0 = no limit */
    __u32 generation;         /* bumped by the controller on every change, shown by `guard status` */
};

/* Per-source state (LRU hash guard_sources; IPv4 sources, and IPv6 packets from IPv4-mapped sources (the same
 * host), as IPv4-mapped IPv6 ::ffff:a.b.c.d). GCRA: a packet
 * at time now conforms when max(tat, now) - now <= tolerance; it then moves tat to max(tat, now) + interval. */
struct guard_source_key {
    __u8 addr[16];
};

struct guard_source {
    __u64 pkt_tat;
    __u64 syn_tat;
    __u64 blocked_until_ns;   /* bpf_ktime_get_ns() time; 0 = not blocked. A copy: guard_blocks holds the block */
    __u64 packets;            /* every packet seen from the source */
    __u64 bytes;
    __u64 dropped;            /* packets dropped by limits or blocks */
};

/* Per-CPU counters per reason (guard_stats). */
struct guard_counter {
    __u64 packets;
    __u64 bytes;
};

/* The metadata the XDP stage puts in front of a passed packet (bpf_xdp_adjust_meta) when GUARD_F_METADATA is set. */
#define GUARD_META_MAGIC 0x534c4344u /* "SLCD" */
struct guard_meta {
    __u32 magic;
    __u32 marks;              /* GUARD_MARK_* */
};

/* A sampled dropped packet (ring buffer guard_events). */
#define GUARD_EVENT_CAPTURE 128
struct guard_event {
    __u64 timestamp_ns;       /* bpf_ktime_get_ns() */
    __u32 reason;             /* enum guard_reason */
    __u32 ifindex;
    __u16 packet_length;
    __u16 captured;           /* bytes of data that hold the packet's start */
    __u32 pad;
    __u8 data[GUARD_EVENT_CAPTURE];
};

/* TC stage connection tracking (LRU hashes guard_slots and guard_tcp_flows).
 * A source's open connections are slots, not a counter, so they age without a sweeper: a slot is taken while its
 * expiry (seconds of bpf_ktime_get_ns()) is in the future. A SYN takes a slot for GUARD_CONN_SYN_TIMEOUT_S; the
 * client's first packet after it, and any later one, moves the expiry to GUARD_CONN_IDLE_TIMEOUT_S from then. The
 * low half of a slot is the tag of the flow that holds it, so a flow only ever refreshes or frees its own slot.
 * max_concurrent is at most GUARD_CONN_SLOTS. */
#define GUARD_CONN_SLOTS 64
#define GUARD_CONN_NO_SLOT 0xff
#define GUARD_CONN_SYN_TIMEOUT_S 30
#define GUARD_CONN_IDLE_TIMEOUT_S 600

struct guard_conn_source {
    __u64 conn_tat;
    __u64 slots[GUARD_CONN_SLOTS]; /* (expiry second << 32) | tag; free when the expiry is not after now */
};

struct guard_flow_key {
    __u8 saddr[16];           /* IPv4 as IPv4-mapped IPv6, like guard_source_key */
    __u8 daddr[16];
    __u16 sport;
    __u16 dport;
    __u8 proto;
    __u8 pad[3];
};

/* guard_flow.state */
#define GUARD_FLOW_SYN_SENT 0 /* only the client's SYN seen */
#define GUARD_FLOW_ACTIVE 1   /* the client sent more than its SYN */

struct guard_flow {
    __u64 created_ns;
    __u64 last_seen_ns;
    __u32 next_seq;           /* the client's next sequence number, host order: a FIN or RST must carry exactly it */
    __u32 tag;                /* nonzero; the low half of this flow's slot */
    __u8 slot;                /* index in guard_conn_source.slots; GUARD_CONN_NO_SLOT: none was free */
    __u8 state;               /* GUARD_FLOW_* */
    __u8 pad[6];
};

#endif
