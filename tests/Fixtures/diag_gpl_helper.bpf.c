// Verifier diagnostics fixture: a non-GPL program calling a GPL-only helper (bpf_trace_printk).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int diag_gpl_helper(struct xdp_md *ctx)
{
    bpf_printk("packet"); // DIAG gpl-helper
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Proprietary";
