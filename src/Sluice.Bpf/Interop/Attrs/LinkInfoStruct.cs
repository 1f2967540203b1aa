using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>struct bpf_link_info (uapi/linux/bpf.h): the common head plus the per-type union kept as raw bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LinkInfoStruct
{
    public uint Type;
    public uint Id;
    public uint ProgId;
    private readonly uint _padding;
    /// <summary>The per-link-type union (largest member is well under 64 bytes).</summary>
    public fixed byte Union[64];
}
