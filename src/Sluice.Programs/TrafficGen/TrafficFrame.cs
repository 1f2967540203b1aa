using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Sluice.Programs.TrafficGen;

/// <summary>
/// The generator's frame: a template (Ethernet + IPv4/IPv6 + UDP/TCP SYN, padded to the frame size) carrying the
/// range's first source, and the rule that turns it into frame n: source address n mod count, source port
/// (n / count) mod ports, checksums adjusted from the template's (RFC 1624). <see cref="Write"/> is that rule in C#
/// (the packet-socket engine); trafficgen.bpf.c is the same rule in the kernel (the live-frames engine).
/// </summary>
public sealed class TrafficFrame
{
    private const byte Tcp = 6, Udp = 17;
    private readonly byte[] _template;

    /// <summary>Builds the template.</summary>
    /// <exception cref="TrafficGenException">Mixed families or a size outside the headers..1514 (<see cref="TrafficGenError"/>).</exception>
    public TrafficFrame(PhysicalAddress sourceMac, PhysicalAddress destinationMac, SourceRange source, IPEndPoint destination,
        TrafficProtocol protocol, int? frameSize = null)
    {
        ArgumentNullException.ThrowIfNull(sourceMac);
        ArgumentNullException.ThrowIfNull(destinationMac);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (source.First.AddressFamily != destination.AddressFamily)
            throw new TrafficGenException(TrafficGenError.MixedAddressFamilies,
                $"source {source.First} and destination {destination.Address} are different address families");
        if (sourceMac.GetAddressBytes().Length != 6 || destinationMac.GetAddressBytes().Length != 6)
            throw new TrafficGenException(TrafficGenError.BadValue, "MAC addresses must be 6 bytes (Ethernet)");
        IsIpv6 = destination.AddressFamily == AddressFamily.InterNetworkV6;
        IsTcp = protocol == TrafficProtocol.TcpSyn;
        Source = source;
        int headers = 14 + (IsIpv6 ? 40 : 20) + (IsTcp ? 20 : 8);
        int size = frameSize ?? Math.Max(TrafficGenOptions.DefaultFrameSize, headers);
        if (size < headers || size > TrafficGenOptions.MaxFrameSize)
            throw new TrafficGenException(TrafficGenError.FrameSize,
                $"frame size {size} is outside {headers}-{TrafficGenOptions.MaxFrameSize} bytes for {(IsIpv6 ? "IPv6" : "IPv4")} {(IsTcp ? "TCP SYN" : "UDP")}");
        ushort port = destination.Port == 0 ? (ushort)9 : (ushort)destination.Port;
        _template = new byte[size];
        var bytes = _template.AsSpan();
        destinationMac.GetAddressBytes().CopyTo(bytes);
        sourceMac.GetAddressBytes().CopyTo(bytes[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[12..], IsIpv6 ? (ushort)0x86dd : (ushort)0x0800);
        int l4Length = IsTcp ? 20 : size - L4Offset;
        byte protocolNumber = IsTcp ? Tcp : Udp;
        var ip = bytes[14..L4Offset];
        if (IsIpv6)
        {
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)l4Length);
            ip[6] = protocolNumber;
            ip[7] = 64;
            source.First.TryWriteBytes(ip[8..], out _);
            destination.Address.TryWriteBytes(ip[24..], out _);
        }
        else
        {
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + l4Length));
            ip[6] = 0x40; // don't fragment
            ip[8] = 64;
            ip[9] = protocolNumber;
            source.First.TryWriteBytes(ip[12..], out _);
            destination.Address.TryWriteBytes(ip[16..], out _);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip));
        }
        var l4 = bytes.Slice(L4Offset, l4Length);
        BinaryPrimitives.WriteUInt16BigEndian(l4, source.FirstPort);
        BinaryPrimitives.WriteUInt16BigEndian(l4[2..], port);
        if (IsTcp)
        {
            BinaryPrimitives.WriteUInt32BigEndian(l4[4..], 1); // sequence number
            l4[12] = 5 << 4; // header length: 5 words, no options
            l4[13] = 0x02; // SYN
            BinaryPrimitives.WriteUInt16BigEndian(l4[14..], 64240);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(l4[4..], (ushort)l4Length);
        }
        ushort checksum = InternetChecksum.Transport(source.First, destination.Address, protocolNumber, l4);
        if (!IsTcp && checksum == 0) checksum = 0xffff; // UDP: 0 means "no checksum"
        BinaryPrimitives.WriteUInt16BigEndian(l4[(IsTcp ? 16 : 6)..], checksum);
        IpChecksum = IsIpv6 ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(_template.AsSpan(14 + 10));
        L4Checksum = checksum;
    }

    /// <summary>The template: frame 0 of the sequence.</summary>
    public ReadOnlySpan<byte> Template => _template;

    /// <summary>Frame length in bytes.</summary>
    public int Length => _template.Length;

    /// <summary>The source range the sequence walks.</summary>
    public SourceRange Source { get; }

    /// <summary>IPv6 (else IPv4).</summary>
    public bool IsIpv6 { get; }

    /// <summary>TCP SYN (else UDP).</summary>
    public bool IsTcp { get; }

    /// <summary>The template's IPv4 header checksum (0 for IPv6).</summary>
    public ushort IpChecksum { get; }

    /// <summary>The template's UDP/TCP checksum.</summary>
    public ushort L4Checksum { get; }

    private int L4Offset => 14 + (IsIpv6 ? 40 : 20);

    /// <summary>Turns <paramref name="frame"/> (a copy of <see cref="Template"/>, or any earlier frame of the sequence) into frame <paramref name="sequence"/>.</summary>
    public void Write(long sequence, Span<byte> frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        ArgumentOutOfRangeException.ThrowIfLessThan(frame.Length, Length);
        ulong n = (ulong)sequence;
        uint baseAddress = SourceRange.LastWord(Source.First);
        uint address = baseAddress + (uint)(n % Source.AddressCount);
        ushort port = (ushort)(Source.FirstPort + (ushort)(n / Source.AddressCount % Source.PortCount));
        BinaryPrimitives.WriteUInt32BigEndian(frame[(14 + (IsIpv6 ? 20 : 12))..], address);
        BinaryPrimitives.WriteUInt16BigEndian(frame[L4Offset..], port);
        if (!IsIpv6)
        {
            uint ipSum = Replace(Replace((ushort)~IpChecksum, baseAddress >> 16, address >> 16), baseAddress & 0xffff, address & 0xffff);
            BinaryPrimitives.WriteUInt16BigEndian(frame[(14 + 10)..], Finish(ipSum));
        }
        uint sum = Replace(Replace((ushort)~L4Checksum, baseAddress >> 16, address >> 16), baseAddress & 0xffff, address & 0xffff);
        ushort checksum = Finish(Replace(sum, Source.FirstPort, port));
        if (!IsTcp && checksum == 0) checksum = 0xffff;
        BinaryPrimitives.WriteUInt16BigEndian(frame[(L4Offset + (IsTcp ? 16 : 6))..], checksum);
    }

    // RFC 1624 eqn. 3, as in trafficgen.bpf.c.
    private static uint Replace(uint sum, uint old, uint now) => sum + (ushort)~old + (now & 0xffff);

    private static ushort Finish(uint sum)
    {
        sum = (sum & 0xffff) + (sum >> 16);
        sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
