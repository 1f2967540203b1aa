using System.Buffers.Binary;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Links;

/// <summary>
/// A kernel feature the programs rely on: bpf_tcp_raw_gen_syncookie_ipv4 / bpf_tcp_raw_check_syncookie_ipv4 in XDP, run through
/// BPF_PROG_TEST_RUN on crafted frames: a SYN yields a cookie, the ACK that echoes it checks out, a wrong one does not.
/// </summary>
public class XdpSyncookieTests
{
    private const uint SynSequence = 0x12345678;
    private const byte Syn = 0x02, Ack = 0x10;

    [Fact]
    public void Syn_gets_a_cookie_and_only_the_ack_echoing_it_checks_out()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("xdp_syncookie"));
        var program = collection.Program("xdp_syncookie");
        var results = collection.Map("cookie_results");

        Assert.Equal(XdpAction.Drop, program.TestRun(TcpFrame(Syn, SynSequence, 0)).XdpAction);
        long generated = Read(results, 0);
        Assert.True(generated > 0, $"bpf_tcp_raw_gen_syncookie_ipv4 returned {generated}");
        uint cookie = (uint)generated;             // low 32 bits: the cookie
        uint mss = (uint)(generated >> 32);        // high 32 bits: the MSS it encodes (no option: the 536 default)
        Assert.NotEqual(0u, cookie);
        Assert.Equal(536u, mss);
        Assert.Equal(1, Read(results, 2));

        // The cookie's low bits only index the MSS table (cookie + 1 still checks out, with another MSS); its top 8 bits
        // are the minute counter, so flipping them makes a cookie no SYN could have received.
        Assert.Equal(XdpAction.Drop, program.TestRun(TcpFrame(Ack, SynSequence + 1, (cookie ^ 0xFF000000) + 1)).XdpAction);
        Assert.True(Read(results, 1) < 0, "a wrong cookie must not check out");

        Assert.Equal(XdpAction.Drop, program.TestRun(TcpFrame(Ack, SynSequence + 1, cookie + 1)).XdpAction);
        Assert.Equal(0, Read(results, 1));
        Assert.Equal(2, Read(results, 3));
    }

    /// <summary>Ethernet + IPv4 + 20-byte TCP header, 198.18.0.1:40000 → 198.18.0.2:80.</summary>
    private static byte[] TcpFrame(byte flags, uint sequence, uint acknowledgement)
    {
        var frame = new byte[14 + 20 + 20];
        frame[0] = 2; frame[5] = 2;
        frame[6] = 2; frame[11] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        frame[14] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 40);
        frame[22] = 64;
        frame[23] = 6; // TCP
        byte[] source = [198, 18, 0, 1], destination = [198, 18, 0, 2];
        source.CopyTo(frame, 26);
        destination.CopyTo(frame, 30);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(24), IpChecksum(frame.AsSpan(14, 20)));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(34), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(36), 80);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(38), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(42), acknowledgement);
        frame[46] = 0x50; // data offset 5
        frame[47] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(48), 65535);
        return frame;
    }

    private static ushort IpChecksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    private static long Read(BpfMap map, uint slot)
    {
        var value = new byte[8];
        map.TryLookup(BitConverter.GetBytes(slot), value);
        return BitConverter.ToInt64(value);
    }
}
