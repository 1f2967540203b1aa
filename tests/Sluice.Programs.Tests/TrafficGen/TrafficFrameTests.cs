using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using Sluice.Lab.Packets;
using Sluice.Programs.TrafficGen;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.TrafficGen;

/// <summary>
/// The generator's frames: the C# rule (packet-socket engine) and trafficgen.bpf.c (live-frames engine, run here by an
/// ordinary test run) must write the same frame n, with valid checksums and sources inside the range.
/// </summary>
public sealed class TrafficFrameTests
{
    private static readonly PhysicalAddress SourceMac = PhysicalAddress.Parse("02-00-00-00-00-01");
    private static readonly PhysicalAddress DestinationMac = PhysicalAddress.Parse("02-00-00-00-00-02");

    public static TheoryData<string, string, TrafficProtocol, int?> Frames => new()
    {
        { "198.18.0.10-198.18.1.20:1000-1003", "198.18.0.2:9", TrafficProtocol.Udp, null },
        { "198.18.255.250-198.19.0.5:65534-65535", "198.18.0.2:80", TrafficProtocol.TcpSyn, 128 },
        { "[fd00::1:fffe-fd00::2:3]:40000-40002", "[fd00::2]:53", TrafficProtocol.Udp, 200 },
        { "[fd00::10-fd00::12]:1024", "[fd00::2]:443", TrafficProtocol.TcpSyn, null },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void KernelAndManagedWritersProduceTheSameValidFrames(string source, string destination, TrafficProtocol protocol, int? size)
    {
        Requires.Root();
        var range = SourceRange.Parse(source);
        var frame = new TrafficFrame(SourceMac, DestinationMac, range, IPEndPoint.Parse(destination), protocol, size);
        using var writer = TrafficFrameWriter.Load(frame);
        var managed = frame.Template.ToArray();
        var kernel = new byte[frame.Length + 64];
        var seenSources = new HashSet<string>();
        var seenPorts = new HashSet<ushort>();
        long frames = Math.Min((long)range.AddressCount * range.PortCount + 3, 600);
        for (long n = 0; n < frames; n++)
        {
            var result = writer.Program.TestRun(frame.Template, kernel);
            Assert.Equal(Sluice.Bpf.XdpAction.Tx, result.XdpAction);
            frame.Write(n, managed);
            Assert.Equal(Convert.ToHexString(managed), Convert.ToHexString(kernel.AsSpan(0, result.DataOutLength)));
            var (address, port) = CheckFrame(managed, frame);
            Assert.InRange(SourceRange.LastWord(address), SourceRange.LastWord(range.First), SourceRange.LastWord(range.Last));
            Assert.InRange(port, range.FirstPort, range.FirstPort + range.PortCount - 1);
            seenSources.Add(address.ToString());
            seenPorts.Add(port);
        }
        Assert.Equal(Math.Min(range.AddressCount, frames), seenSources.Count);
        Assert.Equal(Math.Min(range.PortCount, frames / range.AddressCount + 1), seenPorts.Count);
        Assert.Equal(frames, writer.FramesWritten);
    }

    [Fact]
    public void FrameSizeIsTheWholeFrameAndTheMinimumIsTheHeaders()
    {
        var range = SourceRange.Parse("198.18.0.1");
        var udp = new TrafficFrame(SourceMac, DestinationMac, range, IPEndPoint.Parse("198.18.0.2:9"), TrafficProtocol.Udp);
        Assert.Equal(60, udp.Length);
        var v6Syn = new TrafficFrame(SourceMac, DestinationMac, SourceRange.Parse("fd00::1"), IPEndPoint.Parse("[fd00::2]:9"), TrafficProtocol.TcpSyn);
        Assert.Equal(74, v6Syn.Length);
        var error = Assert.Throws<TrafficGenException>(() =>
            new TrafficFrame(SourceMac, DestinationMac, range, IPEndPoint.Parse("198.18.0.2:9"), TrafficProtocol.Udp, 41));
        Assert.Equal(TrafficGenError.FrameSize, error.Error);
        Assert.Equal(TrafficGenError.FrameSize, Assert.Throws<TrafficGenException>(() =>
            new TrafficFrame(SourceMac, DestinationMac, range, IPEndPoint.Parse("198.18.0.2:9"), TrafficProtocol.Udp, 1515)).Error);
        Assert.Equal(TrafficGenError.MixedAddressFamilies, Assert.Throws<TrafficGenException>(() =>
            new TrafficFrame(SourceMac, DestinationMac, range, IPEndPoint.Parse("[fd00::2]:9"), TrafficProtocol.Udp)).Error);
    }

    [Theory]
    [InlineData("198.18.0.1", "198.18.0.1", 1u, SourceRange.DefaultFirstPort, SourceRange.DefaultPortCount)]
    [InlineData("198.18.0.1-198.18.0.255:7", "198.18.0.1", 255u, (ushort)7, (ushort)1)]
    [InlineData("198.18.0.1:1000-1999", "198.18.0.1", 1u, (ushort)1000, (ushort)1000)]
    [InlineData("fd00::5", "fd00::5", 1u, SourceRange.DefaultFirstPort, SourceRange.DefaultPortCount)]
    [InlineData("[fd00::5-fd00::1:4]:53", "fd00::5", 65536u, (ushort)53, (ushort)1)]
    public void SourceRangesParse(string text, string first, uint addresses, ushort firstPort, ushort ports)
    {
        var range = SourceRange.Parse(text);
        Assert.Equal(IPAddress.Parse(first), range.First);
        Assert.Equal(addresses, range.AddressCount);
        Assert.Equal(firstPort, range.FirstPort);
        Assert.Equal(ports, range.PortCount);
    }

    [Theory]
    [InlineData("198.18.0.9-198.18.0.1")]
    [InlineData("198.18.0.1:0")]
    [InlineData("198.18.0.1:70000")]
    [InlineData("198.18.0.1:9-8")]
    [InlineData("not-an-address")]
    [InlineData("[fd00::1")]
    [InlineData("fd00::1-fd01::1")]
    [InlineData("198.18.0.1-fd00::1")]
    public void BadSourceRangesAreRefused(string text) =>
        Assert.Equal(TrafficGenError.BadValue, Assert.Throws<TrafficGenException>(() => SourceRange.Parse(text)).Error);

    /// <summary>Verifies the IP and L4 checksums of a generated frame; returns its source address and port.</summary>
    private static (IPAddress Address, ushort Port) CheckFrame(byte[] bytes, TrafficFrame frame)
    {
        int l4 = 14 + (frame.IsIpv6 ? 40 : 20);
        IPAddress source, destination;
        int l4Length;
        if (frame.IsIpv6)
        {
            source = new IPAddress(bytes.AsSpan(22, 16));
            destination = new IPAddress(bytes.AsSpan(38, 16));
            l4Length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(18));
        }
        else
        {
            Assert.Equal(0, PacketBuilder.Checksum(bytes.AsSpan(14, 20)));
            source = new IPAddress(bytes.AsSpan(26, 4));
            destination = new IPAddress(bytes.AsSpan(30, 4));
            l4Length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(16)) - 20;
        }
        var segment = bytes.AsSpan(l4, l4Length);
        Assert.Equal(0, PacketBuilder.TransportChecksum(source, destination, frame.IsTcp ? PacketBuilder.Tcp : PacketBuilder.Udp, segment));
        return (source, BinaryPrimitives.ReadUInt16BigEndian(segment));
    }
}
