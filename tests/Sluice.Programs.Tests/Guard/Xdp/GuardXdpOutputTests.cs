using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab.Packets;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.Packets.PacketBuilder;

namespace Sluice.Programs.Tests.Guard.Xdp;

/// <summary>What the XDP stage produces besides verdicts: metadata and marks for TC, sampled drop events, SYN cookie replies.</summary>
public sealed class GuardXdpOutputTests
{
    private static readonly IPAddress Client4 = IPAddress.Parse("198.18.3.3"), Server4 = IPAddress.Parse("198.18.0.2");
    private static readonly IPAddress Client6 = IPAddress.Parse("fd00:3::3"), Server6 = IPAddress.Parse("fd00::2");

    private static GuardConfigValue WithMetadata(GuardConfigValue config, GuardMarks suspicious = GuardMarks.None) =>
        config with { Flags = config.Flags | GuardConfigFlags.Metadata, SuspiciousMarks = suspicious };

    [Fact]
    public void Passed_packets_carry_metadata_with_their_marks()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.Configure(c => WithMetadata(c));
        bed.AddRule("198.18.1.0/24", GuardRuleActions.Allow);
        var frame = Udp4(Client4, Server4, 1, 53);

        var unmatched = bed.Run(frame);
        var allowed = bed.Run(Udp4(IPAddress.Parse("198.18.1.1"), Server4, 1, 53));
        var fragment = bed.Run(Ipv4(Client4, Server4, Udp, new byte[8], new Ipv4Options { FragmentOffset = 3 }));
        var allowedFragment = bed.Run(Ipv6(IPAddress.Parse("fd00:3::1"), Server6, [Ipv6Extension.Fragment(0, true)], Udp, UdpHeader(1, 53)));

        Assert.Equal((GuardReason.Passed, GuardMeta.MagicValue, GuardMarks.Unmatched), Meta(unmatched));
        Assert.Equal(frame, unmatched.Output);
        Assert.Equal((GuardReason.Allowed, GuardMeta.MagicValue, GuardMarks.Allowed), Meta(allowed));
        Assert.Equal((GuardReason.Passed, GuardMeta.MagicValue, GuardMarks.Unmatched | GuardMarks.Fragment), Meta(fragment));
        Assert.Equal((GuardReason.Passed, GuardMeta.MagicValue, GuardMarks.Unmatched | GuardMarks.Fragment), Meta(allowedFragment));
    }

    [Fact]
    public void Suspicious_marks_count_passed_packets_as_suspicious()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.Configure(c => WithMetadata(c, GuardMarks.Fragment | GuardMarks.Malformed) with { MalformedVerdict = GuardVerdict.Pass });
        bed.AddRule("198.18.1.0/24", GuardRuleActions.Allow);

        var fragment = bed.Run(Ipv4(Client4, Server4, Udp, new byte[8], new Ipv4Options { FragmentOffset = 3 }));
        var allowedFragment = bed.Run(Ipv4(IPAddress.Parse("198.18.1.1"), Server4, Udp, UdpHeader(1, 53), new Ipv4Options { MoreFragments = true }));
        var plain = bed.Run(Udp4(Client4, Server4, 1, 53));
        var malformed = bed.Run(Truncate(Udp4(Client4, Server4, 1, 53), 14 + 20 + 4));

        Assert.Equal((GuardReason.Suspicious, GuardMeta.MagicValue, GuardMarks.Unmatched | GuardMarks.Fragment), Meta(fragment));
        Assert.Equal((GuardReason.Suspicious, GuardMeta.MagicValue, GuardMarks.Allowed | GuardMarks.Fragment), Meta(allowedFragment));
        Assert.Equal((GuardReason.Passed, GuardMeta.MagicValue, GuardMarks.Unmatched), Meta(plain));
        Assert.Equal((GuardReason.Malformed, GuardMeta.MagicValue, GuardMarks.Malformed), Meta(malformed));
        Assert.Equal(XdpAction.Pass, malformed.XdpAction);
    }

    [Fact]
    public void Near_limit_mark_after_half_the_burst()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        const ulong second = 1_000_000_000;
        bed.Configure(c => WithMetadata(c, GuardMarks.NearLimit) with { PpsIntervalNs = second, PpsToleranceNs = 3 * second }); // burst 4
        var frame = Udp4(Client4, Server4, 1, 53);

        var runs = Enumerable.Range(0, 4).Select(_ => bed.Run(frame)).ToArray();

        Assert.Equal((GuardReason.Passed, GuardMeta.MagicValue, GuardMarks.Unmatched), Meta(runs[0]));
        Assert.Equal((GuardReason.Passed, GuardMeta.MagicValue, GuardMarks.Unmatched), Meta(runs[1]));
        Assert.Equal((GuardReason.Suspicious, GuardMeta.MagicValue, GuardMarks.Unmatched | GuardMarks.NearLimit), Meta(runs[2]));
        Assert.Equal((GuardReason.Suspicious, GuardMeta.MagicValue, GuardMarks.Unmatched | GuardMarks.NearLimit), Meta(runs[3]));
    }

    [Fact]
    public void No_metadata_without_the_flag_nor_on_non_ip_or_dropped_packets()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        Assert.Null(bed.Run(Udp4(Client4, Server4, 1, 53)).Metadata);

        bed.Configure(c => WithMetadata(c));
        bed.AddRule("198.19.0.0/16", GuardRuleActions.Deny);
        var arp = Ethernet(EtherTypeArp, new byte[28]);
        var notIp = bed.Run(arp);
        Assert.Null(notIp.Metadata);
        Assert.Equal(arp, notIp.Output);
        Assert.Null(bed.Run(Udp4(IPAddress.Parse("198.19.0.1"), Server4, 1, 53)).Metadata);
        Assert.NotNull(bed.Run(Udp6(Client6, Server6, 1, 53)).Metadata);
    }

    [Fact]
    public void Dropped_packets_are_sampled_into_the_ring_buffer()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.Configure(c => c with { SampleRate = 1 });
        bed.AddRule("198.19.0.0/16", GuardRuleActions.Deny);
        using var events = bed.OpenEvents();
        var small = Udp4(IPAddress.Parse("198.19.0.1"), Server4, 1, 53);
        var large = Udp4(IPAddress.Parse("198.19.0.2"), Server4, 1, 53, payloadLength: 300);
        var malformed = Truncate(small, 40);

        bed.Run(small);
        bed.Run(large);
        bed.Run(malformed);
        bed.Run(Udp4(Client4, Server4, 1, 53)); // passed: not sampled

        var records = new List<(GuardEventHeader Header, byte[] Data)>();
        events.Consume(record => records.Add((MemoryMarshal.Read<GuardEventHeader>(record),
            record.Slice(Marshal.SizeOf<GuardEventHeader>(), GuardEventHeader.CaptureLength).ToArray())));

        Assert.Equal(3, records.Count);
        AssertEvent(records[0], GuardReason.Denied, small);
        AssertEvent(records[1], GuardReason.Denied, large);
        AssertEvent(records[2], GuardReason.Malformed, malformed);
    }

    [Fact]
    public void Sample_rate_zero_samples_nothing()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.Configure(c => c with { SampleRate = 0 });
        bed.AddRule("198.19.0.0/16", GuardRuleActions.Deny);
        using var events = bed.OpenEvents();

        for (int i = 0; i < 20; i++) bed.Run(Udp4(IPAddress.Parse("198.19.0.1"), Server4, 1, 53));

        Assert.Equal(0, events.Consume(_ => { }));
    }

    [Fact]
    public void Over_limit_ipv4_syn_gets_a_syn_cookie_syn_ack()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.Configure(c => SynCookies(c));
        var syn = Ipv4(Client4, Server4, Tcp, TcpHeader(40000, 80, TcpSyn, 0x11223344, [.. MssOption(1460), 1, 1, 4, 2]));

        Assert.Equal(GuardReason.Passed, bed.Run(syn).Reason);
        var run = bed.Run(syn);

        Assert.Equal((XdpAction.Tx, GuardReason.SynCookieSent), (run.XdpAction, run.Reason));
        AssertSynAck(run.Output, syn, 14, 20, Client4, Server4, 0x11223344);
        var ip = run.Output.AsSpan(14, 20);
        Assert.Equal(0x45, ip[0]);
        Assert.Equal(20 + 24, BinaryPrimitives.ReadUInt16BigEndian(ip[2..]));
        Assert.Equal(0, Checksum(ip));
        Assert.Equal(0UL, bed.Source(Client4)!.Value.BlockedUntilNs);
    }

    [Fact]
    public void Over_limit_ipv6_syn_gets_a_syn_cookie_syn_ack_behind_vlan_tags()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.Configure(c => SynCookies(c));
        var syn = WithVlanTags(Tcp6(Client6, Server6, 40001, 443), new VlanTag(7));

        Assert.Equal(GuardReason.Passed, bed.Run(syn).Reason);
        var run = bed.Run(syn);

        Assert.Equal((XdpAction.Tx, GuardReason.SynCookieSent), (run.XdpAction, run.Reason));
        AssertSynAck(run.Output, syn, 18, 40, Client6, Server6, 1);
        Assert.Equal(syn.AsSpan(12, 6).ToArray(), run.Output.AsSpan(12, 6).ToArray()); // the tag stays
        Assert.Equal(24, BinaryPrimitives.ReadUInt16BigEndian(run.Output.AsSpan(18 + 4)));
        Assert.Equal(Tcp, run.Output[18 + 6]);
    }

    [Fact]
    public void Without_syn_cookies_or_for_non_syns_over_limit_packets_are_dropped()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.Configure(c => SynCookies(c) with { Flags = GuardConfigFlags.None, BlockNs = 1_000_000_000 });
        var syn = Tcp4(Client4, Server4, 1, 80);
        bed.Run(syn);
        var limited = bed.Run(syn);
        Assert.Equal((XdpAction.Drop, GuardReason.SynLimited), (limited.XdpAction, limited.Reason));
        Assert.NotEqual(0UL, bed.Source(Client4)!.Value.BlockedUntilNs);

        bed.Configure(c => SynCookies(c) with { SynIntervalNs = 0, SynToleranceNs = 0, PpsIntervalNs = 1_000_000_000, BlockNs = 0 });
        var other = IPAddress.Parse("198.18.3.9");
        bed.Run(Udp4(other, Server4, 1, 53));
        Assert.Equal(GuardReason.RateLimited, bed.Run(Udp4(other, Server4, 1, 53)).Reason);
        Assert.Equal(GuardReason.SynCookieSent, bed.Run(Tcp4(other, Server4, 1, 80)).Reason); // over the packet limit, a SYN
    }

    [Fact]
    public void Syn_with_ip_options_or_extension_headers_falls_back_to_a_drop()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.Configure(c => SynCookies(c));
        var withOptions = Ipv4(Client4, Server4, Tcp, TcpHeader(1, 80, TcpSyn), new Ipv4Options { Options = [1, 1, 1, 1] });
        var withExtension = Tcp6(Client6, Server6, 1, 80, extensions: [Ipv6Extension.DestinationOptions()]);

        Assert.Equal(GuardReason.Passed, bed.Run(withOptions).Reason);
        Assert.Equal(GuardReason.SynLimited, bed.Run(withOptions).Reason);
        Assert.Equal(GuardReason.Passed, bed.Run(withExtension).Reason);
        Assert.Equal(GuardReason.SynLimited, bed.Run(withExtension).Reason);
    }

    private static GuardConfigValue SynCookies(GuardConfigValue config) =>
        config with { Flags = config.Flags | GuardConfigFlags.SynCookies, SynIntervalNs = 1_000_000_000, SynToleranceNs = 0 };

    private static void AssertSynAck(byte[] reply, byte[] syn, int l3, int ipLength, IPAddress client, IPAddress server, uint synSequence)
    {
        Assert.Equal(l3 + ipLength + 24, reply.Length);
        Assert.Equal(syn.AsSpan(6, 6).ToArray(), reply.AsSpan(0, 6).ToArray());  // back to the sender's MAC
        Assert.Equal(syn.AsSpan(0, 6).ToArray(), reply.AsSpan(6, 6).ToArray());
        int addressLength = ipLength == 20 ? 4 : 16, addressOffset = l3 + (ipLength == 20 ? 12 : 8);
        Assert.Equal(server.GetAddressBytes(), reply.AsSpan(addressOffset, addressLength).ToArray());
        Assert.Equal(client.GetAddressBytes(), reply.AsSpan(addressOffset + addressLength, addressLength).ToArray());
        var tcp = reply.AsSpan(l3 + ipLength, 24);
        var synTcp = syn.AsSpan(l3 + ipLength);
        Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(synTcp[2..]), BinaryPrimitives.ReadUInt16BigEndian(tcp));
        Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(synTcp), BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]));
        Assert.NotEqual(0u, BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]));                 // the cookie
        Assert.Equal(synSequence + 1, BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]));
        Assert.Equal(6 << 4, tcp[12]);
        Assert.Equal(TcpSyn | TcpAck, tcp[13]);
        Assert.Equal(65535, BinaryPrimitives.ReadUInt16BigEndian(tcp[14..]));
        Assert.Equal([2, 4], tcp[20..22].ToArray());
        Assert.InRange(BinaryPrimitives.ReadUInt16BigEndian(tcp[22..]), (ushort)536, (ushort)1460);
        Assert.Equal(0, TransportChecksum(server, client, Tcp, tcp));
    }

    private static void AssertEvent((GuardEventHeader Header, byte[] Data) record, GuardReason reason, byte[] frame)
    {
        int captured = Math.Min(frame.Length, GuardEventHeader.CaptureLength);
        Assert.Equal(reason, record.Header.Reason);
        Assert.Equal((ushort)frame.Length, record.Header.PacketLength);
        Assert.Equal((ushort)captured, record.Header.Captured);
        Assert.NotEqual(0UL, record.Header.TimestampNs);
        Assert.Equal(frame.AsSpan(0, captured).ToArray(), record.Data.AsSpan(0, captured).ToArray());
        Assert.All(record.Data.AsSpan(captured).ToArray(), b => Assert.Equal(0, b));
    }

    private static (GuardReason, uint, GuardMarks) Meta(GuardRun run) =>
        run.Metadata is { } meta ? (run.Reason, meta.Magic, meta.Marks) : (run.Reason, 0u, GuardMarks.None);
}
