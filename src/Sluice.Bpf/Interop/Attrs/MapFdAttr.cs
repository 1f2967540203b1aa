using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_MAP_FREEZE (only map_fd).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MapFdAttr
{
    public uint MapFd;
}
