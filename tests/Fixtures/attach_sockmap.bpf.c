// sk_msg program for the socket-map attach tests: redirects every message sent on a socket in sock_hash to the
// receive queue of the socket stored under the sender's remote port, i.e. straight to its peer, and counts bytes.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
    __uint(type, BPF_MAP_TYPE_SOCKHASH);
    __uint(max_entries, 16);
    __type(key, __u32);   // the socket's local port, host byte order
    __type(value, __u64); // socket (fd from user space)
} sock_hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);   // 0: messages, 1: bytes
    __type(value, __u64);
} msg_stats SEC(".maps");

static __always_inline void add(__u32 slot, __u64 amount)
{
    __u64 *value = bpf_map_lookup_elem(&msg_stats, &slot);
    if (value)
        __sync_fetch_and_add(value, amount);
}

SEC("sk_msg")
int redirect_peer(struct sk_msg_md *msg)
{
    __u32 peer = bpf_ntohl(msg->remote_port);
    add(0, 1);
    add(1, msg->size);
    return bpf_msg_redirect_hash(msg, &sock_hash, &peer, BPF_F_INGRESS);
}

char LICENSE[] SEC("license") = "GPL";
