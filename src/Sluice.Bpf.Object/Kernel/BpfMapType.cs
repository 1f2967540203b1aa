namespace Sluice.Bpf.Object;
// Members mirror the uapi enum one-to-one; their meaning is the kernel's, documented in uapi/linux/bpf.h.
#pragma warning disable CS1591

/// <summary>The kernel's map types (enum bpf_map_type in uapi/linux/bpf.h).</summary>
public enum BpfMapType : uint
{
    Unspecified = 0,
    Hash = 1,
    Array = 2,
    ProgArray = 3,
    PerfEventArray = 4,
    PerCpuHash = 5,
    PerCpuArray = 6,
    StackTrace = 7,
    CgroupArray = 8,
    LruHash = 9,
    LruPerCpuHash = 10,
    LpmTrie = 11,
    ArrayOfMaps = 12,
    HashOfMaps = 13,
    DevMap = 14,
    SockMap = 15,
    CpuMap = 16,
    XskMap = 17,
    SockHash = 18,
    CgroupStorage = 19,
    ReuseportSockArray = 20,
    PerCpuCgroupStorage = 21,
    Queue = 22,
    Stack = 23,
    SkStorage = 24,
    DevMapHash = 25,
    StructOps = 26,
    RingBuf = 27,
    InodeStorage = 28,
    TaskStorage = 29,
    BloomFilter = 30,
    UserRingBuf = 31,
    CgrpStorage = 32,
    Arena = 33,
}
