using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;
using Sluice.Programs.Guard;

namespace Sluice.Programs.Tests.Guard.Tc;

/// <summary>
/// Both guard objects on one pinned map directory (<see cref="GuardTestBed"/> with TC), with what the TC tests
/// need besides: test runs of guard_tc and typed access to guard_conns and guard_flows. Dispose unpins everything.
/// </summary>
internal sealed class TcStage : IDisposable
{
    internal TcStage() => Bed = new GuardTestBed(withTc: true);

    /// <summary>Both objects, the configuration and the statistics.</summary>
    internal GuardTestBed Bed { get; }

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

    /// <summary>The source's open connection count in guard_conns, or null when it has no entry.</summary>
    internal uint? Concurrent(IPAddress source)
    {
        using var conns = Collection.HashMap<IPv6Bytes, GuardConnectionSource>(GuardMapNames.Connections);
        return conns.TryLookup(Mapped(source), out var state) ? state.Concurrent : null;
    }

    /// <summary>Sets a source's connection state directly (to test how the program treats odd values).</summary>
    internal void SetConnectionSource(IPAddress source, GuardConnectionSource state)
    {
        using var conns = Collection.HashMap<IPv6Bytes, GuardConnectionSource>(GuardMapNames.Connections);
        conns.Update(Mapped(source), state);
    }

    /// <summary>The tracked flows.</summary>
    internal List<KeyValuePair<GuardFlowKey, GuardFlow>> Flows()
    {
        using var flows = Collection.HashMap<GuardFlowKey, GuardFlow>(GuardMapNames.Flows);
        return [.. flows.Entries];
    }

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
