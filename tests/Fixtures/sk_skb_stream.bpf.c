// sk_skb stream parser + stream verdict on a SOCKMAP. The parser takes each skb whole as
// one message; the verdict counts bytes and either passes the data to the socket it arrived on (redirect_mode 0) or
// redirects it into the receive queue of the socket in sock_map slot 1 (redirect_mode 1).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_SOCKMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} sock_map SEC(".maps");

// 0: bytes parsed, 1: bytes seen by the verdict, 2: verdict calls, 3: redirect_mode (set from user space)
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} skb_stats SEC(".maps");

static __always_inline void add(__u32 slot, __u64 amount)
{
    __u64 *value = bpf_map_lookup_elem(&skb_stats, &slot);
    if (value)
        __sync_fetch_and_add(value, amount);
}

SEC("sk_skb/stream_parser")
int skb_parser(struct __sk_buff *skb)
{
    add(0, skb->len);
    return skb->len;
}

SEC("sk_skb/stream_verdict")
int skb_verdict(struct __sk_buff *skb)
{
    add(1, skb->len);
    add(2, 1);
    __u32 mode_slot = 3;
    __u64 *mode = bpf_map_lookup_elem(&skb_stats, &mode_slot);
    if (mode && *mode == 1)
        return bpf_sk_redirect_map(skb, &sock_map, 1, BPF_F_INGRESS);
    return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
