// Programs that need BPF trampolines (fentry, fexit, fmod_ret): kernels that refuse trampolines (the lab's 6.18
// answers EPERM, for bpftool too) must give a clear "not supported" instead of a verifier message.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 entries;
__u64 exits;

SEC("fentry/tcp_v4_connect")
int on_connect_entry(__u64 *ctx)
{
    __sync_fetch_and_add(&entries, 1);
    return 0;
}

SEC("fexit/tcp_v4_connect")
int on_connect_exit(__u64 *ctx)
{
    __sync_fetch_and_add(&exits, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
