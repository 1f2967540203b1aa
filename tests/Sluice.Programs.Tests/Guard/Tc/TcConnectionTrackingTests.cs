using System.Net;
using System.Runtime.CompilerServices;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab.Packets;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Tc;

/// <summary>
/// guard_tc's TCP connection tracking through BPF_PROG_TEST_RUN on crafted frames. A test run has no XDP stage in
/// front, so no metadata reaches the program here: marks are covered on a real veth pair (TcWithXdpTests).
/// </summary>
public sealed class TcConnectionTrackingTests
{
    private const byte SynAck = PacketBuilder.TcpSyn | PacketBuilder.TcpAck;
    private const byte Rst = PacketBuilder.TcpRst;
    private const byte FinAck = PacketBuilder.TcpFin | PacketBuilder.TcpAck;

    private static readonly IPAddress Client4 = IPAddress.Parse("198.18.0.1");
    private static readonly IPAddress OtherClient4 = IPAddress.Parse("198.18.0.3");
    private static readonly IPAddress Server4 = IPAddress.Parse("198.18.0.2");
    private static readonly IPAddress Client6 = IPAddress.Parse("fd00::1");
    private static readonly IPAddress Server6 = IPAddress.Parse("fd00::2");

    [Theory]
    [MemberData(nameof(TcStage.Families), MemberType = typeof(TcStage))]
    public void A_new_syn_opens_a_flow_and_its_retransmission_passes_without_counting_twice(string family)
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 1));
        var (client, server) = TcStage.Addresses(family);

        Assert.Equal(TcAction.Ok, stage.Run(Tcp(client, server, 40000, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Ok, stage.Run(Tcp(client, server, 40000, 80, PacketBuilder.TcpSyn)));

        Assert.Equal(1u, stage.Concurrent(client));
        var flow = Assert.Single(stage.Flows());
        Assert.Equal(client.MapToIPv6(), TcStage.Address(flow.Key.SourceAddress));
        Assert.Equal(server.MapToIPv6(), TcStage.Address(flow.Key.DestinationAddress));
        Assert.Equal(IPAddress.HostToNetworkOrder(unchecked((short)40000)), (short)flow.Key.SourcePort);
        Assert.Equal(IPAddress.HostToNetworkOrder((short)80), (short)flow.Key.DestinationPort);
        Assert.Equal(PacketBuilder.Tcp, flow.Key.Protocol);
        Assert.True(flow.Value.CreatedNs > 0 && flow.Value.LastSeenNs >= flow.Value.CreatedNs);
        Assert.Equal(2UL, stage.Stat(GuardReason.TcPassed).Packets);
    }

    [Theory]
    [MemberData(nameof(TcStage.Families), MemberType = typeof(TcStage))]
    public void Concurrent_connections_over_the_limit_are_dropped_until_fin_or_rst_closes_one(string family)
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 2));
        var (client, server) = TcStage.Addresses(family);

        Assert.Equal(TcAction.Ok, stage.Run(Tcp(client, server, 40001, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Ok, stage.Run(Tcp(client, server, 40002, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Shot, stage.Run(Tcp(client, server, 40003, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(1UL, stage.Stat(GuardReason.TcConnectionLimit).Packets);
        Assert.Equal(2u, stage.Concurrent(client));

        // Data on an open flow passes and does not open anything.
        Assert.Equal(TcAction.Ok, stage.Run(Tcp(client, server, 40001, 80, PacketBuilder.TcpAck)));
        Assert.Equal(TcAction.Ok, stage.Run(Close(client, server, 40001, 80, FinAck)));
        Assert.Equal(1u, stage.Concurrent(client));
        Assert.Equal(TcAction.Ok, stage.Run(Tcp(client, server, 40003, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Shot, stage.Run(Tcp(client, server, 40004, 80, PacketBuilder.TcpSyn)));

        Assert.Equal(TcAction.Ok, stage.Run(Close(client, server, 40002, 80, Rst)));
        Assert.Equal(1u, stage.Concurrent(client));
        Assert.Equal(TcAction.Ok, stage.Run(Tcp(client, server, 40004, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(2u, stage.Concurrent(client));
        Assert.Equal(2, stage.Flows().Count);
        Assert.Equal(2UL, stage.Stat(GuardReason.TcConnectionLimit).Packets);
        Assert.Equal(7UL, stage.Stat(GuardReason.TcPassed).Packets);
        Assert.Equal(9UL, stage.TotalPackets());
    }

    [Fact]
    public void Repeated_or_unknown_fin_and_rst_never_take_the_count_below_zero()
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 1));

        Assert.Equal(TcAction.Ok, stage.Run(Tcp(Client4, Server4, 40001, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Ok, stage.Run(Close(Client4, Server4, 40001, 80, FinAck)));
        Assert.Equal(TcAction.Ok, stage.Run(Close(Client4, Server4, 40001, 80, FinAck)));
        Assert.Equal(TcAction.Ok, stage.Run(Close(Client4, Server4, 40001, 80, Rst)));
        Assert.Equal(TcAction.Ok, stage.Run(Close(Client4, Server4, 40099, 80, Rst)));
        Assert.Equal(0u, stage.Concurrent(Client4));

        // Still exactly one slot: the decrements above did not free extra ones.
        Assert.Equal(TcAction.Ok, stage.Run(Tcp(Client4, Server4, 40002, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Shot, stage.Run(Tcp(Client4, Server4, 40003, 80, PacketBuilder.TcpSyn)));
    }

    [Theory]
    [MemberData(nameof(TcStage.Families), MemberType = typeof(TcStage))]
    public void New_connections_faster_than_the_rate_are_dropped_but_retransmissions_pass(string family)
    {
        Requires.Root();
        using var stage = new TcStage();
        // One new connection per 10 s with a burst of 2: the third within the test is over the rate.
        stage.Configure(TcStage.Limits(interval: TimeSpan.FromSeconds(10), burst: 2));
        var (client, server) = TcStage.Addresses(family);

        Assert.Equal(TcAction.Ok, stage.Run(Tcp(client, server, 40001, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Ok, stage.Run(Tcp(client, server, 40002, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Shot, stage.Run(Tcp(client, server, 40003, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Shot, stage.Run(Tcp(client, server, 40004, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Ok, stage.Run(Tcp(client, server, 40001, 80, PacketBuilder.TcpSyn)));
        // Closing does not give back rate, only concurrency.
        Assert.Equal(TcAction.Ok, stage.Run(Close(client, server, 40001, 80, Rst)));
        Assert.Equal(TcAction.Shot, stage.Run(Tcp(client, server, 40005, 80, PacketBuilder.TcpSyn)));

        Assert.Equal(3UL, stage.Stat(GuardReason.TcConnectionRate).Packets);
        Assert.Equal(0UL, stage.Stat(GuardReason.TcConnectionLimit).Packets);
        Assert.Equal(1u, stage.Concurrent(client));
        // Another source has its own budget.
        var other = family == "ipv4" ? OtherClient4 : IPAddress.Parse("fd00::3");
        Assert.Equal(TcAction.Ok, stage.Run(Tcp(other, server, 40001, 80, PacketBuilder.TcpSyn)));
    }

    [Fact]
    public void The_rate_is_checked_before_the_concurrency_limit_and_charged_only_for_admitted_connections()
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 1, interval: TimeSpan.FromSeconds(10), burst: 2));

        Assert.Equal(TcAction.Ok, stage.Run(Tcp(Client4, Server4, 40001, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Shot, stage.Run(Tcp(Client4, Server4, 40002, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Shot, stage.Run(Tcp(Client4, Server4, 40003, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(2UL, stage.Stat(GuardReason.TcConnectionLimit).Packets);
        Assert.Equal(TcAction.Ok, stage.Run(Close(Client4, Server4, 40001, 80, FinAck)));
        // The refused SYNs did not use the burst: one more connection fits, then the rate says no.
        Assert.Equal(TcAction.Ok, stage.Run(Tcp(Client4, Server4, 40002, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Ok, stage.Run(Close(Client4, Server4, 40002, 80, Rst)));
        Assert.Equal(TcAction.Shot, stage.Run(Tcp(Client4, Server4, 40003, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(1UL, stage.Stat(GuardReason.TcConnectionRate).Packets);
    }

    [Fact]
    public void With_the_limits_off_nothing_is_tracked_and_everything_passes()
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits());

        for (ushort port = 40000; port < 40010; port++)
            Assert.Equal(TcAction.Ok, stage.Run(Tcp(Client4, Server4, port, 80, PacketBuilder.TcpSyn)));

        Assert.Empty(stage.Flows());
        Assert.Null(stage.Concurrent(Client4));
        Assert.Equal(10UL, stage.Stat(GuardReason.TcPassed).Packets);
    }

    [Fact]
    public void Non_syn_packets_and_other_protocols_pass_and_are_counted_once_with_their_bytes()
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 1, tcDrop: (GuardMarks)0x1f));
        byte[][] frames =
        [
            Tcp(Client4, Server4, 40001, 80, SynAck),
            Tcp(Client4, Server4, 40001, 80, PacketBuilder.TcpAck),
            PacketBuilder.Udp4(Client4, Server4, 40001, 53),
            PacketBuilder.Icmp4Echo(Client4, Server4),
            PacketBuilder.Ipv6(Client6, Server6, PacketBuilder.Udp, PacketBuilder.UdpHeader(40001, 53)),
            PacketBuilder.Ethernet(PacketBuilder.EtherTypeArp, new byte[46]),
        ];
        // Without an XDP stage there is no metadata, hence no marks: even "drop every mark" drops nothing.
        foreach (var frame in frames) Assert.Equal(TcAction.Ok, stage.Run(frame));

        var passed = stage.Stat(GuardReason.TcPassed);
        Assert.Equal((ulong)frames.Length, passed.Packets);
        Assert.Equal((ulong)frames.Sum(f => f.Length), passed.Bytes);
        Assert.Equal((ulong)frames.Length, stage.TotalPackets());
        Assert.Empty(stage.Flows());
    }

    [Fact]
    public void Vlan_tagged_syns_are_tracked_like_untagged_ones()
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 1));

        Assert.Equal(TcAction.Ok, stage.Run(PacketBuilder.WithVlanTags(Tcp(Client4, Server4, 40001, 80, PacketBuilder.TcpSyn), new VlanTag(10))));
        Assert.Equal(TcAction.Shot, stage.Run(PacketBuilder.WithVlanTags(Tcp(Client4, Server4, 40002, 80, PacketBuilder.TcpSyn),
            new VlanTag(10, VlanTag.Ieee8021AD), new VlanTag(20))));
        Assert.Equal(TcAction.Shot, stage.Run(Tcp(Client4, Server4, 40003, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Ok, stage.Run(PacketBuilder.WithVlanTags(Close(Client4, Server4, 40001, 80, Rst), new VlanTag(10, VlanTag.Ieee8021AD))));
        Assert.Equal(0u, stage.Concurrent(Client4));
    }

    [Fact]
    public void Syns_behind_ipv4_options_and_ipv6_extension_headers_are_tracked()
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 1));
        var withOptions = new Ipv4Options { Options = [1, 1, 1, 1, 1, 1, 1, 0] }; // NOPs, end of options
        Ipv6Extension[] extensions = [Ipv6Extension.HopByHop(), Ipv6Extension.Routing(1), Ipv6Extension.DestinationOptions()];

        Assert.Equal(TcAction.Ok, stage.Run(PacketBuilder.Ipv4(Client4, Server4, PacketBuilder.Tcp,
            PacketBuilder.TcpHeader(40001, 80, PacketBuilder.TcpSyn), withOptions)));
        Assert.Equal(TcAction.Shot, stage.Run(Tcp(Client4, Server4, 40002, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Ok, stage.Run(PacketBuilder.Tcp6(Client6, Server6, 40001, 80, PacketBuilder.TcpSyn, extensions)));
        Assert.Equal(TcAction.Shot, stage.Run(Tcp(Client6, Server6, 40002, 80, PacketBuilder.TcpSyn)));
        Assert.Equal(TcAction.Ok, stage.Run(TcStage.Segment(Client6, Server6, 40001, 80, Rst, TcStage.AfterSyn, extensions: extensions)));
        Assert.Equal(0u, stage.Concurrent(Client6));
        Assert.Equal(1u, stage.Concurrent(Client4));
    }

    [Fact]
    public void Fragments_without_a_tcp_header_and_malformed_tcp_pass_untracked()
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 1));
        var syn = PacketBuilder.TcpHeader(40001, 80, PacketBuilder.TcpSyn);
        byte[][] frames =
        [
            // A non-first fragment whose bytes happen to look like a SYN: there is no TCP header in it.
            PacketBuilder.Ipv4(Client4, Server4, PacketBuilder.Tcp, syn, new Ipv4Options { FragmentOffset = 3 }),
            PacketBuilder.Ipv6(Client6, Server6, [Ipv6Extension.Fragment(offset: 3, moreFragments: false)], PacketBuilder.Tcp, syn),
            // Truncated TCP headers.
            PacketBuilder.Truncate(Tcp(Client4, Server4, 40002, 80, PacketBuilder.TcpSyn), 14 + 20 + 12),
            PacketBuilder.Truncate(Tcp(Client6, Server6, 40002, 80, PacketBuilder.TcpSyn), 14 + 40 + 12),
        ];
        foreach (var frame in frames) Assert.Equal(TcAction.Ok, stage.Run(frame));

        Assert.Empty(stage.Flows());
        Assert.Equal((ulong)frames.Length, stage.Stat(GuardReason.TcPassed).Packets);
        // A first fragment carries the TCP header and is tracked.
        Assert.Equal(TcAction.Ok, stage.Run(PacketBuilder.Ipv4(Client4, Server4, PacketBuilder.Tcp, syn, new Ipv4Options { MoreFragments = true })));
        Assert.Equal(1u, stage.Concurrent(Client4));
    }

    [Fact]
    public void A_sampled_drop_reaches_the_event_ring_with_its_reason_and_first_bytes()
    {
        Requires.Root();
        using var stage = new TcStage();
        var config = TcStage.Limits(maxConcurrent: 1);
        config.SampleRate = 1;
        stage.Configure(config);
        using var ring = new BpfRingBuffer(stage.Collection.Map(GuardMapNames.Events));
        byte[] refused = Tcp(Client4, Server4, 40002, 80, PacketBuilder.TcpSyn);

        stage.Run(Tcp(Client4, Server4, 40001, 80, PacketBuilder.TcpSyn));
        Assert.Equal(TcAction.Shot, stage.Run(refused));

        var records = new List<byte[]>();
        ring.Consume(record => records.Add(record.ToArray()));
        var record = Assert.Single(records);
        var header = System.Runtime.InteropServices.MemoryMarshal.Read<GuardEventHeader>(record);
        Assert.Equal(GuardReason.TcConnectionLimit, header.Reason);
        Assert.Equal(refused.Length, header.PacketLength);
        Assert.Equal(refused.Length, header.Captured);
        Assert.Equal(refused, record.AsSpan(Unsafe.SizeOf<GuardEventHeader>(), refused.Length).ToArray());
    }


    /// <summary>A FIN or RST from a client whose SYN (sequence 1) was tracked: it carries the sequence number the client is at.</summary>
    private static byte[] Close(IPAddress source, IPAddress destination, ushort sourcePort, ushort destinationPort, byte flags) =>
        TcStage.Segment(source, destination, sourcePort, destinationPort, flags, TcStage.AfterSyn);

    private static byte[] Tcp(IPAddress source, IPAddress destination, ushort sourcePort, ushort destinationPort, byte flags) =>
        source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? PacketBuilder.Tcp4(source, destination, sourcePort, destinationPort, flags)
            : PacketBuilder.Tcp6(source, destination, sourcePort, destinationPort, flags);
}
