// PLACEHOLDER until the guard-xdp branch lands: declares the maps so the ABI test and controller can load it.
#include "guard_maps.h"

SEC("xdp")
int guard_xdp(struct xdp_md *ctx)
{
    struct guard_config *config = guard_active_config();
    if (!config)
        return XDP_PASS;
    guard_count(GUARD_REASON_PASSED, ctx->data_end - ctx->data);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
