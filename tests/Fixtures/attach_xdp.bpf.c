// XDP drop list for the attach tests: drops IPv4 UDP from sources in drop_sources, passes the rest.
// Two identical variants count into different slots, so an atomic replacement shows who handled each packet.
#include "attach_droplist.h"

SEC("xdp")
int xdp_drop_a(struct xdp_md *ctx)
{
    return classify((void *)(long)ctx->data, (void *)(long)ctx->data_end, 0) == 1 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_drop_b(struct xdp_md *ctx)
{
    return classify((void *)(long)ctx->data, (void *)(long)ctx->data_end, 1) == 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
