using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>struct bpf_btf_info (uapi/linux/bpf.h): the raw BTF (when a buffer is given), id, name (5.11) and whether it is the kernel's.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BtfInfoStruct
{
    public ulong Btf;
    public uint BtfSize;
    public uint Id;
    public ulong Name;
    public uint NameLength;
    public uint KernelBtf;
}
