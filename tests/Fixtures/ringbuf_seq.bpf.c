// Ring buffer producer for the reader's tests and benchmarks. Every program run takes the next sequence number
// (1, 2, 3, ...) and emits one record that starts with it, so a reader can check order and loss exactly.
// A run whose reservation fails (ring full) counts the sequence number in `dropped` instead:
// emitted = received + dropped.
//   ringbuf_seq      16-byte record via bpf_ringbuf_reserve + submit
//   ringbuf_sized    record as long as the test-run packet (14..255 bytes), via bpf_ringbuf_output, so record
//                    footprints do not divide the ring and records wrap at odd offsets
//   ringbuf_discard  reserves every run but discards odd sequence numbers, submits even ones
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_RECORD 255

struct ringbuf_seq_event {
    __u64 sequence;
    __u64 marker;
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");

// Scratch space for variable-length records: the verifier needs a buffer of at least the largest size.
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u8[MAX_RECORD + 1]);
} scratch SEC(".maps");

__u64 sequence_counter;
__u64 dropped;

#define RINGBUF_SEQ_MARKER 0x5eb1ceda7a000000ULL

SEC("xdp")
int ringbuf_seq(struct xdp_md *ctx)
{
    __u64 sequence = __sync_add_and_fetch(&sequence_counter, 1);
    struct ringbuf_seq_event *event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
    if (!event) {
        __sync_fetch_and_add(&dropped, 1);
        return XDP_PASS;
    }
    event->sequence = sequence;
    event->marker = RINGBUF_SEQ_MARKER;
    bpf_ringbuf_submit(event, 0);
    return XDP_PASS;
}

SEC("xdp")
int ringbuf_sized(struct xdp_md *ctx)
{
    __u64 sequence = __sync_add_and_fetch(&sequence_counter, 1);
    __u32 zero = 0;
    __u8 *buffer = bpf_map_lookup_elem(&scratch, &zero);
    if (!buffer)
        return XDP_ABORTED;
    __u64 size = ctx->data_end - ctx->data;
    if (size < sizeof(__u64))
        size = sizeof(__u64);
    if (size > MAX_RECORD)
        size = MAX_RECORD;
    __builtin_memcpy(buffer, &sequence, sizeof(sequence));
    // The byte after the sequence number repeats the record length so the reader can check it.
    buffer[sizeof(__u64)] = (__u8)size;
    if (bpf_ringbuf_output(&events, buffer, size, 0))
        __sync_fetch_and_add(&dropped, 1);
    return XDP_PASS;
}

SEC("xdp")
int ringbuf_discard(struct xdp_md *ctx)
{
    __u64 sequence = __sync_add_and_fetch(&sequence_counter, 1);
    struct ringbuf_seq_event *event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
    if (!event) {
        __sync_fetch_and_add(&dropped, 1);
        return XDP_PASS;
    }
    event->sequence = sequence;
    event->marker = RINGBUF_SEQ_MARKER;
    if (sequence & 1)
        bpf_ringbuf_discard(event, 0);
    else
        bpf_ringbuf_submit(event, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
