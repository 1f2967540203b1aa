// Every run emits one ring buffer event carrying a sequence number from a global counter, so N test runs
// give N events numbered 1..N in order. Odd runs use bpf_ringbuf_output, even runs reserve + submit.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
    __u64 sequence;
    __u32 packet_length;
    __u32 kind;
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} events SEC(".maps");

__u64 sequence_counter;

SEC("xdp")
int xdp_ringbuf(struct xdp_md *ctx)
{
    __u64 sequence = __sync_add_and_fetch(&sequence_counter, 1);
    __u32 length = ctx->data_end - ctx->data;

    if (sequence & 1) {
        struct event event = { .sequence = sequence, .packet_length = length, .kind = 1 };
        bpf_ringbuf_output(&events, &event, sizeof(event), 0);
        return XDP_PASS;
    }
    struct event *reserved = bpf_ringbuf_reserve(&events, sizeof(struct event), 0);
    if (!reserved)
        return XDP_PASS;
    reserved->sequence = sequence;
    reserved->packet_length = length;
    reserved->kind = 2;
    bpf_ringbuf_submit(reserved, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
