using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;
using Sluice.Lab.Packets;
using Sluice.Programs.Guard;
using Sluice.Programs.Tests.Guard.Tc;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Programs.Tests.Guard.EndToEnd;

/// <summary>
/// The guard's per-source state attacked on the wire: real frames over a veth pair into the guarded namespace
/// (XDP and TC stages attached), with a real TCP client and server. An off-path attacker forges FIN/RST for a
/// real connection; a spoofed SYN whose handshake never completes; a spoofed-source flood larger than the source
/// map against a blocked source. Time passing is simulated by rewriting state, never by sleeping.
/// </summary>
public sealed class ConnectionStateEndToEndTests
{
    private static readonly IPAddress Client = IPAddress.Parse(SenderAddress), ServerAddress = IPAddress.Parse(ReceiverAddress);
    private static readonly IPEndPoint Server = new(ServerAddress, 8080);

    [Fact]
    public async Task Forged_fin_and_rst_do_not_free_a_real_connections_slot_but_its_own_fin_does()
    {
        Requires.Root();
        using var bed = new TcVethBed(XdpMode.Generic);
        bed.Stage.Configure(TcStage.Limits(maxConcurrent: 1));
        bed.Listen(Server);
        var connection = bed.Client(Client);
        Assert.True(await TcVethBed.TryConnectAsync(connection, Server, Wait.Generous), "the first connection failed");
        ushort port = (ushort)((IPEndPoint)connection.LocalEndPoint!).Port;
        Assert.Equal(1u, bed.Stage.Concurrent(Client));

        // Everything an off-path attacker can send: the real addresses and ports, guessed sequence numbers, both
        // directions. A SYN from an unused source follows them; once its flow shows, the forgeries were processed.
        var forged = new List<byte[]>();
        foreach (uint guess in new uint[] { 0, 1, 2, 0x1000, 0x8000_0000, uint.MaxValue })
        {
            forged.Add(TcStage.Segment(Client, ServerAddress, port, 8080, PacketBuilder.TcpRst, guess));
            forged.Add(TcStage.Segment(Client, ServerAddress, port, 8080, PacketBuilder.TcpRst | PacketBuilder.TcpAck, guess));
            forged.Add(TcStage.Segment(Client, ServerAddress, port, 8080, PacketBuilder.TcpFin | PacketBuilder.TcpAck, guess));
            forged.Add(TcStage.Segment(ServerAddress, Client, 8080, port, PacketBuilder.TcpRst, guess));
        }
        var marker = IPAddress.Parse("198.18.0.77");
        forged.Add(PacketBuilder.Tcp4(marker, ServerAddress, 50000, 8080));
        bed.SendFrames(forged);
        Assert.True(await TcVethBed.EventuallyAsync(() => bed.Stage.Concurrent(marker) == 1), "the marker SYN never reached the TC stage");

        Assert.Equal(1u, bed.Stage.Concurrent(Client));
        Assert.NotNull(bed.Stage.Flow(Client, port));
        // The slot is still taken: a second connection is refused.
        Assert.True(await bed.ConnectionRefusedAsync(Client, Server), "the second connection's SYN was not refused");

        // The client's own FIN carries its real sequence number and frees the slot.
        connection.Shutdown(SocketShutdown.Both);
        connection.Close();
        Assert.True(await TcVethBed.EventuallyAsync(() => bed.Stage.Concurrent(Client) == 0), $"concurrent stayed {bed.Stage.Concurrent(Client)} after the client's FIN");
        Assert.True(await TcVethBed.TryConnectAsync(bed.Client(Client), Server, Wait.Generous), "the freed slot was not given back");
    }

    [Fact]
    public async Task A_spoofed_syn_that_never_completes_holds_its_slot_only_until_the_syn_timeout()
    {
        Requires.Root();
        using var bed = new TcVethBed(XdpMode.Generic);
        bed.Stage.Configure(TcStage.Limits(maxConcurrent: 1));
        bed.Listen(Server);

        // A SYN in the client's name to a closed port: the server answers RST, which the client ignores, so the
        // client never sends anything the guard could close the flow by.
        bed.SendFrames([PacketBuilder.Tcp4(Client, ServerAddress, 40404, 8081)]);
        Assert.True(await TcVethBed.EventuallyAsync(() => bed.Stage.Concurrent(Client) == 1), "the spoofed SYN was not tracked");

        Assert.True(await bed.ConnectionRefusedAsync(Client, Server), "the real connection was not refused while the spoofed SYN held the slot");

        bed.Stage.AgeConnections(Client, 31);
        Assert.Equal(0u, bed.Stage.Concurrent(Client));
        Assert.True(await TcVethBed.TryConnectAsync(bed.Client(Client), Server, Wait.Generous), "the aged slot was not given to a real connection");
        Assert.Equal(1u, bed.Stage.Concurrent(Client));
    }

    [Fact]
    public async Task A_spoofed_source_flood_larger_than_the_source_map_does_not_unblock_a_blocked_source()
    {
        Requires.Root();
        using var bed = new TcVethBed(XdpMode.Generic);
        const ulong Long = 1000UL * 1_000_000_000; // no test outlasts it: nothing refills, no block expires
        var config = GuardConfigValue.Default;
        config.PpsIntervalNs = Long;
        config.PpsToleranceNs = 2 * Long; // a burst of 3
        config.BlockNs = Long;
        bed.Stage.Configure(config);
        using var receiver = bed.UdpReceiver(new IPEndPoint(ServerAddress, 9000));
        using var sender = bed.UdpSender(Client);
        for (int i = 0; i < 5; i++) sender.SendTo(new byte[16], new IPEndPoint(ServerAddress, 9000));
        Assert.True(await TcVethBed.EventuallyAsync(() => bed.Stage.Bed.Source(Client) is { BlockedUntilNs: > 0 }), "the client was not blocked");

        // More spoofed sources than guard_sources holds (65,536), one datagram each, until the LRU has evicted the
        // client: in chunks, as the receiving veth's backlog drops what it cannot take at once.
        var server6 = IPAddress.Parse(ReceiverAddress6);
        int spoofed = 0;
        for (int chunk = 0; chunk < 200 && bed.Stage.Bed.Source(Client) is not null; chunk++)
        {
            var flood = new List<byte[]>(1024);
            for (int i = 0; i < 1024; i++, spoofed++)
            {
                var source = new byte[16];
                source[0] = 0xfd;
                source[2] = 0xf1;
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(source.AsSpan(12), spoofed);
                flood.Add(PacketBuilder.Udp6(new IPAddress(source), server6, 1234, 9001));
            }
            bed.SendFrames(flood);
        }
        Assert.True(await TcVethBed.EventuallyAsync(() => bed.Stage.Bed.Source(Client) is null),
            $"{spoofed} spoofed sources did not evict the client's source entry");

        // Its block still holds: every datagram is dropped as blocked before it reaches the socket.
        ulong blocked = bed.Stage.Stat(GuardReason.Blocked).Packets;
        int available = receiver.Available;
        for (int i = 0; i < 5; i++) sender.SendTo(new byte[16], new IPEndPoint(ServerAddress, 9000));
        Assert.True(await TcVethBed.EventuallyAsync(() => bed.Stage.Stat(GuardReason.Blocked).Packets == blocked + 5),
            $"blocked went from {blocked} to {bed.Stage.Stat(GuardReason.Blocked).Packets}, not by 5");
        Assert.Equal(available, receiver.Available);
        Assert.Equal(0UL, bed.Stage.Stat(GuardReason.BlockMapFull).Packets);
    }
}
