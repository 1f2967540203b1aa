// Verifier diagnostics fixture: an XDP program calling a helper only TC programs may use.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int diag_helper_not_allowed(struct xdp_md *ctx)
{
    bpf_skb_vlan_push((struct __sk_buff *)ctx, 0x8100, 7); // DIAG helper-not-allowed
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
