// A prog-array filled from the object (.values) and a tail call through it: the entry program's verdict is
// the target's (XDP_DROP) only when the loader filled slot 0.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int xdp_tail_target(struct xdp_md *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __array(values, int (void *));
} tail_table SEC(".maps") = {
    .values = { [0] = (void *)&xdp_tail_target },
};

SEC("xdp")
int xdp_tail_target(struct xdp_md *ctx)
{
    return XDP_DROP;
}

SEC("xdp")
int xdp_tail_entry(struct xdp_md *ctx)
{
    bpf_tail_call(ctx, &tail_table, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
