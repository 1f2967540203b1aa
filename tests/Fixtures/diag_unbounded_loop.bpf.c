// Verifier diagnostics fixture: a loop that never ends; the verifier sees the same state twice.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

volatile __u32 spins;

SEC("xdp")
int diag_unbounded_loop(struct xdp_md *ctx)
{
    for (;;) { // DIAG unbounded-loop
        spins = 1;
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
