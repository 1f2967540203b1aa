using System.Runtime.InteropServices;

namespace Sluice.Bpf;

/// <summary>
/// struct xdp_md as BPF_PROG_TEST_RUN takes and returns it (Linux 5.14). On input the offsets are into the data
/// passed to the run: <see cref="DataMeta"/> must be 0, the first <see cref="Data"/> bytes are metadata (what
/// bpf_xdp_adjust_meta would have made), <see cref="DataEnd"/> must equal the input's length and
/// <see cref="EgressIfindex"/> must be 0; a non-zero <see cref="IngressIfindex"/> must name a device in the current
/// network namespace, and then <see cref="RxQueueIndex"/> one of its receive queues.
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

    /// <summary>The context for an input of <paramref name="length"/> bytes whose first <paramref name="metadataLength"/> bytes are metadata.</summary>
    public static XdpContext ForPacket(int length, int metadataLength = 0) => new() { Data = (uint)metadataLength, DataEnd = (uint)length };
}
