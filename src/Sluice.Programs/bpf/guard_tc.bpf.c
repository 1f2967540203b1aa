// PLACEHOLDER until the guard-tc branch lands: declares the maps so the ABI test and controller can load it.
#include <linux/pkt_cls.h>
#include "guard_maps.h"

SEC("tc")
int guard_tc(struct __sk_buff *skb)
{
    guard_count(GUARD_REASON_TC_PASSED, skb->len);
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
