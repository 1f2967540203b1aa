// Generator fixture: C types whose C# mirrors must match BTF byte for byte (nested structs, arrays of scalars,
// structs and arrays, unions, anonymous members, enums of every width, bitfields, padding, pointers), used as map
// keys and values, ring buffer events (anchored, since clang drops types only locals use) and globals.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum alert_level { ALERT_LEVEL_NONE = 0, ALERT_LEVEL_WARN = 1, ALERT_LEVEL_PAGE = 2 };
enum tiny : unsigned char { TINY_A = 1, TINY_B = 255 };
enum offset_sign { OFFSET_BACK = -4, OFFSET_AHEAD = 4 };
enum huge : unsigned long long { HUGE_BIT = 0x8000000000000000ULL };

/* What a flow has seen: a C enum named *_flags becomes a [Flags] enum. */
enum flow_flags : unsigned char {
    FLOW_F_SYN = 0x1,   /* a SYN went by */
    FLOW_F_FIN = 0x2,   /* a FIN went by */
};

struct flow_key {
    __u32 source;
    __u32 destination;
    __u16 source_port;
    __u16 destination_port;
    __u8 protocol;
    // 3 bytes of padding: the struct is 16 bytes
};

struct port_range {
    __u16 low;
    __u16 high;
};

struct flow_stats {
    __u64 packets;
    __u64 bytes;
    struct port_range ranges[2];
    __u8 mac[6];
    __u32 matrix[2][3];
    union {
        __u32 ipv4;
        __u8 ipv6[16];
    };
    enum alert_level level;
    enum tiny tiny;
    enum offset_sign sign;
    enum huge huge;
    unsigned int urgent : 1;
    unsigned int priority : 3;
    int delta : 12;
    char name[7];
    void *opaque;
};

/* One sampled packet: comments on a type, its members and enumerators become the XML docs of their mirrors. */
struct event {
    __u64 timestamp;        /* bpf_ktime_get_ns() */
    struct flow_key flow;
    /* The XDP action taken,
     * XDP_PASS or XDP_DROP. */
    __s32 verdict;
    enum flow_flags seen;
};

union address {
    __u32 v4;
    __u8 v6[16];
};

struct config {
    __u32 sample_rate;
    union address watch;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, struct flow_key);
    __type(value, struct flow_stats);
} flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 64);
    __type(key, union address);
    __type(value, __u64);
} recent SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, struct port_range);
} ranges SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

const volatile __u32 drop_protocol = 17;
const volatile struct config config = { .sample_rate = 100 };
__u64 packets_seen;
struct flow_key last_flow = { .protocol = 6 };
struct event *unused_event __attribute__((unused));

SEC("xdp")
int gen_layout(struct xdp_md *ctx)
{
    struct flow_key key;
    __builtin_memset(&key, 0, sizeof(key)); // padding too: it is part of the hash key
    key.protocol = (__u8)drop_protocol;
    struct flow_stats *stats = bpf_map_lookup_elem(&flows, &key);
    packets_seen++;
    if (stats) {
        stats->packets++;
        stats->priority = config.sample_rate & 7;
    }
    struct event *event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
    if (event) {
        event->timestamp = bpf_ktime_get_ns();
        event->flow = key;
        event->verdict = XDP_PASS;
        event->seen = FLOW_F_SYN;
        bpf_ringbuf_submit(event, 0);
    }
    last_flow = key;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
