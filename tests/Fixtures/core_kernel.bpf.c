// CO-RE answers that differ from the compile-time ones: every local struct below deliberately has a layout unlike
// the kernel's, so a loader that does not relocate stores the wrong numbers. One XDP program stores each answer in
// slot N of the `results` array; `core_guarded` holds a relocation that cannot resolve on a dead branch.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___mine {
    int pid;            /* kernel: far into the struct */
    unsigned int prio;  /* kernel: int (signed) */
    char comm[4];       /* kernel: char comm[16] */
    int no_such_field;  /* kernel: absent */
} __attribute__((preserve_access_index));

struct sk_buff___mine {
    unsigned char pkt_type : 1; /* kernel: __u8 pkt_type:3 inside anonymous struct/union members */
} __attribute__((preserve_access_index));

struct sock_common___mine {
    unsigned short skc_dport; /* kernel: inside an anonymous union of an anonymous struct */
} __attribute__((preserve_access_index));

struct sock___mine {
    struct sock_common___mine __sk_common;
} __attribute__((preserve_access_index));

struct struct_nobody_has___mine {
    int x;
} __attribute__((preserve_access_index));

enum bpf_map_type___mine {
    BPF_MAP_TYPE_RINGBUF___mine = 1, /* kernel: 27 */
    BPF_MAP_TYPE_NOPE___mine = 2,    /* kernel: absent */
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 32);
    __type(key, __u32);
    __type(value, __u64);
} results SEC(".maps");

static __always_inline void put(__u32 slot, __u64 value)
{
    __u64 *cell = bpf_map_lookup_elem(&results, &slot);
    if (cell)
        *cell = value;
}

SEC("xdp")
int core_answers(struct xdp_md *ctx)
{
    struct task_struct___mine *task = 0;
    struct sk_buff___mine *skb = 0;
    struct sock___mine *sk = 0;

    put(0, bpf_core_field_offset(task->pid));
    put(1, bpf_core_field_size(task->comm));
    put(2, __builtin_preserve_field_info(task->prio, BPF_FIELD_SIGNED));
    put(3, bpf_core_field_exists(task->no_such_field));
    put(4, __builtin_preserve_field_info(skb->pkt_type, BPF_FIELD_LSHIFT_U64));
    put(5, __builtin_preserve_field_info(skb->pkt_type, BPF_FIELD_RSHIFT_U64));
    put(6, __builtin_preserve_field_info(skb->pkt_type, BPF_FIELD_BYTE_OFFSET));
    put(7, bpf_core_type_id_kernel(struct task_struct___mine));
    put(8, bpf_core_type_exists(struct struct_nobody_has___mine));
    put(9, bpf_core_type_size(struct task_struct___mine));
    put(10, bpf_core_enum_value_exists(enum bpf_map_type___mine, BPF_MAP_TYPE_NOPE___mine));
    put(11, bpf_core_enum_value(enum bpf_map_type___mine, BPF_MAP_TYPE_RINGBUF___mine));
    put(12, bpf_core_field_exists(task->pid));
    put(13, __builtin_preserve_field_info(skb->pkt_type, BPF_FIELD_BYTE_SIZE));
    put(14, bpf_core_field_offset(sk->__sk_common.skc_dport));
    put(15, bpf_core_field_offset(task->comm[2]));
    put(16, bpf_core_type_exists(struct task_struct___mine));
    put(17, bpf_core_enum_value_exists(enum bpf_map_type___mine, BPF_MAP_TYPE_RINGBUF___mine));
    return XDP_PASS;
}

SEC("xdp")
int core_guarded(struct xdp_md *ctx)
{
    struct task_struct___mine *task = 0;

    /* The kernel has no such field: the offset relocation is poisoned, on a branch the verifier sees is dead. */
    if (bpf_core_field_exists(task->no_such_field))
        put(20, bpf_core_field_offset(task->no_such_field));
    else
        put(20, 7);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
