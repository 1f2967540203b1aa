// Global data and sub-programs: .rodata knobs, .data/.bss variables, a custom .data.stats section, several
// programs in several sections, static and global .text functions called from two programs, and a
// __noinline function that lives in the same section as its caller.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 drop_protocol = 17;
const volatile __u64 packet_limit = 1000;
const volatile __u8 verbose = 0;

__u64 seen_packets = 1;
__u32 last_length = 7;

__u64 bss_counter;
__u32 bss_flags[4];

struct stats {
    __u64 passed;
    __u64 dropped;
};

struct stats stats SEC(".data.stats") = { .passed = 0x1111, .dropped = 0x2222 };

static __noinline __u64 count_packet(__u32 length)
{
    seen_packets++;
    last_length = length;
    return seen_packets;
}

__noinline int should_drop(__u32 protocol)
{
    if (bss_counter > packet_limit)
        return 1;
    return protocol == drop_protocol;
}

static __noinline int xdp_verdict(__u64 seen)
{
    if (verbose)
        bss_flags[1] = (__u32)seen;
    return XDP_PASS;
}

SEC("xdp")
int xdp_globals(struct xdp_md *ctx)
{
    __u32 length = ctx->data_end - ctx->data;
    __u64 seen = count_packet(length);
    bss_counter++;
    if (should_drop(length & 0xff)) {
        stats.dropped++;
        return XDP_DROP;
    }
    stats.passed++;
    return xdp_verdict(seen);
}

// A global __noinline function in a program section is both a program of its own and a callee of
// xdp_second, which lives in the same section. (libbpf 1.x only links calls into .text and refuses this
// object with "bad call relo"; Sluice links calls within a section too.)
SEC("xdp")
__noinline int xdp_same_section_helper(struct xdp_md *ctx)
{
    bss_flags[0] += ctx->ingress_ifindex;
    return XDP_PASS;
}

SEC("xdp")
int xdp_second(struct xdp_md *ctx)
{
    bss_flags[2]++;
    return xdp_same_section_helper(ctx);
}

SEC("tc")
int tc_globals(struct __sk_buff *skb)
{
    count_packet(skb->len);
    if (should_drop(skb->protocol))
        return 2; // TC_ACT_SHOT
    return 0;     // TC_ACT_OK
}

SEC("socket")
int socket_globals(struct __sk_buff *skb)
{
    bss_flags[3] = skb->len;
    return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
