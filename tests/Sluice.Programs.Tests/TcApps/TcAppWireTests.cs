using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;
using Sluice.Lab.Capture;
using Sluice.Lab.Traffic;
using Sluice.Programs.Mirror;
using Sluice.Programs.Qos;
using Sluice.Programs.TcApps;
using Xunit;

namespace Sluice.Programs.Tests.TcApps;

/// <summary>
/// Real traffic between two namespaces: qos marks DSCP on the sender's egress and the receiver captures packets with
/// that DSCP and valid IPv4 header, TCP and UDP checksums (verified here, not by the kernel); mirror copies exactly the
/// matching packets to another interface while the originals still arrive.
/// </summary>
public sealed class TcAppWireTests
{
    [Fact]
    public void DscpIsOnTheWireWithValidChecksums()
    {
        using var bed = new TcAppBed();
        var veth = bed.Veth;
        // Without TX checksum offload the sender computes TCP/UDP checksums in software, so the captured ones are final.
        veth.InSender("ethtool", "-K", veth.SenderInterface, "tx", "off");
        using var controller = QosController.Attach(bed.Target("qos"));
        controller.SetMany(
        [
            new QosRule(ClassifierRule.Parse("udp", null, null, "7001"), QosClass.High, Dscp.Parse("EF")),
            new QosRule(ClassifierRule.Parse("tcp", null, null, "7002"), QosClass.Normal, Dscp.Parse("AF41")),
        ]);
        using var receiver = veth.Receiver.Open();
        using var sender = veth.Sender.Open();
        using var echo4 = TcpEchoServer.Start(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 7002), receiver);
        using var echo6 = TcpEchoServer.Start(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress6), 7002), receiver);
        using var capture = TcpdumpCapture.Start(veth.ReceiverNamespace, veth.ReceiverInterface, "(udp port 7001 or tcp dst port 7002)", direction: "in");

        sender.Run(() =>
        {
            foreach (var address in new[] { VethNamespaces.ReceiverAddress, VethNamespaces.ReceiverAddress6 })
            {
                var destination = IPAddress.Parse(address);
                using (var udp = new UdpClient(destination.AddressFamily))
                    for (int i = 0; i < 5; i++) udp.Send(new byte[100 + i], new IPEndPoint(destination, 7001));
                using var tcp = new TcpClient(destination.AddressFamily);
                tcp.Connect(destination, 7002);
                var stream = tcp.GetStream();
                var buffer = new byte[300];
                for (int i = 0; i < 5; i++)
                {
                    stream.Write(buffer);
                    stream.ReadExactly(buffer);
                }
            }
        });
        var frames = capture.Stop(TimeSpan.FromSeconds(1));

        var udpFrames = frames.Where(f => Protocol(f) == 17).ToList();
        var tcpFrames = frames.Where(f => Protocol(f) == 6).ToList();
        Assert.Equal(10, udpFrames.Count);
        Assert.True(tcpFrames.Count >= 14, $"{tcpFrames.Count} TCP frames"); // per family: SYN, ACK, 5 data, FIN...
        Assert.Contains(udpFrames, f => IsIpv6(f));
        Assert.Contains(tcpFrames, f => IsIpv6(f));
        foreach (var frame in udpFrames)
        {
            Assert.Equal(46, Frames.Dscp(frame));
            Assert.True(Frames.TransportValid(frame), "UDP checksum");
            if (!IsIpv6(frame)) Assert.True(Frames.Ipv4HeaderValid(frame), "IPv4 header checksum");
        }
        foreach (var frame in tcpFrames)
        {
            Assert.Equal(34, Frames.Dscp(frame));
            Assert.True(Frames.TransportValid(frame), "TCP checksum");
            if (!IsIpv6(frame)) Assert.True(Frames.Ipv4HeaderValid(frame), "IPv4 header checksum");
        }
        var rules = controller.Rules();
        Assert.Equal(10ul, rules.Single(r => r.Rule.Match.Protocol == 17).Counters.Marked);
    }

    [Fact]
    public void MirrorCopiesExactlyTheMatchingPacketsAndTheOriginalsArrive()
    {
        using var bed = new TcAppBed();
        var veth = bed.Veth;
        // The mirror port: a second veth pair in the receiver's namespace; copies leave m0 and are captured there.
        veth.InReceiver("ip", "link", "add", "sl-m0", "type", "veth", "peer", "name", "sl-m1");
        veth.InReceiver("ip", "link", "set", "sl-m0", "up");
        veth.InReceiver("ip", "link", "set", "sl-m1", "up");
        var target = bed.Target("mirror", receiver: true);
        using var mirror = MirrorController.Attach(target, new MirrorAttachOptions("sl-m0") { Matches = [ClassifierRule.ParseText("udp port 9001")] });

        using var onMirror = TcpdumpCapture.Start(veth.ReceiverNamespace, "sl-m1", "udp", direction: "in");
        using var onReceiver = TcpdumpCapture.Start(veth.ReceiverNamespace, veth.ReceiverInterface, "udp", direction: "in");
        using var sender = veth.Sender.Open();
        const int Matching = 37, Other = 23;
        sender.Run(() =>
        {
            using var udp = new UdpClient(AddressFamily.InterNetwork);
            var destination = IPAddress.Parse(VethNamespaces.ReceiverAddress);
            for (int i = 0; i < Matching + Other; i++)
                udp.Send(new byte[64], new IPEndPoint(destination, i % 3 == 2 && i / 3 < Other ? 9002 : 9001));
        });
        int matchingSent = Enumerable.Range(0, Matching + Other).Count(i => !(i % 3 == 2 && i / 3 < Other));
        var copies = onMirror.Stop(TimeSpan.FromSeconds(1));
        var originals = onReceiver.Stop(TimeSpan.FromSeconds(1));

        Assert.Equal(matchingSent, copies.Count);
        Assert.All(copies, f => Assert.Equal(9001, DestinationPort(f)));
        Assert.Equal(Matching + Other, originals.Count);
        var status = mirror.Status();
        Assert.Equal((ulong)matchingSent, status.Counters.Mirrored);
        Assert.Equal(0ul, status.Counters.Failed);
        Assert.True(status.Counters.Seen >= (ulong)(Matching + Other));
    }

    private static bool IsIpv6(byte[] frame) => frame[Frames.IpOffset(frame)] >> 4 == 6;

    private static int Protocol(byte[] frame)
    {
        int ip = Frames.IpOffset(frame);
        return IsIpv6(frame) ? frame[ip + 6] : frame[ip + 9];
    }

    private static int DestinationPort(byte[] frame)
    {
        int ip = Frames.IpOffset(frame);
        int l4 = ip + (IsIpv6(frame) ? 40 : (frame[ip] & 0x0f) * 4);
        return frame[l4 + 2] << 8 | frame[l4 + 3];
    }
}
