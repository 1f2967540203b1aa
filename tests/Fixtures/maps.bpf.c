// One BTF-defined map of every type the kernel lab lists as working, each referenced from a program.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow_key {
    __u32 source;
    __u32 destination;
    __u16 source_port;
    __u16 destination_port;
    __u8 protocol;
    __u8 padding[3];
};

struct lpm_v4_key {
    __u32 prefix_length;
    __u32 address;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, struct flow_key);
    __type(value, __u64);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} array_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __uint(max_entries, 128);
    __type(key, __u32);
    __type(value, __u32);
} percpu_hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} percpu_array SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 256);
    __type(key, __u64);
    __type(value, __u32);
} lru_hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, __u64);
} lru_percpu_hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, 10000);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct lpm_v4_key);
    __type(value, __u32);
} lpm_trie SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __uint(max_entries, 8);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} devmap SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, struct bpf_devmap_val);
} devmap_hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_CPUMAP);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, struct bpf_cpumap_val);
} cpumap SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_SOCKMAP);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u32);
} sockmap SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_SOCKHASH);
    __uint(max_entries, 64);
    __type(key, __u64);
    __type(value, __u64);
} sockhash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} ringbuf SEC(".maps");

int tail_target(struct xdp_md *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, int (void *));
} jump_table SEC(".maps") = {
    .values = { [1] = (void *)&tail_target },
};

struct inner_array {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u32);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 3);
    __type(key, __u32);
    __array(values, struct inner_array);
} outer_array SEC(".maps") = {
    .values = { [0] = &inner_a, [2] = &inner_b },
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
    __uint(max_entries, 5);
    __type(key, __u32);
    __array(values, struct inner_array);
} outer_hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u32);
} xsks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __uint(max_entries, 32);
    __type(value, __u32);
} queue SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_STACK);
    __uint(max_entries, 32);
    __type(value, __u64);
} stack SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
    __uint(max_entries, 100);
    __uint(map_extra, 3);
    __type(value, __u32);
} bloom SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
    return XDP_PASS;
}

SEC("xdp")
int use_maps(struct xdp_md *ctx)
{
    __u32 zero = 0;
    __u64 key64 = 0;
    __u32 value = 1;
    struct flow_key flow = {};
    struct lpm_v4_key prefix = { .prefix_length = 32 };

    if (bpf_map_lookup_elem(&flows, &flow)) value++;
    if (bpf_map_lookup_elem(&array_map, &zero)) value++;
    if (bpf_map_lookup_elem(&percpu_hash, &zero)) value++;
    if (bpf_map_lookup_elem(&percpu_array, &zero)) value++;
    if (bpf_map_lookup_elem(&lru_hash, &key64)) value++;
    if (bpf_map_lookup_elem(&lru_percpu_hash, &zero)) value++;
    if (bpf_map_lookup_elem(&lpm_trie, &prefix)) value++;
    if (bpf_map_lookup_elem(&outer_array, &zero)) value++;
    if (bpf_map_lookup_elem(&outer_hash, &zero)) value++;
    if (bpf_map_lookup_elem(&inner_a, &zero)) value++;
    if (bpf_map_lookup_elem(&inner_b, &zero)) value++;
    bpf_map_push_elem(&queue, &value, 0);
    bpf_map_push_elem(&stack, &key64, 0);
    bpf_map_push_elem(&bloom, &value, 0);
    bpf_ringbuf_output(&ringbuf, &value, sizeof(value), 0);
    bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &value, sizeof(value));
    bpf_tail_call(ctx, &jump_table, 1);
    if (value == 100)
        return bpf_redirect_map(&xsks, 0, XDP_PASS);
    if (value == 101)
        return bpf_redirect_map(&cpumap, 0, XDP_PASS);
    if (value == 102)
        return bpf_redirect_map(&devmap_hash, 0, XDP_PASS);
    return bpf_redirect_map(&devmap, 0, XDP_PASS);
}

SEC("sk_msg")
int use_sock_maps(struct sk_msg_md *msg)
{
    __u64 key = 0;
    if (msg->size == 1)
        return bpf_msg_redirect_map(msg, &sockmap, 0, 0);
    return bpf_msg_redirect_hash(msg, &sockhash, &key, 0);
}

char LICENSE[] SEC("license") = "GPL";
