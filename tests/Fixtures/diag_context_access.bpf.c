// Verifier diagnostics fixture: writes to a read-only field of the XDP context.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int diag_context_access(struct xdp_md *ctx)
{
    ctx->ingress_ifindex = 7; // DIAG context-access
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
