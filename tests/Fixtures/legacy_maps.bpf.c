// The legacy "maps" section (struct bpf_map_def), which libbpf 1.x no longer reads but old objects still use.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct legacy_map_definition {
    unsigned int type;
    unsigned int key_size;
    unsigned int value_size;
    unsigned int max_entries;
    unsigned int map_flags;
};

struct legacy_map_definition legacy_counts SEC("maps") = {
    .type = BPF_MAP_TYPE_ARRAY,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = 8,
};

struct legacy_map_definition legacy_hash SEC("maps") = {
    .type = BPF_MAP_TYPE_HASH,
    .key_size = sizeof(__u64),
    .value_size = sizeof(__u32),
    .max_entries = 64,
    .map_flags = BPF_F_NO_PREALLOC,
};

SEC("socket")
int legacy_socket(struct __sk_buff *skb)
{
    __u32 key = 0;
    __u64 wide = skb->len;
    if (bpf_map_lookup_elem(&legacy_counts, &key))
        return 1;
    return bpf_map_lookup_elem(&legacy_hash, &wide) ? 1 : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
__u32 _version SEC("version") = 0x060c00;
