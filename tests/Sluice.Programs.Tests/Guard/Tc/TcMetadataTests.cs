using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Programs.Tests.Guard.Tc;

/// <summary>
/// The marks guard_xdp writes into the packet metadata decide in guard_tc, with XDP in native and in generic mode,
/// on real traffic between two namespaces.
/// </summary>
public sealed class TcMetadataTests
{
    private const int UdpPort = 9999;
    private static readonly IPAddress Sender = IPAddress.Parse(SenderAddress);
    private static readonly IPAddress AllowedSender = IPAddress.Parse(SenderSecondAddress);
    private static readonly IPEndPoint UdpServer = new(IPAddress.Parse(ReceiverAddress), UdpPort);
    private static readonly IPEndPoint TcpServer = new(IPAddress.Parse(ReceiverAddress), 8080);

    public static TheoryData<XdpMode> Modes => new() { XdpMode.Native, XdpMode.Generic };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Fragments_marked_by_xdp_are_dropped_by_tc_and_whole_datagrams_pass(XdpMode mode)
    {
        Requires.Root();
        using var bed = new TcVethBed(mode);
        var config = TcStage.Limits(tcDrop: GuardMarks.Fragment);
        config.Flags |= GuardConfigFlags.Metadata;
        config.SuspiciousMarks = GuardMarks.Fragment;
        bed.Stage.Configure(config);
        var receiver = bed.UdpReceiver(UdpServer);
        var sender = bed.UdpSender(Sender);
        sender.DontFragment = false;

        const int Small = 20, Large = 5;
        for (int i = 0; i < Small; i++) sender.SendTo(new byte[64], UdpServer);
        for (int i = 0; i < Large; i++) sender.SendTo(new byte[3000], UdpServer); // 3 fragments each at MTU 1500
        var sizes = Receive(receiver);

        Assert.Equal(Small, sizes.Count(size => size == 64));
        Assert.DoesNotContain(3000, sizes);
        var stats = bed.Stage.Bed.Statistics();
        Assert.Equal(3UL * Large, stats[(int)GuardReason.TcSuspicious].Packets);
        Assert.Equal(3UL * Large, stats[(int)GuardReason.Suspicious].Packets); // XDP passed them marked
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Tc_drops_unmatched_packets_while_an_allowed_source_passes(XdpMode mode)
    {
        Requires.Root();
        using var bed = new TcVethBed(mode);
        bed.Stage.Bed.AddRule(SenderSecondAddress, GuardRuleActions.Allow);
        var config = TcStage.Limits(tcDrop: GuardMarks.Unmatched);
        config.Flags |= GuardConfigFlags.Metadata;
        bed.Stage.Configure(config);
        var receiver = bed.UdpReceiver(UdpServer);
        var unmatched = bed.UdpSender(Sender);
        var allowed = bed.UdpSender(AllowedSender);

        const int Count = 30;
        for (int i = 0; i < Count; i++)
        {
            unmatched.SendTo(new byte[10], UdpServer);
            allowed.SendTo(new byte[20], UdpServer);
        }
        var sizes = Receive(receiver);

        Assert.Equal(Count, sizes.Count(size => size == 20));
        Assert.Equal(0, sizes.Count(size => size == 10));
        var stats = bed.Stage.Bed.Statistics();
        // At least: the sender's own IPv6 link chatter (router solicitations, MLD) is unmatched too.
        Assert.True(stats[(int)GuardReason.TcSuspicious].Packets >= Count, $"tc_suspicious {stats[(int)GuardReason.TcSuspicious].Packets}");
        Assert.True(stats[(int)GuardReason.Allowed].Packets >= Count);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Allowed_sources_skip_the_connection_limits_only_while_xdp_sends_the_metadata(XdpMode mode)
    {
        Requires.Root();
        using var bed = new TcVethBed(mode);
        bed.Stage.Bed.AddRule(SenderSecondAddress, GuardRuleActions.Allow);
        var config = TcStage.Limits(maxConcurrent: 1);
        config.Flags |= GuardConfigFlags.Metadata;
        bed.Stage.Configure(config);
        bed.Listen(TcpServer);
        var timeout = TimeSpan.FromSeconds(10);
        var refusal = TimeSpan.FromMilliseconds(1500);

        for (int i = 0; i < 3; i++)
            Assert.True(await TcVethBed.TryConnectAsync(bed.Client(AllowedSender), TcpServer, timeout), $"allowed connection {i + 1} failed");
        Assert.Null(bed.Stage.Concurrent(AllowedSender)); // never tracked: TC saw GUARD_MARK_ALLOWED on its SYNs
        Assert.True(await TcVethBed.TryConnectAsync(bed.Client(Sender), TcpServer, timeout));
        Assert.False(await TcVethBed.TryConnectAsync(bed.Client(Sender), TcpServer, refusal), "an unmatched source got past the limit");

        // Without metadata TC cannot know the source is allowed: it is limited like any other.
        config.Flags &= ~GuardConfigFlags.Metadata;
        bed.Stage.Configure(config);
        var tracked = bed.Client(AllowedSender);
        Assert.True(await TcVethBed.TryConnectAsync(tracked, TcpServer, timeout));
        Assert.False(await TcVethBed.TryConnectAsync(bed.Client(AllowedSender), TcpServer, refusal), "the limit did not apply without metadata");
        Assert.Equal(1u, bed.Stage.Concurrent(AllowedSender));

        // With metadata back, the allowed source's FIN still ends the flow it opened meanwhile.
        config.Flags |= GuardConfigFlags.Metadata;
        bed.Stage.Configure(config);
        tracked.Shutdown(SocketShutdown.Both);
        tracked.Close();
        Assert.True(await TcVethBed.EventuallyAsync(() => bed.Stage.Concurrent(AllowedSender) == 0),
            $"concurrent stayed {bed.Stage.Concurrent(AllowedSender)} after an allowed FIN");
    }

    /// <summary>The sizes of the datagrams that arrive until nothing came for half a second (five seconds at most).</summary>
    private static List<int> Receive(Socket socket)
    {
        var sizes = new List<int>();
        var buffer = new byte[65536];
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && socket.Poll(TimeSpan.FromMilliseconds(500), SelectMode.SelectRead))
            sizes.Add(socket.Receive(buffer));
        return sizes;
    }
}
