// The legacy "maps" section with iproute2's struct bpf_elf_map (tc's loader): pinning PIN_GLOBAL_NS, an id.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_elf_map {
    __u32 type;
    __u32 size_key;
    __u32 size_value;
    __u32 max_elem;
    __u32 flags;
    __u32 id;
    __u32 pinning;
    __u32 inner_id;
    __u32 inner_idx;
};

struct bpf_elf_map iproute2_pinned SEC("maps") = {
    .type = BPF_MAP_TYPE_ARRAY,
    .size_key = sizeof(__u32),
    .size_value = sizeof(__u64),
    .max_elem = 4,
    .id = 7,
    .pinning = 2, /* PIN_GLOBAL_NS */
};

struct bpf_elf_map iproute2_private SEC("maps") = {
    .type = BPF_MAP_TYPE_HASH,
    .size_key = sizeof(__u32),
    .size_value = sizeof(__u32),
    .max_elem = 16,
};

SEC("tc")
int iproute2_classifier(struct __sk_buff *skb)
{
    __u32 key = 0;
    __u64 *count = bpf_map_lookup_elem(&iproute2_pinned, &key);
    if (count)
        __sync_fetch_and_add(count, 1);
    return bpf_map_lookup_elem(&iproute2_private, &key) ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
