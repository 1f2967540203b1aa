// A LIBBPF_PIN_BY_NAME counter shared by every load of this object: each XDP run adds one under key 0.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_runs SEC(".maps");

SEC("xdp")
int xdp_count_shared(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 one = 1;
    __u64 *runs = bpf_map_lookup_elem(&shared_runs, &key);
    if (runs)
        __sync_fetch_and_add(runs, 1);
    else
        bpf_map_update_elem(&shared_runs, &key, &one, BPF_NOEXIST);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
