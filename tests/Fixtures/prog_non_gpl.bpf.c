// A non-GPL object calling a GPL-only helper (bpf_trace_printk via bpf_printk): the kernel refuses it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_printk(struct xdp_md *ctx)
{
    bpf_printk("packet");
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Proprietary";
