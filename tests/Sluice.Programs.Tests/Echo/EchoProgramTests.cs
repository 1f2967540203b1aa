using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;
using Sluice.Bpf;
using Sluice.Programs.Echo;
using Sluice.Lab.Packets;
using Sluice.Programs.Tests.XdpApps;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Echo;

/// <summary>echo_xdp under BPF_PROG_TEST_RUN: which frames are answered, and that every reply's checksums verify.</summary>
public sealed class EchoProgramTests : IDisposable
{
    private static readonly IPAddress Client = IPAddress.Parse("198.18.0.1");
    private static readonly IPAddress Server = IPAddress.Parse("198.18.0.2");
    private static readonly IPAddress Client6 = IPAddress.Parse("fd00::1");
    private static readonly IPAddress Server6 = IPAddress.Parse("fd00::2");

    private readonly TestPinDirectory _pins;
    private readonly BpfCollection _collection;

    public EchoProgramTests()
    {
        Requires.Root();
        _pins = new TestPinDirectory(create: true);
        _collection = BpfCollection.Load(EmbeddedObjects.Read(EchoNames.Object), new CollectionOptions { PinPath = _pins.Path });
        using var ports = new BpfHashMap<ushort, byte>(_collection.Map(EchoNames.UdpPorts));
        ports.Update(7, 1);
    }

    [Fact]
    public void Counter_struct_matches_the_objects_btf()
    {
        var btf = EmbeddedObjects.Read(EchoNames.Object).Btf!;
        var type = btf.FindType("echo_counter", Sluice.Bpf.Object.BtfKind.Struct);
        Assert.NotNull(type);
        Assert.Equal(Unsafe.SizeOf<EchoCounter>(), (int)type.Size);
    }

    [Fact]
    public void Icmp_echo_request_becomes_a_reply_with_valid_checksums()
    {
        var request = PacketBuilder.Icmp4Echo(Client, Server);
        var (action, reply) = Run(request);
        Assert.Equal(XdpAction.Tx, action);
        var parsed = FrameChecks.AssertChecksums(reply);
        Assert.Equal(0, parsed.L4[0]);                           // echo reply
        Assert.Equal(Server, parsed.Source);
        Assert.Equal(Client, parsed.Destination);
        Assert.Equal(64, parsed.Ttl);
        Assert.Equal(Convert.ToHexString(request, 6, 6), parsed.DestinationMac);
        Assert.Equal(Convert.ToHexString(request, 0, 6), parsed.SourceMac);
        Assert.Equal(request.AsSpan(parsed.L4Offset + 4).ToArray(), parsed.L4[4..].ToArray()); // identifier, sequence, data
    }

    [Fact]
    public void Ttl_change_keeps_the_ipv4_header_checksum_right_for_any_ttl()
    {
        foreach (byte ttl in new byte[] { 1, 63, 64, 200, 255 })
        {
            var icmp = new byte[12];
            icmp[0] = 8;
            BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), PacketBuilder.Checksum(icmp));
            var request = PacketBuilder.Ipv4(Client, Server, PacketBuilder.Icmp, icmp, new Ipv4Options { TimeToLive = ttl, Identification = 0xbeef });
            var (action, reply) = Run(request);
            Assert.Equal(XdpAction.Tx, action);
            FrameChecks.AssertChecksums(reply);
        }
    }

    [Fact]
    public void Icmpv6_echo_request_becomes_a_reply_with_a_valid_checksum()
    {
        var (action, reply) = Run(PacketBuilder.Icmp6Echo(Client6, Server6));
        Assert.Equal(XdpAction.Tx, action);
        var parsed = FrameChecks.AssertChecksums(reply);
        Assert.Equal(129, parsed.L4[0]);
        Assert.Equal(Server6, parsed.Source);
        Assert.Equal(64, parsed.Ttl);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Udp_to_an_echo_port_comes_back_with_ports_swapped(bool ipv6)
    {
        var request = FrameChecks.WithUdpChecksum(ipv6
            ? PacketBuilder.Udp6(Client6, Server6, 40000, 7, payloadLength: 33)
            : PacketBuilder.Udp4(Client, Server, 40000, 7, payloadLength: 33));
        var (action, reply) = Run(request);
        Assert.Equal(XdpAction.Tx, action);
        var parsed = FrameChecks.AssertChecksums(reply);
        Assert.Equal(7, parsed.SourcePort);
        Assert.Equal(40000, parsed.DestinationPort);
        Assert.Equal(ipv6 ? Client6 : Client, parsed.Destination);
    }

    [Fact]
    public void Vlan_tagged_echo_keeps_its_tags()
    {
        var request = PacketBuilder.WithVlanTags(PacketBuilder.Icmp4Echo(Client, Server), new VlanTag(100, VlanTag.Ieee8021AD), new VlanTag(7));
        var (action, reply) = Run(request);
        Assert.Equal(XdpAction.Tx, action);
        Assert.Equal(request.AsSpan(12, 8).ToArray(), reply.AsSpan(12, 8).ToArray());
        FrameChecks.AssertChecksums(reply);
    }

    public static TheoryData<string, byte[]> NotEchoed => new()
    {
        { "udp to another port", PacketBuilder.Udp4(Client, Server, 40000, 8) },
        { "tcp", PacketBuilder.Tcp4(Client, Server, 40000, 7) },
        { "icmp echo reply", PacketBuilder.Ipv4(Client, Server, PacketBuilder.Icmp, new byte[] { 0, 0, 0xff, 0xff, 0, 0, 0, 0 }) },
        { "fragment", PacketBuilder.Ipv4(Client, Server, PacketBuilder.Icmp, new byte[] { 8, 0, 0xf7, 0xff, 0, 0, 0, 0 }, new Ipv4Options { MoreFragments = true }) },
        { "broadcast destination", PacketBuilder.Icmp4Echo(Client, IPAddress.Broadcast) },
        { "multicast ipv6", PacketBuilder.Icmp6Echo(Client6, IPAddress.Parse("ff02::1")) },
        { "truncated icmp", PacketBuilder.Truncate(PacketBuilder.Icmp4Echo(Client, Server), 14 + 20 + 2) },
        { "arp", PacketBuilder.Ethernet(PacketBuilder.EtherTypeArp, new byte[28]) },
    };

    [Theory]
    [MemberData(nameof(NotEchoed))]
    public void Everything_else_passes_unchanged(string what, byte[] frame)
    {
        var (action, output) = Run(frame);
        Assert.True(action == XdpAction.Pass, $"{what}: {action}");
        Assert.Equal(frame, output);
    }

    [Fact]
    public void Every_frame_is_counted_once_under_its_outcome()
    {
        Run(PacketBuilder.Icmp4Echo(Client, Server));
        Run(PacketBuilder.Icmp6Echo(Client6, Server6));
        Run(PacketBuilder.Udp4(Client, Server, 1, 7));
        Run(PacketBuilder.Tcp4(Client, Server, 1, 7));
        Run(PacketBuilder.Tcp4(Client, Server, 1, 8));
        using var stats = new BpfPerCpuArray<EchoCounter>(_collection.Map(EchoNames.Stats));
        ulong Packets(EchoStat stat) => stats.Lookup((uint)stat)!.Aggregate(0UL, (sum, c) => sum + c.Packets);
        Assert.Equal(1UL, Packets(EchoStat.Icmp4));
        Assert.Equal(1UL, Packets(EchoStat.Icmp6));
        Assert.Equal(1UL, Packets(EchoStat.Udp4));
        Assert.Equal(0UL, Packets(EchoStat.Udp6));
        Assert.Equal(2UL, Packets(EchoStat.Passed));
    }

    private (XdpAction Action, byte[] Output) Run(byte[] frame)
    {
        var output = new byte[frame.Length + 256];
        var result = _collection.Program(EchoNames.Program).TestRun(frame, output);
        return (result.XdpAction, output[..result.DataOutLength]);
    }

    public void Dispose()
    {
        _collection?.Dispose();
        _pins?.Dispose();
    }
}
