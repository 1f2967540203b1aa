using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Tc;

/// <summary>
/// Both guard objects on one pinned map directory (<see cref="GuardProgramBed"/> with TC), with what the TC tests
/// need besides: test runs of guard_tc and typed access to guard_slots and guard_tcp_flows. Dispose unpins everything.
/// </summary>
internal sealed class TcStage : IDisposable
{
    internal TcStage() => Bed = new GuardProgramBed(withTc: true);

    /// <summary>Both objects, the configuration and the statistics.</summary>
    internal GuardProgramBed Bed { get; }

    /// <summary>The TC stage's collection.</summary>
    internal BpfCollection Collection => Bed.Tc!;

    /// <summary>The guard_tc program.</summary>
    internal BpfProgram Program => Collection.Program(GuardMapNames.TcProgram);

    /// <summary>Writes <paramref name="config"/> as the active configuration.</summary>
    internal void Configure(GuardConfigValue config) => Bed.Configure(config);

    /// <summary>The default configuration with TC connection limits (0 = off).</summary>
    internal static GuardConfigValue Limits(uint maxConcurrent = 0, TimeSpan? interval = null, int burst = 1, GuardMarks tcDrop = GuardMarks.None)
    {
        var config = GuardConfigValue.Default;
        config.MaxConcurrent = maxConcurrent;
        if (interval is { } every)
        {
            config.ConnIntervalNs = (ulong)(every.Ticks * 100);
            config.ConnToleranceNs = (ulong)(burst - 1) * config.ConnIntervalNs;
        }
        config.TcDropMarks = tcDrop;
        return config;
    }

    /// <summary>Runs the program once on <paramref name="frame"/> (BPF_PROG_TEST_RUN).</summary>
    internal TcAction Run(byte[] frame) => Program.TestRun(frame).TcAction;

    /// <summary>Packets and bytes counted under <paramref name="reason"/>, summed over CPUs.</summary>
    internal GuardCounter Stat(GuardReason reason) => Bed.Statistics()[(int)reason];

    /// <summary>Packets counted in every statistics slot together.</summary>
    internal ulong TotalPackets() => Bed.Statistics().Aggregate(0UL, (sum, counter) => sum + counter.Packets);

    /// <summary>The source's open connections (slots taken now) in guard_slots, or null when it has no entry.</summary>
    internal uint? Concurrent(IPAddress source) =>
        ConnectionSource(source) is { } state ? (uint)state.Live(NowSeconds()) : null;

    /// <summary>The source's guard_slots entry, or null.</summary>
    internal GuardConnectionSource? ConnectionSource(IPAddress source)
    {
        using var conns = Collection.HashMap<IPv6Bytes, GuardConnectionSource>(GuardMapNames.Connections);
        return conns.TryLookup(Mapped(source), out var state) ? state : null;
    }

    /// <summary>
    /// Simulates <paramref name="seconds"/> passing for the source's connections: every taken slot's expiry and its
    /// flows' times move that far back (rewriting state, not sleeping), as if its flows had been silent that long.
    /// </summary>
    internal void AgeConnections(IPAddress source, uint seconds)
    {
        using var conns = Collection.HashMap<IPv6Bytes, GuardConnectionSource>(GuardMapNames.Connections);
        var key = Mapped(source);
        if (!conns.TryLookup(key, out var state)) return;
        for (int i = 0; i < GuardConnectionSource.SlotCount; i++)
        {
            ulong slot = state.Slots[i], expiry = slot >> 32;
            if (expiry == 0) continue;
            expiry = expiry > seconds ? expiry - seconds : 0;
            state.Slots[i] = (expiry << 32) | (slot & uint.MaxValue);
        }
        conns.Update(key, state);
        using var flows = Collection.HashMap<GuardFlowKey, GuardFlow>(GuardMapNames.Flows);
        ulong back = seconds * 1_000_000_000UL;
        foreach (var (flowKey, flow) in flows.Entries.ToList())
        {
            if (!Address(flowKey.SourceAddress).Equals(Address(key))) continue;
            flows.Update(flowKey, flow with
            {
                CreatedNs = flow.CreatedNs > back ? flow.CreatedNs - back : 0,
                LastSeenNs = flow.LastSeenNs > back ? flow.LastSeenNs - back : 0,
            });
        }
    }

    /// <summary>bpf_ktime_get_ns() in whole seconds, as the TC stage reads slot expiries (CLOCK_MONOTONIC, like Stopwatch on Linux).</summary>
    internal static ulong NowSeconds() => (ulong)System.Diagnostics.Stopwatch.GetTimestamp() / 1_000_000_000UL;

    /// <summary>
    /// A TCP segment with an explicit sequence number and <paramref name="payload"/> zero bytes of data (IPv4 or
    /// IPv6 by the addresses; IPv6 behind <paramref name="extensions"/>). The frames the builder makes by default
    /// carry sequence number 1, so the SYN's client is then at 2: what its FIN or RST must carry.
    /// </summary>
    internal static byte[] Segment(IPAddress source, IPAddress destination, ushort sourcePort, ushort destinationPort, byte flags,
        uint sequence, int payload = 0, IReadOnlyList<Lab.Packets.Ipv6Extension>? extensions = null)
    {
        var header = Lab.Packets.PacketBuilder.TcpHeader(sourcePort, destinationPort, flags, sequence, []);
        var segment = new byte[header.Length + payload];
        header.CopyTo(segment, 0);
        return source.AddressFamily == AddressFamily.InterNetwork
            ? Lab.Packets.PacketBuilder.Ipv4(source, destination, Lab.Packets.PacketBuilder.Tcp, segment)
            : Lab.Packets.PacketBuilder.Ipv6(source, destination, extensions ?? [], Lab.Packets.PacketBuilder.Tcp, segment);
    }

    /// <summary>The sequence number a client whose SYN the builder made by default is at (SYN sequence 1, plus one).</summary>
    internal const uint AfterSyn = 2;

    /// <summary>The tracked flows.</summary>
    internal List<KeyValuePair<GuardFlowKey, GuardFlow>> Flows()
    {
        using var flows = Collection.HashMap<GuardFlowKey, GuardFlow>(GuardMapNames.Flows);
        return [.. flows.Entries];
    }

    /// <summary>The tracked flow from <paramref name="client"/>:<paramref name="clientPort"/>, or null.</summary>
    internal GuardFlow? Flow(IPAddress client, ushort clientPort) =>
        Flows().Where(f => Address(f.Key.SourceAddress).Equals(Address(Mapped(client)))
            && (ushort)IPAddress.NetworkToHostOrder((short)f.Key.SourcePort) == clientPort)
            .Select(f => (GuardFlow?)f.Value).FirstOrDefault();

    /// <summary>The address families the TC tests run in, as theory data.</summary>
    public static TheoryData<string> Families => new() { "ipv4", "ipv6" };

    /// <summary>A client and a server of <paramref name="family"/> ("ipv4": 198.18.0.1/.2, "ipv6": fd00::1/::2).</summary>
    internal static (IPAddress Client, IPAddress Server) Addresses(string family) => family == "ipv4"
        ? (IPAddress.Parse("198.18.0.1"), IPAddress.Parse("198.18.0.2"))
        : (IPAddress.Parse("fd00::1"), IPAddress.Parse("fd00::2"));

    /// <summary>An address as the guard keys it: IPv6 as is, IPv4 as ::ffff:a.b.c.d.</summary>
    internal static IPv6Bytes Mapped(IPAddress address)
    {
        var bytes = new IPv6Bytes();
        var mapped = address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address;
        mapped.TryWriteBytes(bytes, out _);
        return bytes;
    }

    /// <summary>A guard key address back as an IPv6 address (IPv4 stays mapped: ::ffff:a.b.c.d).</summary>
    internal static IPAddress Address(IPv6Bytes bytes) => new(bytes);

    public void Dispose() => Bed.Dispose();
}
