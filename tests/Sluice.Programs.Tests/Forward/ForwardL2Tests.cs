using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Sluice.Bpf;
using Sluice.Programs.Forward;
using Sluice.Programs.Tests.XdpApps;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Forward;

/// <summary>L2 port forwarding through forwarder namespace f: two hosts talk across it, broadcasts flood the group.</summary>
public sealed class ForwardL2Tests
{
    public ForwardL2Tests() => Requires.Root();

    [Fact]
    public async Task Ping_and_a_tcp_transfer_cross_the_forwarder_by_redirect()
    {
        using var bed = new ForwardBed(ForwardMode.L2);
        using var forward = ForwardController.Attach(bed.Place, ["pa", "pb"], new ForwardAttachOptions { XdpMode = XdpMode.Native });
        Assert.Contains(forward.SetupChanges, c => c.Setting == "tx-checksumming" && c.Interface == "h0" && c.Namespace == bed.A.Name);
        Assert.Contains(forward.SetupChanges, c => c.Setting == "gro" && c.Interface == "h0" && c.Namespace == bed.B.Name);
        var ports = forward.Ports();
        Assert.Equal(["pa", "pb"], ports.Select(p => p.Interface));
        Assert.Equal(["pb", "pa"], ports.Select(p => p.Egress));
        Assert.All(ports, p => Assert.Equal(XdpMode.Native, p.Mode));

        bed.A.Run("ping", "-c", "3", "-i", "0.2", "-W", "5", "198.18.1.2");
        bed.A.Run("ping", "-6", "-c", "3", "-i", "0.2", "-W", "5", "fd00:1::2");

        var data = RandomNumberGenerator.GetBytes(4 << 20);
        using var listener = ForwardBed.In(bed.B, () =>
        {
            var l = new TcpListener(IPAddress.Parse("198.18.1.2"), 0);
            l.Start();
            return l;
        });
        var receiving = Task.Run(() =>
        {
            using var accepted = listener.AcceptTcpClient();
            using var stream = accepted.GetStream();
            stream.ReadTimeout = 20_000;
            return SHA256.HashData(stream);
        });
        using (var client = ForwardBed.In(bed.A, () => new TcpClient(AddressFamily.InterNetwork)))
        {
            client.Connect((IPEndPoint)listener.LocalEndpoint);
            client.GetStream().Write(data);
        }
        Assert.Equal(SHA256.HashData(data), await receiving.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));

        var stats = forward.Statistics().Totals;
        Assert.True(stats[ForwardStat.Redirect].Packets > 1000, $"only {stats[ForwardStat.Redirect].Packets} frames redirected");
        Assert.True(stats[ForwardStat.Flood].Packets >= 1, "ARP / neighbour solicitation was not flooded");
        Assert.Equal(0UL, stats[ForwardStat.PassNoPort].Packets);
    }

    [Fact]
    public void A_broadcast_reaches_every_port_but_the_ingress_one()
    {
        using var bed = new ForwardBed(ForwardMode.L2, threeHosts: true);
        using var forward = ForwardController.Attach(bed.Place, ["pa", "pb", "pc"], new ForwardAttachOptions { XdpMode = XdpMode.Native });
        using var atB = ForwardBed.In(bed.B, () => new UdpClient(new IPEndPoint(IPAddress.Any, 9999)));
        using var atC = ForwardBed.In(bed.C!, () => new UdpClient(new IPEndPoint(IPAddress.Any, 9999)));
        using var capture = new PcapCapture(bed.A.Name, "h0", "inbound and udp port 9999");
        using (var sender = ForwardBed.In(bed.A, () => new UdpClient(new IPEndPoint(IPAddress.Parse("198.18.1.1"), 0)) { EnableBroadcast = true }))
        {
            for (int i = 0; i < 20; i++) sender.Send([(byte)i], new IPEndPoint(IPAddress.Parse("198.18.1.255"), 9999));
        }
        foreach (var receiver in new[] { atB, atC })
        {
            receiver.Client.ReceiveTimeout = 5000;
            var seen = new HashSet<byte>();
            for (int i = 0; i < 20; i++)
            {
                IPEndPoint? from = null;
                seen.Add(receiver.Receive(ref from)[0]);
            }
            Assert.Equal(20, seen.Count);
        }
        Assert.Empty(capture.Frames());
        Assert.True(forward.Statistics().Totals[ForwardStat.Flood].Packets >= 20);
    }

    [Fact]
    public void Steering_sends_every_flow_to_the_chosen_cpu_which_forwards_it()
    {
        int cpu = PossibleCpus.Count - 1;
        using var bed = new ForwardBed(ForwardMode.L2);
        using var forward = ForwardController.Attach(bed.Place, ["pa", "pb"], new ForwardAttachOptions { XdpMode = XdpMode.Native, SteerCpus = [cpu] });
        Assert.Equal([cpu], forward.SteeringCpus);
        bed.A.Run("ping", "-c", "5", "-i", "0.2", "-W", "5", "198.18.1.2");
        var statistics = forward.Statistics();
        Assert.True(statistics.Totals[ForwardStat.Steer].Packets >= 10);
        Assert.Equal(statistics.Totals[ForwardStat.Steer].Packets, statistics.PerCpu[cpu][ForwardStat.CpuReceived].Packets);
        Assert.True(statistics.Totals[ForwardStat.Redirect].Packets >= 10);

        forward.SetSteering([]);
        Assert.Empty(forward.SteeringCpus);
        ulong steered = forward.Statistics().Totals[ForwardStat.Steer].Packets;
        bed.A.Run("ping", "-c", "2", "-i", "0.2", "-W", "5", "198.18.1.2");
        Assert.Equal(steered, forward.Statistics().Totals[ForwardStat.Steer].Packets);
    }
}
