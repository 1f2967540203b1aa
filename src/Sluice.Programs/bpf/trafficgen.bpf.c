// The packet generator's frame writer, run by BPF_PROG_RUN in live-frames mode: each run stamps the next source
// address and port of the configured ranges into the template frame, fixes the checksums and returns XDP_TX, which
// the live-frames runner turns into a transmission out of the device the run names as ingress.
//
// The kernel fills each page of its frame pool from the template once and recycles it without copying again, so
// every field written here is an absolute value computed from the template's constants (never an adjustment of
// whatever the page holds from its previous use).
//
// Cost matters here: the live-frames runner spends ~40 ns per frame on a bare XDP_TX, so every nanosecond the writer
// adds is ~2 % of the generator's rate. Hence no division (the position in the ranges is kept as two wrapping
// counters), no helper call (XDP_TX instead of bpf_redirect) and nothing at all to write when the ranges hold one
// address and one port (the branches on .rodata constants are removed by the verifier).
#include "parsing.h"

/* Set before load by the controller (TrafficFrameWriter); all numbers host order. */
const volatile __u8 is_ipv6 = 0;
const volatile __u8 is_tcp = 0;
/* Source address: the template's (low 32 bits for IPv6) plus (sequence mod source_count). */
const volatile __u32 source_base = 0;
const volatile __u32 source_count = 1;
/* Source port: port_base plus (sequence / source_count mod port_count). */
const volatile __u16 port_base = 0;
const volatile __u32 port_count = 1;
/* The template's checksums, for the source_base / port_base it carries. */
const volatile __u16 ip_checksum = 0;
const volatile __u16 l4_checksum = 0;

/* Frames written so far: the controller reads it to know exactly how many runs a signal-interrupted call made. */
__u64 frames_written = 0;
/* Frame frames_written's place in the ranges: (frames_written mod source_count, frames_written / source_count mod
 * port_count), advanced by counting instead of dividing. */
__u32 next_source = 0;
__u32 next_port = 0;

/* RFC 1624 eqn. 3: the one's-complement sum after 16-bit word old became new. */
static __always_inline __u32 csum_replace(__u32 sum, __u16 old, __u16 new)
{
    return sum + (__u16)~old + new;
}

static __always_inline __u16 csum_finish(__u32 sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return ~sum;
}

SEC("xdp")
int trafficgen_write(struct xdp_md *ctx)
{
    frames_written++;
    if (source_count == 1 && port_count == 1)
        return XDP_TX; /* every frame is the template */

    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    __u32 address = source_base + next_source;
    __u16 port = port_base + (__u16)next_port;
    if (++next_source >= source_count) {
        next_source = 0;
        if (++next_port >= port_count)
            next_port = 0;
    }
    __u32 l3 = sizeof(struct ethhdr);
    __u32 l4 = l3 + (is_ipv6 ? 40 : 20);
    /* IPv4 source at 12, IPv6 source at 8: the varied 32 bits are the address's last four bytes. */
    __u32 source_offset = l3 + (is_ipv6 ? 8 + 12 : 12);
    __u32 checksum_offset = l4 + (is_tcp ? 16 : 6);

    if (data + l4 + sizeof(struct tcphdr) > end && (is_tcp || data + l4 + sizeof(struct udphdr) > end))
        return XDP_ABORTED;
    if (data + source_offset + 4 > end || data + checksum_offset + 2 > end || data + l4 + 2 > end)
        return XDP_ABORTED;

    __u16 old_high = source_base >> 16, old_low = source_base & 0xffff;
    __u16 new_high = address >> 16, new_low = address & 0xffff;
    *(__be32 *)(data + source_offset) = bpf_htonl(address);
    *(__be16 *)(data + l4) = bpf_htons(port);

    if (!is_ipv6) {
        if (data + l3 + 12 > end)
            return XDP_ABORTED;
        __u32 sum = (__u16)~ip_checksum;
        sum = csum_replace(sum, old_high, new_high);
        sum = csum_replace(sum, old_low, new_low);
        *(__be16 *)(data + l3 + 10) = bpf_htons(csum_finish(sum));
    }

    __u32 sum = (__u16)~l4_checksum;
    sum = csum_replace(sum, old_high, new_high);
    sum = csum_replace(sum, old_low, new_low);
    sum = csum_replace(sum, port_base, port);
    __u16 checksum = csum_finish(sum);
    if (!is_tcp && checksum == 0)
        checksum = 0xffff; /* UDP: 0 means "no checksum" */
    *(__be16 *)(data + checksum_offset) = bpf_htons(checksum);

    return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
