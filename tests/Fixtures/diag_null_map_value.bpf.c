// Verifier diagnostics fixture: dereferences a map lookup result without checking it for NULL.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u64);
} packets SEC(".maps");

SEC("xdp")
int diag_null_map_value(struct xdp_md *ctx)
{
    __u32 slot = 0;
    __u64 *count = bpf_map_lookup_elem(&packets, &slot);
    *count += 1; // DIAG null-map-value
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
