// A kfunc no kernel has, declared without __weak: loading must fail naming the program and the symbol.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_sluice_no_such_kfunc(void) __ksym;

SEC("xdp")
int externs_missing_ksym(struct xdp_md *ctx)
{
    bpf_sluice_no_such_kfunc();
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
