// A pinned-by-name map and, after a good program, one the verifier rejects: a failed collection load must
// leave neither the pin nor any kernel object behind.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH); // not an array: 6.x verifiers know constant-key array lookups are non-NULL
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} reject_pinned SEC(".maps");

SEC("xdp")
int xdp_fine(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&reject_pinned, &key);
    if (value)
        *value += 1;
    return XDP_PASS;
}

SEC("xdp")
int xdp_rejected(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&reject_pinned, &key);
    return *value == 0 ? XDP_PASS : XDP_DROP; // no NULL check
}

char LICENSE[] SEC("license") = "GPL";
