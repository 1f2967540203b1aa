// Verifier diagnostics fixture: a helper reads a 16-byte key from an 8-byte stack slot, past the frame's top.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct wide_key {
    __u64 high;
    __u64 low;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, struct wide_key);
    __type(value, __u64);
} seen SEC(".maps");

SEC("xdp")
int diag_stack_bounds(struct xdp_md *ctx)
{
    __u64 narrow_key = ctx->ingress_ifindex;
    __u64 *value = bpf_map_lookup_elem(&seen, &narrow_key); // DIAG stack-bounds
    return value ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
