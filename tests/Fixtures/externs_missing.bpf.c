// A kconfig value no kernel has, declared without __weak: loading must fail naming the program and the symbol.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_SLUICE_NOT_A_REAL_OPTION __kconfig;

SEC("xdp")
int externs_missing(struct xdp_md *ctx)
{
    return CONFIG_SLUICE_NOT_A_REAL_OPTION ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
