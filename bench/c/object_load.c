// Baseline (iv, in-process): libbpf opening and loading a BPF object (every map and program) and closing it
// again, REPEAT times in one process; prints the median milliseconds of open + load.
// usage: object_load OBJECT REPEAT    prints load_ms_median
#include <bpf/libbpf.h>
#include "bench_common.h"

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: object_load OBJECT [REPEAT]\n"); return 2; }
    long repeat = arg_long(argc, argv, 2, 20);
    libbpf_set_print(NULL);
    double *samples = calloc(repeat, sizeof(double));
    for (long i = 0; i < repeat; i++) {
        double start = now_seconds();
        struct bpf_object *object = bpf_object__open_file(argv[1], NULL);
        if (!object) die("bpf_object__open_file", errno);
        if (bpf_object__load(object)) die("bpf_object__load", errno);
        samples[i] = (now_seconds() - start) * 1e3;
        bpf_object__close(object);
    }
    qsort(samples, repeat, sizeof(double), compare_doubles);
    printf("load_ms_median %.3f\n", samples[repeat / 2]);
    return 0;
}
