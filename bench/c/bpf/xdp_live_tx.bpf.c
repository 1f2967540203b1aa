// The C baseline generator's program: every frame of a live-frames test run goes back out of the device it
// "arrived" on (XDP_TX), which the kernel turns into a transmission out of that device.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_live_tx(struct xdp_md *ctx)
{
    return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
