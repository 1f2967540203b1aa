/* The guard's maps, shared by guard_xdp.bpf.c and guard_tc.bpf.c. Every map is pinned by name, so loading both
 * objects with the same pin directory (/sys/fs/bpf/sluice/guard/<netns>/<interface>/) makes them share one state
 * that outlives the controller, survives program upgrades and is seen by every CLI call. Sizes are caps: the
 * rule maps allocate on demand (BPF_F_NO_PREALLOC), the LRU maps are preallocated and bounded on purpose so a
 * spoofed flood cannot exhaust memory. Blocks are not in an LRU map: a flood of new sources evicts LRU entries, and
 * an evicted block would be a lifted one. guard_blocks is a plain hash that nothing evicts; when it is full a new
 * block is not stored and its packet is counted as block_map_full (existing blocks stay: fail closed). */
#ifndef SLUICE_GUARD_MAPS_H
#define SLUICE_GUARD_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "guard.h"

#define GUARD_MAX_PREFIXES (2u << 20)   /* per family: room for a 1,000,000-prefix import and more */
#define GUARD_MAX_EXACT (2u << 20)
#define GUARD_MAX_PORT_RULES 65536
#define GUARD_MAX_SOURCES 65536
#define GUARD_MAX_FLOWS 262144
#define GUARD_MAX_BLOCKS 262144

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, GUARD_MAX_PREFIXES);
    __type(key, struct guard_prefix_v4);
    __type(value, struct guard_rule);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_rules4 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, GUARD_MAX_PREFIXES);
    __type(key, struct guard_prefix_v6);
    __type(value, struct guard_rule);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_rules6 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, GUARD_MAX_EXACT);
    __type(key, __u32); /* the address, network order */
    __type(value, struct guard_rule);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_exact4 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, GUARD_MAX_EXACT);
    __type(key, struct guard_source_key); /* the address */
    __type(value, struct guard_rule);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_exact6 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, GUARD_MAX_PORT_RULES);
    __type(key, struct guard_port_prefix_v4);
    __type(value, struct guard_rule);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_ports4 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, GUARD_MAX_PORT_RULES);
    __type(key, struct guard_port_prefix_v6);
    __type(value, struct guard_rule);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_ports6 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, struct guard_config);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32); /* the active guard_config slot, 0 or 1 */
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_cfg_sel SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, GUARD_MAX_SOURCES);
    __type(key, struct guard_source_key);
    __type(value, struct guard_source);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_sources SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, GUARD_MAX_BLOCKS);
    __type(key, struct guard_source_key);
    __type(value, __u64); /* blocked until this bpf_ktime_get_ns() time */
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_blocks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, GUARD_REASON_COUNT);
    __type(key, __u32);
    __type(value, struct guard_counter);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_stats SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, GUARD_MAX_SOURCES);
    __type(key, struct guard_source_key);
    __type(value, struct guard_conn_source);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_slots SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, GUARD_MAX_FLOWS);
    __type(key, struct guard_flow_key);
    __type(value, struct guard_flow);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_tcp_flows SEC(".maps");

/* The active configuration, or NULL only if the maps are broken (the verifier needs the check). */
static __always_inline struct guard_config *guard_active_config(void)
{
    __u32 zero = 0;
    __u32 *slot = bpf_map_lookup_elem(&guard_cfg_sel, &zero);
    __u32 index = slot ? (*slot & 1) : 0;
    return bpf_map_lookup_elem(&guard_config, &index);
}

static __always_inline void guard_count(__u32 reason, __u64 bytes)
{
    struct guard_counter *counter = bpf_map_lookup_elem(&guard_stats, &reason);
    if (counter) {
        counter->packets++;
        counter->bytes += bytes;
    }
}

#endif
