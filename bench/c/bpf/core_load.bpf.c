// About 52 CO-RE field-offset relocations against real kernel structs (bench: object load time with CO-RE).
// The local structs name the kernel's fields in another order; the program sums their relocated offsets.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
    long pid;
    long tgid;
    long prio;
    long static_prio;
    long normal_prio;
    long rt_priority;
    long flags;
    char comm[16];
    void *real_parent;
    void *parent;
    void *group_leader;
    long exit_code;
    long exit_signal;
    long utime;
    long stime;
    long nvcsw;
    long nivcsw;
    long start_time;
    void *mm;
    void *active_mm;
    void *cred;
    void *fs;
    void *files;
    void *nsproxy;
    void *signal;
    long __state;
    long on_cpu;
    long recent_used_cpu;
    long wake_cpu;
    long policy;
} __attribute__((preserve_access_index));

struct sk_buff {
    long len;
    long data_len;
    long mac_len;
    long hdr_len;
    long protocol;
    long mark;
    long priority;
    long hash;
    void *data;
    void *head;
    long tail;
    long end;
    long skb_iif;
    long network_header;
    long transport_header;
    long mac_header;
} __attribute__((preserve_access_index));

struct sock_common {
    long skc_family;
    long skc_state;
    long skc_bound_dev_if;
} __attribute__((preserve_access_index));

struct net_device {
    long ifindex;
    long mtu;
    long flags;
} __attribute__((preserve_access_index));

SEC("xdp")
int core_load(struct xdp_md *ctx)
{
    struct task_struct *task_struct_p = 0;
    struct sk_buff *sk_buff_p = 0;
    struct sock_common *sock_common_p = 0;
    struct net_device *net_device_p = 0;
    __u64 sum = 0;

    sum += bpf_core_field_offset(task_struct_p->pid);
    sum += bpf_core_field_offset(task_struct_p->tgid);
    sum += bpf_core_field_offset(task_struct_p->prio);
    sum += bpf_core_field_offset(task_struct_p->static_prio);
    sum += bpf_core_field_offset(task_struct_p->normal_prio);
    sum += bpf_core_field_offset(task_struct_p->rt_priority);
    sum += bpf_core_field_offset(task_struct_p->flags);
    sum += bpf_core_field_offset(task_struct_p->comm);
    sum += bpf_core_field_offset(task_struct_p->real_parent);
    sum += bpf_core_field_offset(task_struct_p->parent);
    sum += bpf_core_field_offset(task_struct_p->group_leader);
    sum += bpf_core_field_offset(task_struct_p->exit_code);
    sum += bpf_core_field_offset(task_struct_p->exit_signal);
    sum += bpf_core_field_offset(task_struct_p->utime);
    sum += bpf_core_field_offset(task_struct_p->stime);
    sum += bpf_core_field_offset(task_struct_p->nvcsw);
    sum += bpf_core_field_offset(task_struct_p->nivcsw);
    sum += bpf_core_field_offset(task_struct_p->start_time);
    sum += bpf_core_field_offset(task_struct_p->mm);
    sum += bpf_core_field_offset(task_struct_p->active_mm);
    sum += bpf_core_field_offset(task_struct_p->cred);
    sum += bpf_core_field_offset(task_struct_p->fs);
    sum += bpf_core_field_offset(task_struct_p->files);
    sum += bpf_core_field_offset(task_struct_p->nsproxy);
    sum += bpf_core_field_offset(task_struct_p->signal);
    sum += bpf_core_field_offset(task_struct_p->__state);
    sum += bpf_core_field_offset(task_struct_p->on_cpu);
    sum += bpf_core_field_offset(task_struct_p->recent_used_cpu);
    sum += bpf_core_field_offset(task_struct_p->wake_cpu);
    sum += bpf_core_field_offset(task_struct_p->policy);
    sum += bpf_core_field_offset(sk_buff_p->len);
    sum += bpf_core_field_offset(sk_buff_p->data_len);
    sum += bpf_core_field_offset(sk_buff_p->mac_len);
    sum += bpf_core_field_offset(sk_buff_p->hdr_len);
    sum += bpf_core_field_offset(sk_buff_p->protocol);
    sum += bpf_core_field_offset(sk_buff_p->mark);
    sum += bpf_core_field_offset(sk_buff_p->priority);
    sum += bpf_core_field_offset(sk_buff_p->hash);
    sum += bpf_core_field_offset(sk_buff_p->data);
    sum += bpf_core_field_offset(sk_buff_p->head);
    sum += bpf_core_field_offset(sk_buff_p->tail);
    sum += bpf_core_field_offset(sk_buff_p->end);
    sum += bpf_core_field_offset(sk_buff_p->skb_iif);
    sum += bpf_core_field_offset(sk_buff_p->network_header);
    sum += bpf_core_field_offset(sk_buff_p->transport_header);
    sum += bpf_core_field_offset(sk_buff_p->mac_header);
    sum += bpf_core_field_offset(sock_common_p->skc_family);
    sum += bpf_core_field_offset(sock_common_p->skc_state);
    sum += bpf_core_field_offset(sock_common_p->skc_bound_dev_if);
    sum += bpf_core_field_offset(net_device_p->ifindex);
    sum += bpf_core_field_offset(net_device_p->mtu);
    sum += bpf_core_field_offset(net_device_p->flags);
    return sum & 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
