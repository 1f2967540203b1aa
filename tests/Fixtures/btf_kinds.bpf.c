// BTF of many kinds (enum, enum64, union, bitfields, typedef, volatile, restrict, decl and type tags, a
// function pointer) plus a bpf_loop callback, whose address is loaded with ld_imm64 (BPF_PSEUDO_FUNC), and a
// program with CO-RE field relocations (.BTF.ext core_relo records).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum verdict { VERDICT_PASS = 2, VERDICT_DROP = -1 };
enum wide : unsigned long long { WIDE_SMALL = 1, WIDE_HUGE = 0xfedcba9876543210ULL };

typedef __u32 counter_t;

struct flags {
    unsigned int urgent : 1;
    unsigned int level : 3;
    unsigned int rest : 28;
};

union address {
    __u32 v4;
    __u8 bytes[16];
};

struct record {
    enum verdict verdict;
    enum wide wide;
    struct flags flags;
    union address address;
    counter_t count __attribute__((btf_decl_tag("counter")));
    int __attribute__((btf_type_tag("user"))) *user_pointer;
    int (*callback)(int);
};

struct record records[2];

// Global but hidden: libbpf (and the BTF fix-ups) treat it as static, so its section is not mmapable.
__attribute__((visibility("hidden"))) __u32 hidden_counter SEC(".data.hidden") = 5;
volatile counter_t loops;

static int loop_body(__u32 index, void *context)
{
    loops += index;
    return 0;
}

static __noinline int sum(struct record *restrict record)
{
    return record->count + record->flags.level + record->address.bytes[3];
}

SEC("xdp")
int btf_kinds(struct xdp_md *ctx)
{
    bpf_loop(4, loop_body, 0, 0);
    records[0].flags.level = 5;
    records[1].wide = WIDE_HUGE;
    hidden_counter++;
    return sum(&records[0]) ? (int)VERDICT_PASS : XDP_PASS;
}

// A local mirror of xdp_md marked for CO-RE: every field access becomes a core_relo record.
struct xdp_md___mirror {
    __u32 data;
    __u32 data_end;
} __attribute__((preserve_access_index));

SEC("xdp")
int core_read(struct xdp_md *ctx)
{
    struct xdp_md___mirror *mirror = (void *)ctx;
    return mirror->data_end - mirror->data > 1000 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
