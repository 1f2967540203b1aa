using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab.Packets;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Programs.Tests.Guard.Tc;

/// <summary>
/// guard_xdp and guard_tc together on a real veth pair, XDP in native and in generic mode, TC on TCX and as a
/// cls_bpf filter, with a real TCP client and server in the namespaces.
/// </summary>
public sealed class TcWithXdpTests
{
    private const int MaxConcurrent = 3;
    private static readonly TimeSpan Handshake = Wait.Generous;
    private static readonly TimeSpan Refusal = TimeSpan.FromMilliseconds(1500);

    public static TheoryData<XdpMode, string, TcAttachMethod> ModesAndFamilies => new()
    {
        { XdpMode.Native, "ipv4", TcAttachMethod.Tcx },
        { XdpMode.Generic, "ipv4", TcAttachMethod.Tcx },
        { XdpMode.Native, "ipv6", TcAttachMethod.Tcx },
        { XdpMode.Generic, "ipv6", TcAttachMethod.Tcx },
        { XdpMode.Native, "ipv4", TcAttachMethod.Filter },
        { XdpMode.Generic, "ipv6", TcAttachMethod.Filter },
    };

    [Theory]
    [MemberData(nameof(ModesAndFamilies))]
    public async Task A_client_over_the_concurrent_limit_is_refused_until_it_closes_a_connection(XdpMode mode, string family, TcAttachMethod method)
    {
        Requires.Root();
        using var bed = new TcVethBed(mode, method);
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

    public static TheoryData<XdpMode> Modes => new() { XdpMode.Native, XdpMode.Generic };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Syns_behind_vlan_tags_the_stack_moved_to_the_skb_are_tracked_and_limited(XdpMode mode)
    {
        Requires.Root();
        using var bed = new TcVethBed(mode);
        bed.Stage.Configure(TcStage.Limits(maxConcurrent: 2));
        var client = IPAddress.Parse(SenderAddress);
        var server = IPAddress.Parse(ReceiverAddress);
        byte[] Syn(ushort port) => PacketBuilder.Tcp4(client, server, port, 8080, PacketBuilder.TcpSyn);

        // On receive the stack moves the outer tag into skb->vlan_tci before TC; a second tag stays in the frame.
        bed.SendFrames(
        [
            PacketBuilder.WithVlanTags(Syn(41001), new VlanTag(10)),
            PacketBuilder.WithVlanTags(Syn(41002), new VlanTag(10, VlanTag.Ieee8021AD), new VlanTag(20)),
            PacketBuilder.WithVlanTags(Syn(41003), new VlanTag(10)),
            PacketBuilder.WithVlanTags(Syn(41004), new VlanTag(10, VlanTag.Ieee8021AD), new VlanTag(20)),
        ]);
        Assert.True(await TcVethBed.EventuallyAsync(() => bed.Stage.Stat(GuardReason.TcConnectionLimit).Packets == 2),
            $"tc_conn_limit {bed.Stage.Stat(GuardReason.TcConnectionLimit).Packets}");
        Assert.Equal(2u, bed.Stage.Concurrent(client));
        Assert.Equal([41001, 41002], bed.Stage.Flows().Select(f => (int)(ushort)IPAddress.NetworkToHostOrder((short)f.Key.SourcePort)).Order());

        bed.SendFrames([PacketBuilder.WithVlanTags(TcStage.Segment(client, server, 41002, 8080, PacketBuilder.TcpRst, TcStage.AfterSyn),
            new VlanTag(10, VlanTag.Ieee8021AD), new VlanTag(20))]);
        Assert.True(await TcVethBed.EventuallyAsync(() => bed.Stage.Concurrent(client) == 1), $"concurrent {bed.Stage.Concurrent(client)}");
    }
}
