using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab;
using Sluice.Lab.Traffic;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.Packets.PacketBuilder;

namespace Sluice.Programs.Tests.Guard.EndToEnd;

/// <summary>
/// The two attacks of issue 19 played on the wire (raw frames over veth into the guarded namespace): IPv6 packets
/// from IPv4-mapped sources (::ffff:a.b.c.d) must meet the IPv4 rules, and a spoofed mapped flood naming an allowed
/// host must not get that host blocked. TCP, UDP and ICMPv6 variants.
/// </summary>
public sealed class MappedSourceEndToEndTests(ITestOutputHelper output)
{
    private const int Packets = 20;
    private static readonly IPAddress Server6 = IPAddress.Parse(VethNamespaces.ReceiverAddress6);
    private static readonly IPAddress Attacker = IPAddress.Parse("198.19.1.1");

    public static TheoryData<XdpMode, string> Variants => new()
    {
        { XdpMode.Generic, "udp" }, { XdpMode.Generic, "tcp" }, { XdpMode.Generic, "icmpv6" }, { XdpMode.Native, "udp" },
    };

    private static byte[] Frame(string protocol, IPAddress source, ushort port, int i) => protocol switch
    {
        "udp" => Udp6(source, Server6, (ushort)(40000 + i), port),
        "tcp" => Tcp6(source, Server6, (ushort)(40000 + i), port),
        _ => Icmp6Echo(source, Server6),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Ipv4_deny_holds_for_ipv4_mapped_ipv6_sources(XdpMode mode, string protocol)
    {
        Requires.Root();
        using var lab = new GuardLab(mode);
        var deny = new GuardRule(GuardLab.AttackerRange, GuardRuleAction.Deny);
        lab.Guard.AddRules([deny]);
        using var sink = UdpSink.Start(new IPEndPoint(Server6, 9400), lab.Receiver);
        var mapped = Attacker.MapToIPv6();
        var before = lab.Guard.ReadStatistics();

        PacketSender.SendOnce(lab.Veth.SenderNamespace, lab.Veth.SenderInterface, [.. Enumerable.Range(0, Packets).Select(i => Frame(protocol, mapped, 9400, i))]);
        ulong Denied() => lab.Guard.ReadStatistics()[GuardReason.Denied].Packets - before[GuardReason.Denied].Packets;
        Wait.Until(() => Denied() >= Packets, TimeSpan.FromSeconds(5));
        // A control from an unlisted IPv6 source shows the path delivers what the guard lets through.
        var clean = IPAddress.Parse("fd00::99");
        if (protocol == "udp")
        {
            PacketSender.SendOnce(lab.Veth.SenderNamespace, lab.Veth.SenderInterface, [.. Enumerable.Range(0, Packets).Select(i => Frame(protocol, clean, 9400, i))]);
            Wait.Until(() => sink.ReceivedFrom(clean) >= Packets, TimeSpan.FromSeconds(5));
        }

        output.WriteLine($"{mode} {protocol}: {Packets} from {mapped}: denied {Denied()}, rule hits {lab.RuleHits(deny)}, "
            + $"arrived {sink.ReceivedFrom(mapped)}; control from {clean}: arrived {sink.ReceivedFrom(clean)}");
        Assert.Equal((ulong)Packets, Denied());
        Assert.Equal((ulong)Packets, lab.RuleHits(deny));
        Assert.Equal(0, sink.ReceivedFrom(mapped));
        if (protocol == "udp") Assert.Equal(Packets, sink.ReceivedFrom(clean));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task Spoofed_mapped_flood_cannot_block_an_allowed_host(XdpMode mode, string protocol)
    {
        Requires.Root();
        using var lab = new GuardLab(mode);
        var allow = new GuardRule(GuardLab.ClientRange, GuardRuleAction.Allow);
        lab.Guard.AddRules([allow]);
        lab.Guard.UpdateSettings(lab.Guard.Settings with
        {
            Limits = new GuardLimits { PacketsPerSecond = 10, Burst = 2, BlockTime = TimeSpan.FromDays(1) },
        });
        using var sink = UdpSink.Start(new IPEndPoint(GuardLab.ServerAddress, 9500), lab.Receiver);
        var mapped = GuardLab.ClientAddress.MapToIPv6();
        var before = lab.Guard.ReadStatistics();

        // The flood: far over the limit, from the allowed host's address in mapped form.
        PacketSender.SendOnce(lab.Veth.SenderNamespace, lab.Veth.SenderInterface, [.. Enumerable.Range(0, 10 * Packets).Select(i => Frame(protocol, mapped, 9500, i))]);
        ulong Allowed() => lab.Guard.ReadStatistics()[GuardReason.Allowed].Packets - before[GuardReason.Allowed].Packets;
        Wait.Until(() => Allowed() >= 10 * Packets, TimeSpan.FromSeconds(5));
        // Then the real host, over IPv4, well below the limit.
        long sent = await new UdpStream(new IPEndPoint(GuardLab.ClientAddress, 0), sink.LocalEndPoint, 50) { MaxPackets = 10 }
            .Start(lab.Sender, TestContext.Current.CancellationToken);
        Wait.Until(() => sink.ReceivedFrom(GuardLab.ClientAddress) >= sent, TimeSpan.FromSeconds(5));

        var after = lab.Guard.ReadStatistics();
        long arrived = sink.ReceivedFrom(GuardLab.ClientAddress);
        output.WriteLine($"{mode} {protocol}: flood {10 * Packets} from {mapped}, then {arrived}/{sent} datagrams from {GuardLab.ClientAddress} arrived; "
            + $"blocked {after[GuardReason.Blocked].Packets - before[GuardReason.Blocked].Packets}, blocked sources {lab.Guard.CountBlockedSources()}");
        Assert.Equal(10, sent);
        Assert.Equal(sent, arrived);
        Assert.Equal(0, lab.Guard.CountBlockedSources());
        Assert.Equal(before[GuardReason.Blocked].Packets, after[GuardReason.Blocked].Packets);
        Assert.Equal(before[GuardReason.RateLimited].Packets, after[GuardReason.RateLimited].Packets);
    }
}
