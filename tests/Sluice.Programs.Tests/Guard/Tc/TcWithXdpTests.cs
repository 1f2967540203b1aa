using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Tests;
using Xunit;
using static Sluice.Tests.VethNamespaces;

namespace Sluice.Programs.Tests.Guard.Tc;

/// <summary>
/// guard_xdp and guard_tc together on a real veth pair, XDP in native and in generic mode, with real TCP and UDP
/// sockets in the namespaces.
/// </summary>
public sealed class TcWithXdpTests
{
    private const int MaxConcurrent = 3;
    private static readonly TimeSpan Handshake = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Refusal = TimeSpan.FromMilliseconds(1500);

    public static TheoryData<XdpMode, string> ModesAndFamilies => new()
    {
        { XdpMode.Native, "ipv4" },
        { XdpMode.Generic, "ipv4" },
        { XdpMode.Native, "ipv6" },
        { XdpMode.Generic, "ipv6" },
    };

    [Theory]
    [MemberData(nameof(ModesAndFamilies))]
    public async Task A_client_over_the_concurrent_limit_is_refused_until_it_closes_a_connection(XdpMode mode, string family)
    {
        Requires.Root();
        using var bed = new TcVethBed(mode);
        bed.Stage.Configure(TcStage.Limits(maxConcurrent: MaxConcurrent));
        var (client, server) = family == "ipv4"
            ? (IPAddress.Parse(SenderAddress), new IPEndPoint(IPAddress.Parse(ReceiverAddress), 8080))
            : (IPAddress.Parse(SenderAddress6), new IPEndPoint(IPAddress.Parse(ReceiverAddress6), 8080));
        bed.Listen(server);

        var open = new List<Socket>();
        for (int i = 0; i < MaxConcurrent; i++)
        {
            var socket = bed.Client(client);
            Assert.True(await TcVethBed.TryConnectAsync(socket, server, Handshake), $"connection {i + 1} of {MaxConcurrent} failed");
            open.Add(socket);
        }
        Assert.Equal((uint)MaxConcurrent, bed.Stage.Concurrent(client));

        Assert.False(await TcVethBed.TryConnectAsync(bed.Client(client), server, Refusal), "a connection over the limit was let in");
        Assert.True(bed.Stage.Stat(GuardReason.TcConnectionLimit).Packets >= 1);

        // The client's FIN ends its flow and frees a slot.
        open[0].Shutdown(SocketShutdown.Both);
        open[0].Close();
        Assert.True(await TcVethBed.EventuallyAsync(() => bed.Stage.Concurrent(client) == MaxConcurrent - 1),
            $"concurrent stayed {bed.Stage.Concurrent(client)} after a FIN");
        Assert.True(await TcVethBed.TryConnectAsync(bed.Client(client), server, Handshake), "the freed slot was not given back");
        Assert.Equal((uint)MaxConcurrent, bed.Stage.Concurrent(client));
        Assert.Equal(MaxConcurrent, bed.Stage.Flows().Count);
        // Every packet TC saw is in exactly one TC slot, and XDP saw them too (it runs first, in both modes).
        ulong tc = bed.Stage.Stat(GuardReason.TcPassed).Packets + bed.Stage.Stat(GuardReason.TcConnectionLimit).Packets;
        ulong xdp = bed.Stage.Stat(GuardReason.Passed).Packets + bed.Stage.Stat(GuardReason.Suspicious).Packets
            + bed.Stage.Stat(GuardReason.Allowed).Packets + bed.Stage.Stat(GuardReason.NotIp).Packets;
        Assert.True(tc > 3 * MaxConcurrent, $"TC counted {tc} packets");
        Assert.True(xdp >= tc, $"XDP counted {xdp} packets, TC {tc}");
    }
}
