using System.Net;
using Sluice.Bpf;
using Sluice.Lab.Packets;
using Sluice.Programs.Qos;
using Sluice.Programs.TcApps;
using Xunit;

namespace Sluice.Programs.Tests.TcApps;

/// <summary>
/// qos_classify by BPF_PROG_TEST_RUN on crafted frames: every rule kind (protocol, source and destination prefix v4/v6,
/// port, port range, default) and every header shape (VLAN tags, IPv4 options, IPv6 extension headers); the class in
/// skb->priority, the DSCP in the output frame, ECN bits kept, the IPv4 header checksum still valid.
/// </summary>
public sealed class QosClassificationTests
{
    private static readonly IPAddress Sender = IPAddress.Parse("198.18.0.1");
    private static readonly IPAddress Receiver = IPAddress.Parse("198.18.0.2");
    private static readonly IPAddress Sender6 = IPAddress.Parse("fd00::1");
    private static readonly IPAddress Receiver6 = IPAddress.Parse("fd00::2");

    private static (uint Priority, byte[] Frame, int Verdict) Run(BpfProgram program, byte[] frame)
    {
        var context = new SkBuffContext();
        var output = new byte[frame.Length + 64];
        var result = program.TestRun(frame, ref context, output);
        return (context.Priority, output[..frame.Length], (int)result.ReturnValue);
    }

    [Fact]
    public void EveryRuleKindAndHeaderShapeGetsItsClassAndDscp()
    {
        using var bed = new TcAppBed();
        var target = bed.Target("qos");
        using var controller = QosController.Attach(target);
        controller.SetMany(
        [
            new QosRule(ClassifierRule.Parse("tcp", null, null, "22"), QosClass.High, Dscp.Parse("EF")),
            new QosRule(ClassifierRule.Parse("udp", null, "198.18.0.0/24", "5000-5010"), QosClass.Low, Dscp.Parse("AF11")),
            new QosRule(ClassifierRule.Parse("icmpv6", "fd00::/64", null, null), QosClass.Parse("7"), Dscp.Parse("CS5")),
            new QosRule(ClassifierRule.Parse("udp", "198.18.0.3", null, "9"), QosClass.Parse("1:40"), null),
            new QosRule(ClassifierRule.Parse("tcp", null, "fd00::2/128", "443"), QosClass.Normal, Dscp.Parse("AF41")),
            new QosRule(new ClassifierRule(), QosClass.Low, Dscp.Parse("CS1")),
        ]);
        using var collection = TcAppBed.LoadForTestRun(target, "qos.bpf.o");
        var program = collection.Program("qos_classify");

        var tcp22 = PacketBuilder.Tcp4(Sender, Receiver, 40000, 22);
        tcp22[15] = 0x02; // ECN ECT(0): must survive the rewrite
        tcp22[24] = 0; tcp22[25] = 0; // recompute the header checksum with the new TOS below
        FixIpv4Checksum(tcp22, 14);
        var cases = new (string Name, byte[] Frame, uint Priority, byte Dscp)[]
        {
            ("tcp/22 v4", tcp22, QosClass.High.Priority, 46),
            ("tcp/22 v4 + VLAN", PacketBuilder.WithVlanTags(PacketBuilder.Tcp4(Sender, Receiver, 40000, 22), new VlanTag(100)), QosClass.High.Priority, 46),
            ("tcp/22 v4 + QinQ", PacketBuilder.WithVlanTags(PacketBuilder.Tcp4(Sender, Receiver, 40000, 22), new VlanTag(100, 0x88a8), new VlanTag(200)), QosClass.High.Priority, 46),
            ("tcp/22 v4 options", PacketBuilder.Ipv4(Sender, Receiver, PacketBuilder.Tcp, PacketBuilder.TcpHeader(40000, 22, PacketBuilder.TcpSyn, 1, []),
                new Ipv4Options { Options = [1, 1, 1, 0, 0x94, 4, 0, 0] }), QosClass.High.Priority, 46),
            ("tcp/22 v6 + ext headers", PacketBuilder.Tcp6(Sender6, Receiver6, 40000, 22, PacketBuilder.TcpSyn,
                [Ipv6Extension.HopByHop(), Ipv6Extension.DestinationOptions(1)]), QosClass.High.Priority, 46),
            ("udp/5005 to 198.18.0.0/24", PacketBuilder.Udp4(Sender, Receiver, 1234, 5005), QosClass.Low.Priority, 10),
            ("udp/5011 is not in the range: default", PacketBuilder.Udp4(Sender, Receiver, 1234, 5011), QosClass.Low.Priority, 8),
            ("icmpv6 from fd00::/64", PacketBuilder.Icmp6Echo(Sender6, Receiver6), 7, 40),
            ("icmpv6 from fd00::/64 + routing header", PacketBuilder.Icmp6Echo(Sender6, Receiver6, [Ipv6Extension.Routing()]), 7, 40),
            ("from 198.18.0.3 (no DSCP)", PacketBuilder.Udp4(IPAddress.Parse("198.18.0.3"), Receiver, 1, 9), 0x10040, 0),
            ("tcp/443 to fd00::2", PacketBuilder.Tcp6(Sender6, Receiver6, 1, 443), QosClass.Normal.Priority, 34),
            ("tcp/443 to fd00::3: default", PacketBuilder.Tcp6(Sender6, IPAddress.Parse("fd00::3"), 1, 443), QosClass.Low.Priority, 8),
            ("udp/22 (rule is tcp): default", PacketBuilder.Udp4(Sender, Receiver, 1, 22), QosClass.Low.Priority, 8),
        };
        foreach (var (name, frame, priority, dscp) in cases)
        {
            var (got, output, verdict) = Run(program, frame);
            Assert.True(verdict == 0, $"{name}: verdict {verdict}");
            Assert.True(priority == got, $"{name}: priority {got:x}, expected {priority:x}");
            Assert.True(dscp == Frames.Dscp(output), $"{name}: DSCP {Frames.Dscp(output)}, expected {dscp}");
            Assert.Equal(Frames.Ecn(frame), Frames.Ecn(output));
            if ((output[Frames.IpOffset(output)] >> 4) == 4) Assert.True(Frames.Ipv4HeaderValid(output), $"{name}: IPv4 header checksum broken");
            // Only the DSCP may change.
            int ip = Frames.IpOffset(output);
            Assert.Equal(frame[(ip + 12)..], output[(ip + 12)..]);
        }
        var rules = controller.Rules();
        Assert.True(rules.Single(r => r.Rule.Match.Ports == (22, 22)).Counters.Packets >= 5);
        Assert.True(rules.Single(r => r.IsDefault).Counters.Marked >= 3);
    }

    [Fact]
    public void NonIpFramesGetTheDefaultClassAndStayUnchanged()
    {
        using var bed = new TcAppBed();
        var target = bed.Target("qos");
        using var controller = QosController.Attach(target);
        controller.Set(new QosRule(new ClassifierRule(), QosClass.Normal, 46));
        using var collection = TcAppBed.LoadForTestRun(target, "qos.bpf.o");
        var arp = PacketBuilder.Ethernet(PacketBuilder.EtherTypeArp, new byte[28]);
        var (priority, output, _) = Run(collection.Program("qos_classify"), arp);
        Assert.Equal(QosClass.Normal.Priority, priority);
        Assert.Equal(arp, output);
    }

    private static void FixIpv4Checksum(byte[] frame, int ip)
    {
        frame[ip + 10] = 0;
        frame[ip + 11] = 0;
        ushort sum = (ushort)~Frames.Sum(frame.AsSpan(ip, (frame[ip] & 0x0f) * 4));
        frame[ip + 10] = (byte)(sum >> 8);
        frame[ip + 11] = (byte)sum;
    }
}
