// Tracing programs on TCP state changes, each counting the connect() calls (TCP_CLOSE -> TCP_SYN_SENT) made by
// one thread, whose id the test writes into `target_tid`: tp_btf, raw_tp and the perf tracepoint see the same
// transitions. `uprobe_hits` counts calls of a test binary's function. The XDP program sends one perf event
// array record per run (sequence numbers), and the kprobe exists to test the refusal on kernels without kprobes.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define TCP_SYN_SENT 2
#define TCP_CLOSE 7

struct counts {
    __u64 btf_tracepoint;
    __u64 raw_tracepoint;
    __u64 tracepoint;
    __u64 uprobe;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct counts);
} tracing_counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

struct perf_record {
    __u64 sequence;
    __u32 packet_length;
    __u32 magic;
};

__u32 target_tid;
__u64 perf_sequence;

static __always_inline struct counts *counts_for_target(void)
{
    __u32 zero = 0;
    if ((__u32)bpf_get_current_pid_tgid() != target_tid)
        return 0;
    return bpf_map_lookup_elem(&tracing_counts, &zero);
}

// inet_sock_set_state(const struct sock *sk, const int oldstate, const int newstate): arguments as u64 slots.
SEC("tp_btf/inet_sock_set_state")
int count_connects_btf(__u64 *ctx)
{
    struct counts *counts = counts_for_target();
    if (counts && (int)ctx[1] == TCP_CLOSE && (int)ctx[2] == TCP_SYN_SENT)
        __sync_fetch_and_add(&counts->btf_tracepoint, 1);
    return 0;
}

SEC("raw_tp/inet_sock_set_state")
int count_connects_raw(struct bpf_raw_tracepoint_args *ctx)
{
    struct counts *counts = counts_for_target();
    if (counts && (int)ctx->args[1] == TCP_CLOSE && (int)ctx->args[2] == TCP_SYN_SENT)
        __sync_fetch_and_add(&counts->raw_tracepoint, 1);
    return 0;
}

// The perf tracepoint's record (events/sock/inet_sock_set_state/format): oldstate at 16, newstate at 20.
struct inet_sock_set_state_record {
    __u64 common;
    const void *skaddr;
    int oldstate;
    int newstate;
};

SEC("tracepoint/sock/inet_sock_set_state")
int count_connects_tp(struct inet_sock_set_state_record *record)
{
    struct counts *counts = counts_for_target();
    if (counts && record->oldstate == TCP_CLOSE && record->newstate == TCP_SYN_SENT)
        __sync_fetch_and_add(&counts->tracepoint, 1);
    return 0;
}

SEC("uprobe")
int count_uprobe(void *ctx)
{
    __u32 zero = 0;
    struct counts *counts = bpf_map_lookup_elem(&tracing_counts, &zero);
    if (counts)
        __sync_fetch_and_add(&counts->uprobe, 1);
    return 0;
}

SEC("kprobe/tcp_v4_connect")
int probe_tcp_connect(void *ctx)
{
    return 0;
}

SEC("xdp")
int xdp_perf_output(struct xdp_md *ctx)
{
    struct perf_record record = {
        .sequence = __sync_add_and_fetch(&perf_sequence, 1),
        .packet_length = ctx->data_end - ctx->data,
        .magic = 0x5eed,
    };
    bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &record, sizeof(record));
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
