// Verifier diagnostics fixture: reads packet data without comparing against data_end first.
// The line marked DIAG is where the verifier must point.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int diag_packet_bounds(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    __u8 first = *(volatile __u8 *)data; // DIAG packet-bounds
    return first == 0xff ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
