using System.Runtime.InteropServices;

namespace Sluice.Bpf;

/// <summary>
/// struct xdp_md as BPF_PROG_TEST_RUN takes and returns it (Linux 5.15). On input the kernel insists that
/// <see cref="Data"/> is 0, <see cref="DataEnd"/> equals the packet length (<see cref="DataMeta"/> bytes of
/// metadata count into it) and <see cref="EgressIfindex"/> is 0; a non-zero <see cref="IngressIfindex"/> must name
/// a real device.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct XdpContext
{
    /// <summary>Offset of the packet start.</summary>
    public uint Data;
    /// <summary>Offset of the packet end.</summary>
    public uint DataEnd;
    /// <summary>Offset of the metadata area (bpf_xdp_adjust_meta).</summary>
    public uint DataMeta;
    /// <summary>Receiving interface index.</summary>
    public uint IngressIfindex;
    /// <summary>Receive queue index.</summary>
    public uint RxQueueIndex;
    /// <summary>Transmitting interface (devmap programs only).</summary>
    public uint EgressIfindex;

    /// <summary>The context for a packet of <paramref name="length"/> bytes without metadata.</summary>
    public static XdpContext ForPacket(int length) => new() { DataEnd = (uint)length };
}
