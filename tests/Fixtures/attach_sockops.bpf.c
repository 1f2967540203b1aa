// sock_ops counter for the cgroup attach tests: counts each callback by op code (BPF_SOCK_OPS_*).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 32);
    __type(key, __u32);
    __type(value, __u64);
} sockops_events SEC(".maps");

SEC("sockops")
int count_sockops(struct bpf_sock_ops *ops)
{
    __u32 op = ops->op;
    __u64 *count = bpf_map_lookup_elem(&sockops_events, &op);
    if (count)
        __sync_fetch_and_add(count, 1);
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
