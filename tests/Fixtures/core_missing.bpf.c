// A reachable CO-RE relocation against a field the kernel does not have: loading must fail and say which
// program, which C line and which field.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___mine {
    int no_such_field;
} __attribute__((preserve_access_index));

SEC("xdp")
int core_missing(struct xdp_md *ctx)
{
    struct task_struct___mine *task = 0;
    __u32 offset;

    if (ctx->data_end == ctx->data)
        return XDP_ABORTED;
    offset = bpf_core_field_offset(task->no_such_field); // MISSING FIELD
    return offset + ctx->data > 100 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
