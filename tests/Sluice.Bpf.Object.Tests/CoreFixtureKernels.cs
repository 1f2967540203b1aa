namespace Sluice.Bpf.Object.Tests;

/// <summary>
/// Two small hand-built "kernel" BTFs with the names core_kernel.bpf.c relocates against, in different layouts,
/// so every relocated answer can be computed by hand and differs between them.
/// </summary>
internal static class CoreFixtureKernels
{
    /// <summary>
    /// Kernel A: task_struct { long state; int prio; long pad; int pid @32; char comm[16] @40 } (64 bytes);
    /// sk_buff { union { struct { u32 len; u8 pkt_type:3 @bit 40; }; } } (16 bytes);
    /// sock_common { u32 skc_hash; union { struct { u16 skc_dport; u16 skc_num; }; }; } (8); sock { long x; sock_common __sk_common @8 } (16);
    /// enum bpf_map_type { UNSPEC = 0, RINGBUF = 27 }.
    /// </summary>
    public static BtfSpec A()
    {
        var b = new BtfBuilder();
        uint intType = b.Int("int", 4, signed: true);
        uint u32 = b.Int("unsigned int", 4, signed: false);
        uint longType = b.Int("long", 8, signed: true);
        uint charType = b.Add("char", BtfKind.Int, 0, 1, false, 8);
        uint u8 = b.Int("unsigned char", 1, signed: false);
        uint u16 = b.Int("unsigned short", 2, signed: false);
        uint comm = b.Array(charType, intType, 16);
        b.Struct("task_struct", 64, ("state", longType, 0, 0), ("prio", intType, 64, 0), ("pad", longType, 128, 0),
            ("pid", intType, 256, 0), ("comm", comm, 320, 0));
        uint skbInner = b.Struct("", 8, ("len", u32, 0, 0), ("pkt_type", u8, 40, 3));
        uint skbUnion = b.Union("", 8, ("", skbInner, 0, 0));
        b.Struct("sk_buff", 16, ("", skbUnion, 0, 0));
        uint portsInner = b.Struct("", 4, ("skc_dport", u16, 0, 0), ("skc_num", u16, 16, 0));
        uint portsUnion = b.Union("", 4, ("", portsInner, 0, 0));
        uint common = b.Struct("sock_common", 8, ("skc_hash", u32, 0, 0), ("", portsUnion, 32, 0));
        b.Struct("sock", 16, ("x", longType, 0, 0), ("__sk_common", common, 64, 0));
        b.Enum("bpf_map_type", 4, ("BPF_MAP_TYPE_UNSPEC", 0), ("BPF_MAP_TYPE_RINGBUF", 27));
        b.Struct("xdp_md", 12, ("data", u32, 0, 0), ("pad", u32, 32, 0), ("data_end", u32, 64, 0));
        return BtfSpec.Parse(b.Build(), "kernel-a");
    }

    /// <summary>
    /// Kernel B: task_struct { unsigned int prio; int x[2]; int pid @12; char comm[32] @16 } (48 bytes); sk_buff with
    /// pkt_type:3 at bit 14 (straddles a byte: read as 4 bytes); no sock at all; enum64 bpf_map_type { RINGBUF = 99 };
    /// xdp_md as the compiler saw it.
    /// </summary>
    public static BtfSpec B()
    {
        var b = new BtfBuilder();
        uint intType = b.Int("int", 4, signed: true);
        uint u32 = b.Int("unsigned int", 4, signed: false);
        uint charType = b.Add("char", BtfKind.Int, 0, 1, false, 8);
        uint u8 = b.Int("unsigned char", 1, signed: false);
        uint comm = b.Array(charType, intType, 32);
        uint pair = b.Array(intType, intType, 2);
        uint prio = b.Typedef("prio_t", u32);
        b.Struct("task_struct", 48, ("prio", b.Const(prio), 0, 0), ("x", pair, 32, 0), ("pid", intType, 96, 0), ("comm", comm, 128, 0));
        b.Struct("sk_buff", 8, ("len", u8, 0, 0), ("pkt_type", u8, 14, 3));
        b.Enum64("bpf_map_type", signed: false, ("BPF_MAP_TYPE_RINGBUF", 99));
        b.Struct("xdp_md", 8, ("data", u32, 0, 0), ("data_end", u32, 32, 0));
        return BtfSpec.Parse(b.Build(), "kernel-b");
    }
}
