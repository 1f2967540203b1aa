// TC (TCX or cls_bpf direct-action) drop list for the attach tests: same logic as attach_xdp.bpf.c.
#include <linux/pkt_cls.h>
#include "attach_droplist.h"

SEC("tc")
int tc_drop_a(struct __sk_buff *skb)
{
    return classify((void *)(long)skb->data, (void *)(long)skb->data_end, 0) == 1 ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int tc_drop_b(struct __sk_buff *skb)
{
    return classify((void *)(long)skb->data, (void *)(long)skb->data_end, 1) == 1 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
