// Baseline (iii): libbpf's ring buffer consumer (ring_buffer__new / ring_buffer__poll) draining the
// ringbuf_seq producer (tests/Fixtures/ringbuf_seq.bpf.c) while another thread test-runs it REPEAT times.
// Every run emits one 16-byte record carrying a sequence number, or counts a drop when the ring is full.
// usage: ringbuf_consumer OBJECT REPEAT
// prints events_per_second, received, dropped, seconds, out_of_order, and the consumer thread's CPU time
// (events_per_cpu_second: the consumer's efficiency, less sensitive than wall time to a noisy VM scheduler)
#include <pthread.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench_common.h"

struct consumer_state {
    unsigned long long received;
    unsigned long long last_sequence;
    unsigned long long out_of_order;
};

struct producer_args {
    int prog_fd;
    unsigned int repeat;
    int error;
    volatile int done;
};

static int on_record(void *context, void *data, size_t size)
{
    struct consumer_state *state = context;
    unsigned long long sequence = *(unsigned long long *)data;
    if (size < 8 || sequence <= state->last_sequence)
        state->out_of_order++;
    state->last_sequence = sequence;
    state->received++;
    return 0;
}

static void *produce(void *arg)
{
    struct producer_args *args = arg;
    unsigned char packet[64] = { 0 };
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof(packet), .repeat = args->repeat);
    if (bpf_prog_test_run_opts(args->prog_fd, &opts)) args->error = errno;
    __atomic_store_n(&args->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: ringbuf_consumer OBJECT [REPEAT]\n"); return 2; }
    unsigned int repeat = (unsigned int)arg_long(argc, argv, 2, 1000000);
    libbpf_set_print(NULL);

    struct bpf_object *object = bpf_object__open_file(argv[1], NULL);
    if (!object) die("bpf_object__open_file", errno);
    if (bpf_object__load(object)) die("bpf_object__load", errno);
    struct bpf_program *program = bpf_object__find_program_by_name(object, "ringbuf_seq");
    struct bpf_map *events = bpf_object__find_map_by_name(object, "events");
    struct bpf_map *bss = bpf_object__find_map_by_name(object, ".bss");
    if (!program || !events || !bss) die("program 'ringbuf_seq', map 'events' or '.bss' missing", ENOENT);

    struct consumer_state state = { 0 };
    struct ring_buffer *ring = ring_buffer__new(bpf_map__fd(events), on_record, &state, NULL);
    if (!ring) die("ring_buffer__new", errno);

    struct producer_args args = { .prog_fd = bpf_program__fd(program), .repeat = repeat };
    pthread_t producer;
    double start = now_seconds();
    double cpu_start = thread_cpu_seconds();
    if (pthread_create(&producer, NULL, produce, &args)) die("pthread_create", errno);

    while (!__atomic_load_n(&args.done, __ATOMIC_ACQUIRE)) {
        int handled = ring_buffer__poll(ring, 100);
        if (handled < 0 && handled != -EINTR) die("ring_buffer__poll", handled);
    }
    // The producer has finished: whatever is left in the ring is all that will come.
    while (ring_buffer__consume(ring) > 0) {}
    double elapsed = now_seconds() - start;
    double cpu = thread_cpu_seconds() - cpu_start;
    pthread_join(producer, NULL);
    if (args.error) die("bpf_prog_test_run_opts", args.error);

    // .bss holds sequence_counter then dropped (both __u64), in declaration order.
    unsigned long long globals[2] = { 0, 0 };
    int zero = 0;
    if (bpf_map_lookup_elem(bpf_map__fd(bss), &zero, globals)) die("lookup .bss", errno);

    printf("events_per_second %.0f\n", state.received / elapsed);
    printf("received %llu\n", state.received);
    printf("dropped %llu\n", globals[1]);
    printf("emitted %llu\n", globals[0]);
    printf("seconds %.6f\n", elapsed);
    printf("consumer_cpu_seconds %.6f\n", cpu);
    printf("events_per_cpu_second %.0f\n", state.received / cpu);
    printf("out_of_order %llu\n", state.out_of_order);
    ring_buffer__free(ring);
    bpf_object__close(object);
    return 0;
}
