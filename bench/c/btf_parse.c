// Baseline (in-process): libbpf parsing the running kernel's BTF (btf__load_vmlinux_btf) and finding
// struct task_struct by name, REPEAT times in one process; prints the median milliseconds.
// usage: btf_parse REPEAT    prints parse_ms_median
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bench_common.h"

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    long repeat = arg_long(argc, argv, 1, 20);
    libbpf_set_print(NULL);
    double *samples = calloc(repeat, sizeof(double));
    for (long i = 0; i < repeat; i++) {
        double start = now_seconds();
        struct btf *btf = btf__load_vmlinux_btf();
        if (!btf) die("btf__load_vmlinux_btf", errno);
        if (btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT) <= 0) die("btf__find_by_name_kind", ENOENT);
        samples[i] = (now_seconds() - start) * 1e3;
        btf__free(btf);
    }
    qsort(samples, repeat, sizeof(double), compare_doubles);
    printf("parse_ms_median %.3f\n", samples[repeat / 2]);
    return 0;
}
