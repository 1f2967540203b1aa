// Baseline of guard-import: what a C tool on libbpf does to load a large deny list into the guard's IPv4 trie.
// Creates an LPM_TRIE shaped like guard_rules4 (key struct guard_prefix_v4, value struct guard_rule, the same
// BPF_F_NO_PREALLOC and max_entries as guard_maps.h), reads the prefixes from KEYFILE (the harness writes them:
// one struct guard_prefix_v4 each), fills one deny value per prefix and writes them all with one
// bpf_map_update_batch. Only the batch call is timed (the controller's side is timed from parsed rules too), in
// wall seconds and in CPU seconds of the process (the steadier figure on a busy machine).
// usage: lpm_import KEYFILE    prints prefixes, seconds, cpu_seconds, us_per_prefix
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "bench_common.h"
#include "../../src/Sluice.Programs/bpf/include/guard.h"

#define GUARD_RULES4_MAX_ENTRIES (2u << 20) /* GUARD_MAX_PREFIXES in guard_maps.h */

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: lpm_import KEYFILE\n");
        return 2;
    }
    FILE *file = fopen(argv[1], "rb");
    if (!file) die(argv[1], errno);
    fseek(file, 0, SEEK_END);
    long count = ftell(file) / (long)sizeof(struct guard_prefix_v4);
    fseek(file, 0, SEEK_SET);

    struct guard_prefix_v4 *keys = malloc(count * sizeof(*keys));
    struct guard_rule *values = calloc(count, sizeof(*values));
    if (!keys || !values) die("malloc", ENOMEM);
    if ((long)fread(keys, sizeof(*keys), count, file) != count) die("fread", EIO);
    fclose(file);
    for (long i = 0; i < count; i++) {
        values[i].actions = GUARD_ACTION_DENY;
        values[i].prefixlen = (__u8)keys[i].prefixlen;
        values[i].scope = GUARD_SCOPE_ANY;
        values[i].id = (__u32)(i + 1);
    }

    LIBBPF_OPTS(bpf_map_create_opts, create, .map_flags = BPF_F_NO_PREALLOC);
    int fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "guard_rules4", sizeof(struct guard_prefix_v4),
                            sizeof(struct guard_rule), GUARD_RULES4_MAX_ENTRIES, &create);
    if (fd < 0) die("bpf_map_create", errno);

    __u32 written = (__u32)count;
    double start = now_seconds(), cpu_start = process_cpu_seconds();
    if (bpf_map_update_batch(fd, keys, values, &written, NULL)) die("bpf_map_update_batch", errno);
    double elapsed = now_seconds() - start, cpu = process_cpu_seconds() - cpu_start;
    if (written != (__u32)count) {
        fprintf(stderr, "bpf_map_update_batch wrote %u of %ld prefixes\n", written, count);
        return 1;
    }

    printf("prefixes %ld\n", count);
    printf("seconds %.6f\n", elapsed);
    printf("cpu_seconds %.6f\n", cpu);
    printf("us_per_prefix %.4f\n", elapsed * 1e6 / count);
    return 0;
}
