using Sluice.Bpf;

namespace Sluice.Programs.TrafficGen;

/// <summary>
/// trafficgen.bpf.c loaded for one <see cref="TrafficFrame"/>: an XDP program that turns the template into the next
/// frame of the sequence on every run and returns XDP_TX. Run in live-frames mode it is the generator's fast path
/// (the frames leave through the interface the run names as ingress); run by an ordinary test run it shows the
/// frames it would send.
/// </summary>
public sealed class TrafficFrameWriter : IDisposable
{
    private readonly BpfCollection _collection;

    private TrafficFrameWriter(BpfCollection collection) => _collection = collection;

    /// <summary>Loads the program for <paramref name="frame"/>.</summary>
    /// <exception cref="BpfException">The kernel refused the program or its maps.</exception>
    public static TrafficFrameWriter Load(TrafficFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var spec = EmbeddedObjects.Read("trafficgen.bpf.o");
        spec.SetGlobal("is_ipv6", (byte)(frame.IsIpv6 ? 1 : 0));
        spec.SetGlobal("is_tcp", (byte)(frame.IsTcp ? 1 : 0));
        spec.SetGlobal("source_base", SourceRange.LastWord(frame.Source.First));
        spec.SetGlobal("source_count", frame.Source.AddressCount);
        spec.SetGlobal("port_base", frame.Source.FirstPort);
        spec.SetGlobal("port_count", (uint)frame.Source.PortCount);
        spec.SetGlobal("ip_checksum", frame.IpChecksum);
        spec.SetGlobal("l4_checksum", frame.L4Checksum);
        return new TrafficFrameWriter(BpfCollection.Load(spec));
    }

    /// <summary>The XDP program.</summary>
    public BpfProgram Program => _collection.Program("trafficgen_write");

    /// <summary>Runs so far, i.e. the sequence number of the next frame.</summary>
    public long FramesWritten => (long)_collection.ReadGlobal<ulong>("frames_written");

    /// <inheritdoc />
    public void Dispose() => _collection.Dispose();
}
