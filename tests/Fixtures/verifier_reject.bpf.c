// An XDP program the verifier must reject: it reads packet data without checking it against data_end.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_unchecked_read(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    __u8 first = *(volatile __u8 *)data;
    return first == 0xff ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
