// Baseline (ii): one bpf_map_update_batch call writing ENTRIES fresh keys into an empty HASH map
// (key u32, value u64). The map is created before the clock starts; only the batch call is timed.
// usage: batch_update ENTRIES    prints seconds and entries_per_second
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "bench_common.h"

int main(int argc, char **argv)
{
    long entries = arg_long(argc, argv, 1, 1000000);
    int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bench_batch", sizeof(__u32), sizeof(__u64), (__u32)entries, NULL);
    if (fd < 0) die("bpf_map_create", errno);

    __u32 *keys = malloc(entries * sizeof(*keys));
    __u64 *values = malloc(entries * sizeof(*values));
    if (!keys || !values) die("malloc", ENOMEM);
    for (long i = 0; i < entries; i++) {
        keys[i] = (__u32)i;
        values[i] = (__u64)i * 3;
    }

    __u32 count = (__u32)entries;
    double start = now_seconds();
    if (bpf_map_update_batch(fd, keys, values, &count, NULL)) die("bpf_map_update_batch", errno);
    double elapsed = now_seconds() - start;
    if (count != (__u32)entries) {
        fprintf(stderr, "bpf_map_update_batch wrote %u of %ld entries\n", count, entries);
        return 1;
    }

    printf("seconds %.6f\n", elapsed);
    printf("entries_per_second %.0f\n", entries / elapsed);
    return 0;
}
