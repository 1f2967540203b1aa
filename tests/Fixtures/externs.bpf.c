// .kconfig and .ksyms externs, resolved against the running kernel (typed ksym variables need CONFIG_KALLSYMS_ALL,
// which the lab kernel lacks, so none is used here). `externs_answers` stores each value in slot N of
// `results`; a weak kfunc the kernel lacks is called only on a branch that is dead once it resolves to 0.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig;
extern char CONFIG_LOCALVERSION[16] __kconfig;
extern int CONFIG_SLUICE_NOT_A_REAL_OPTION __kconfig __weak;
extern _Bool LINUX_HAS_BPF_COOKIE __kconfig;            /* libbpf writes its LINUX_HAS_* numbers into bools */
extern _Bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;

extern const void bpf_prog_put __ksym;                  /* typeless: an address from /proc/kallsyms */
extern void bpf_rcu_read_lock(void) __ksym;             /* kfuncs */
extern void bpf_rcu_read_unlock(void) __ksym;
extern void bpf_sluice_no_such_kfunc(void) __ksym __weak;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} results SEC(".maps");

static __always_inline void put(__u32 slot, __u64 value)
{
    __u64 *cell = bpf_map_lookup_elem(&results, &slot);
    if (cell)
        *cell = value;
}

SEC("xdp")
int externs_answers(struct xdp_md *ctx)
{
    __u64 local = 0;

    put(0, LINUX_KERNEL_VERSION);
    put(1, CONFIG_HZ);
    put(2, CONFIG_BPF_SYSCALL);
    put(3, CONFIG_BPF_JIT);
    __builtin_memcpy(&local, CONFIG_LOCALVERSION, sizeof(local));
    put(4, local);
    put(5, CONFIG_SLUICE_NOT_A_REAL_OPTION);
    put(6, (__u64)&bpf_prog_put);
    put(7, (__u64)&bpf_sluice_no_such_kfunc != 0);
    put(8, LINUX_HAS_BPF_COOKIE);
    put(9, LINUX_HAS_SYSCALL_WRAPPER);
    bpf_rcu_read_lock();
    bpf_rcu_read_unlock();
    if (&bpf_sluice_no_such_kfunc)
        bpf_sluice_no_such_kfunc();
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
