// SEC("tc"): sets skb->mark and skb->priority from .rodata knobs and returns TC_ACT_OK, or drops every
// packet when the drop_all knob is set.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 mark_value = 0x5a;
const volatile __u32 priority_value = 3;
const volatile __u8 drop_all = 0;

SEC("tc")
int tc_mark(struct __sk_buff *skb)
{
    if (drop_all)
        return TC_ACT_SHOT;
    skb->mark = mark_value;
    skb->priority = priority_value;
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
