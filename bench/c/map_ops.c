// Baseline (i): per-operation cost of bpf_map_lookup_elem and bpf_map_update_elem on a HASH map with
// key u32 and value u64, through libbpf's thin syscall wrappers.
// usage: map_ops OPS KEYS    prints lookup_ns_per_op and update_ns_per_op
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "bench_common.h"

int main(int argc, char **argv)
{
    long ops = arg_long(argc, argv, 1, 1000000);
    long keys = arg_long(argc, argv, 2, 1024);
    int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bench_ops", sizeof(__u32), sizeof(__u64), (__u32)keys, NULL);
    if (fd < 0) die("bpf_map_create", errno);

    for (__u32 key = 0; key < (__u32)keys; key++) {
        __u64 value = key;
        if (bpf_map_update_elem(fd, &key, &value, BPF_ANY)) die("populate", errno);
    }

    __u64 value = 0, sum = 0;
    double start = now_seconds();
    for (long i = 0; i < ops; i++) {
        __u32 key = (__u32)(i % keys);
        if (bpf_map_lookup_elem(fd, &key, &value)) die("bpf_map_lookup_elem", errno);
        sum += value;
    }
    double lookup = now_seconds() - start;

    start = now_seconds();
    for (long i = 0; i < ops; i++) {
        __u32 key = (__u32)(i % keys);
        value = (__u64)i;
        if (bpf_map_update_elem(fd, &key, &value, BPF_ANY)) die("bpf_map_update_elem", errno);
    }
    double update = now_seconds() - start;

    printf("lookup_ns_per_op %.2f\n", lookup * 1e9 / ops);
    printf("update_ns_per_op %.2f\n", update * 1e9 / ops);
    printf("checksum %llu\n", (unsigned long long)sum);
    return 0;
}
