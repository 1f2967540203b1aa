using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_BTF_LOAD.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BtfLoadAttr
{
    public ulong Btf;
    public ulong BtfLogBuf;
    public uint BtfSize;
    public uint BtfLogSize;
    public uint BtfLogLevel;
    /// <summary>Out (6.4+): the log size the kernel needed.</summary>
    public uint BtfLogTrueSize;
    public uint BtfFlags;
    public int BtfTokenFd;
}
