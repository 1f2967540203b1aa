// cgroup_skb and sock_addr programs for the cgroup attach tests: count egress packets, and count IPv4 connects while
// refusing those to port 9998 (the connect() of a process in the cgroup then fails with EPERM).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define SLOT_EGRESS 0
#define SLOT_CONNECT 1
#define REFUSED_PORT 9998

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} cgroup_counts SEC(".maps");

static __always_inline void count(__u32 slot)
{
    __u64 *value = bpf_map_lookup_elem(&cgroup_counts, &slot);
    if (value)
        __sync_fetch_and_add(value, 1);
}

SEC("cgroup_skb/egress")
int count_egress(struct __sk_buff *skb)
{
    count(SLOT_EGRESS);
    return 1; // let it go
}

SEC("cgroup_skb/egress")
int drop_egress(struct __sk_buff *skb)
{
    return 0; // the sender sees EPERM
}

SEC("cgroup/connect4")
int refuse_connect4(struct bpf_sock_addr *ctx)
{
    count(SLOT_CONNECT);
    return ctx->user_port == bpf_htons(REFUSED_PORT) ? 0 : 1;
}

char LICENSE[] SEC("license") = "GPL";
