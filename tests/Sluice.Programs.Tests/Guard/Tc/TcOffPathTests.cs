using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab.Packets;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Tc;

/// <summary>
/// guard_tc's connection tracking against an off-path attacker (BPF_PROG_TEST_RUN on crafted frames): a FIN or RST
/// frees a slot only when it belongs to a tracked flow, comes from its client and carries the client's sequence
/// number, and only once; slots of connections that never complete or go silent age out. Time passing is simulated
/// by rewriting the slots' expiry, never by sleeping.
/// </summary>
public sealed class TcOffPathTests
{
    private const byte Syn = PacketBuilder.TcpSyn, Ack = PacketBuilder.TcpAck, Rst = PacketBuilder.TcpRst;
    private const byte FinAck = PacketBuilder.TcpFin | PacketBuilder.TcpAck, RstAck = PacketBuilder.TcpRst | PacketBuilder.TcpAck;

    private static readonly IPAddress Client = IPAddress.Parse("198.18.0.1"), Server = IPAddress.Parse("198.18.0.2");

    [Theory]
    [MemberData(nameof(TcStage.Families), MemberType = typeof(TcStage))]
    public void Fin_or_rst_without_the_clients_sequence_number_frees_nothing(string family)
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 1));
        var (client, server) = TcStage.Addresses(family);
        Assert.Equal(TcAction.Ok, stage.Run(Segment(client, server, 40001, Syn, 1000)));

        // What an off-path sender can forge: the flow's addresses and ports, a guessed sequence number.
        foreach (uint guess in new uint[] { 0, 1, 1000, 1002, 1001 + (1u << 20), 0x8000_0000, uint.MaxValue })
        {
            stage.Run(Segment(client, server, 40001, Rst, guess));
            stage.Run(Segment(client, server, 40001, RstAck, guess));
            stage.Run(Segment(client, server, 40001, FinAck, guess));
        }
        Assert.Equal(1u, stage.Concurrent(client));
        Assert.Equal(TcAction.Shot, stage.Run(Segment(client, server, 40002, Syn, 5000)));

        // The client's own RST, at the sequence number after its SYN, frees the slot.
        Assert.Equal(TcAction.Ok, stage.Run(Segment(client, server, 40001, Rst, 1001)));
        Assert.Equal(0u, stage.Concurrent(client));
        Assert.Equal(TcAction.Ok, stage.Run(Segment(client, server, 40002, Syn, 5000)));
    }

    [Fact]
    public void Fin_or_rst_from_the_server_side_or_another_flow_frees_nothing()
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 1));
        stage.Run(Segment(Client, Server, 40001, Syn, 1000));

        // The reverse direction (as if from the server) with the right number, and other ports or addresses.
        stage.Run(Segment(Server, Client, 80, Rst, 1001, sourcePort: 80, destinationPort: 40001));
        stage.Run(Segment(Client, Server, 40002, Rst, 1001));
        stage.Run(Segment(Client, IPAddress.Parse("198.18.0.9"), 40001, Rst, 1001));
        stage.Run(Segment(Client, Server, 40001, Rst, 1001, destinationPort: 81));

        Assert.Equal(1u, stage.Concurrent(Client));
        Assert.Single(stage.Flows());
    }

    [Fact]
    public void A_fin_frees_its_slot_once_and_follows_the_data_the_client_sent()
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 2));
        stage.Run(Segment(Client, Server, 40001, Syn, 1000));
        stage.Run(Segment(Client, Server, 40002, Syn, 7000));

        // Handshake ACK, 100 then 50 bytes of data, a retransmission of the first 100: the client is at 1151.
        stage.Run(Segment(Client, Server, 40001, Ack, 1001));
        stage.Run(Segment(Client, Server, 40001, Ack, 1001, payload: 100));
        stage.Run(Segment(Client, Server, 40001, Ack, 1101, payload: 50));
        stage.Run(Segment(Client, Server, 40001, Ack, 1001, payload: 100));
        Assert.Equal(1151u, stage.Flow(Client, 40001)!.Value.NextSequence);
        stage.Run(Segment(Client, Server, 40001, FinAck, 1001));
        Assert.Equal(2u, stage.Concurrent(Client));

        Assert.Equal(TcAction.Ok, stage.Run(Segment(Client, Server, 40001, FinAck, 1151)));
        Assert.Equal(1u, stage.Concurrent(Client));
        // Repeated and later closes of the ended flow, at any number, free nothing more.
        stage.Run(Segment(Client, Server, 40001, FinAck, 1151));
        stage.Run(Segment(Client, Server, 40001, Rst, 1152));
        stage.Run(Segment(Client, Server, 40001, Rst, 1151));
        Assert.Equal(1u, stage.Concurrent(Client));
        Assert.Equal(TcAction.Ok, stage.Run(Segment(Client, Server, 40003, Syn, 9000)));
        Assert.Equal(TcAction.Shot, stage.Run(Segment(Client, Server, 40004, Syn, 9000)));
    }

    [Fact]
    public void Blind_data_far_from_the_clients_sequence_neither_moves_it_nor_keeps_the_slot_alive()
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 1));
        stage.Run(Segment(Client, Server, 40001, Syn, 1000));
        ulong expiry = Expiries(stage, Client).Single();

        stage.Run(Segment(Client, Server, 40001, Ack, 1001 + (1u << 25), payload: 500));
        stage.Run(Segment(Client, Server, 40001, Ack, unchecked(1001 - (1u << 25)), payload: 500));

        var flow = stage.Flow(Client, 40001)!.Value;
        Assert.Equal((1001u, (byte)0), (flow.NextSequence, flow.State));
        Assert.Equal(expiry, Expiries(stage, Client).Single());
        Assert.Equal(TcAction.Ok, stage.Run(Segment(Client, Server, 40001, Rst, 1001)));
        Assert.Equal(0u, stage.Concurrent(Client));
    }

    [Theory]
    [MemberData(nameof(TcStage.Families), MemberType = typeof(TcStage))]
    public void Syns_that_never_complete_hold_their_slots_only_until_the_syn_timeout(string family)
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 2));
        var (client, server) = TcStage.Addresses(family);
        ulong now = TcStage.NowSeconds();
        stage.Run(Segment(client, server, 40001, Syn, 1000));
        stage.Run(Segment(client, server, 40002, Syn, 2000));
        Assert.All(Expiries(stage, client), expiry => Assert.InRange(expiry, now + 30, TcStage.NowSeconds() + 30));
        Assert.Equal(TcAction.Shot, stage.Run(Segment(client, server, 40003, Syn, 3000)));

        // 20 s on (the slots have 10 s left, far more than this test takes): still taken. 11 s more: expired.
        stage.AgeConnections(client, 20);
        Assert.Equal(TcAction.Shot, stage.Run(Segment(client, server, 40003, Syn, 3000)));
        stage.AgeConnections(client, 11);
        Assert.Equal(0u, stage.Concurrent(client));
        Assert.Equal(TcAction.Ok, stage.Run(Segment(client, server, 40003, Syn, 3000)));
        Assert.Equal(TcAction.Ok, stage.Run(Segment(client, server, 40004, Syn, 4000)));
        Assert.Equal(2u, stage.Concurrent(client));

        // A late RST of an aged-out flow, at its right number, does not free the slot a new flow took over.
        stage.Run(Segment(client, server, 40001, Rst, 1001));
        Assert.Equal(2u, stage.Concurrent(client));
        Assert.Equal(TcAction.Shot, stage.Run(Segment(client, server, 40005, Syn, 5000)));
    }

    [Fact]
    public void An_established_connection_keeps_its_slot_while_it_talks_and_loses_it_after_the_idle_timeout()
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: 1));
        stage.Run(Segment(Client, Server, 40001, Syn, 1000));
        ulong now = TcStage.NowSeconds();
        stage.Run(Segment(Client, Server, 40001, Ack, 1001));
        Assert.InRange(Expiries(stage, Client).Single(), now + 600, TcStage.NowSeconds() + 600);
        Assert.Equal((byte)1, stage.Flow(Client, 40001)!.Value.State);

        stage.AgeConnections(Client, 590);
        Assert.Equal(TcAction.Shot, stage.Run(Segment(Client, Server, 40002, Syn, 5000)));
        stage.AgeConnections(Client, 11);
        Assert.Equal(TcAction.Ok, stage.Run(Segment(Client, Server, 40002, Syn, 5000)));

        // The silent connection speaks again: its slot is gone, so its flow is forgotten (it runs on untracked).
        stage.Run(Segment(Client, Server, 40001, Ack, 1001, payload: 10));
        Assert.Null(stage.Flow(Client, 40001));
        Assert.Equal(1u, stage.Concurrent(Client));
    }

    [Fact]
    public void The_concurrent_limit_is_refused_above_the_slot_count()
    {
        var limits = new GuardLimits { MaxConcurrentConnections = GuardLimits.MaxConcurrentLimit + 1 };
        var error = Assert.Throws<GuardException>(limits.Validate);
        Assert.Equal($"concurrent connections {GuardLimits.MaxConcurrentLimit + 1} is out of range (0..{GuardLimits.MaxConcurrentLimit})", error.Message);
        new GuardLimits { MaxConcurrentConnections = GuardLimits.MaxConcurrentLimit }.Validate();
    }

    [Fact]
    public void Every_slot_can_be_taken_up_to_the_largest_limit()
    {
        Requires.Root();
        using var stage = new TcStage();
        stage.Configure(TcStage.Limits(maxConcurrent: GuardLimits.MaxConcurrentLimit));
        for (int i = 0; i < GuardLimits.MaxConcurrentLimit; i++)
            Assert.Equal(TcAction.Ok, stage.Run(Segment(Client, Server, (ushort)(30000 + i), Syn, 1)));
        Assert.Equal(TcAction.Shot, stage.Run(Segment(Client, Server, 29999, Syn, 1)));
        Assert.Equal(GuardLimits.MaxConcurrentLimit, stage.Concurrent(Client));
        Assert.All(stage.Flows(), flow => Assert.NotEqual(GuardFlow.NoSlot, flow.Value.Slot));
        Assert.Equal(GuardLimits.MaxConcurrentLimit, (uint)stage.Flows().Select(flow => flow.Value.Slot).Distinct().Count());
    }


    private static byte[] Segment(IPAddress source, IPAddress destination, ushort clientPort, byte flags, uint sequence, int payload = 0,
        ushort? sourcePort = null, ushort destinationPort = 80) =>
        TcStage.Segment(source, destination, sourcePort ?? clientPort, destinationPort, flags, sequence, payload);

    /// <summary>The expiry seconds of the source's taken slots.</summary>
    private static List<ulong> Expiries(TcStage stage, IPAddress source)
    {
        var state = stage.ConnectionSource(source)!.Value;
        var now = TcStage.NowSeconds();
        var expiries = new List<ulong>();
        foreach (ulong slot in state.Slots)
            if (slot >> 32 > now) expiries.Add(slot >> 32);
        return expiries;
    }
}
