/* XDP_PASS for every frame. Attached natively to the far end of a veth whose near end answers with XDP_TX: veth
 * only flushes XDP_TX frames into a peer that runs an XDP program of its own (GRO alone leaves them queued until
 * the next ordinary packet), so the reflector's replies need this program on the other side. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
