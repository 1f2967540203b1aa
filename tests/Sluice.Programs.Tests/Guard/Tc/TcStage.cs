using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Tests;

namespace Sluice.Programs.Tests.Guard.Tc;

/// <summary>
/// guard_tc.bpf.o loaded with its maps pinned in a fresh test directory (so guard_xdp.bpf.o loaded with the same
/// directory shares them), with typed access to the maps the TC stage uses. Dispose unpins everything.
/// </summary>
internal sealed class TcStage : IDisposable
{
    private readonly TestPinDirectory _pins;
    private readonly List<BpfCollection> _collections = [];

    internal TcStage()
    {
        _pins = new TestPinDirectory(create: true);
        try
        {
            Collection = Load(GuardMapNames.TcObject);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The TC stage's collection.</summary>
    internal BpfCollection Collection { get; }

    /// <summary>The guard_tc program.</summary>
    internal BpfProgram Program => Collection.Program(GuardMapNames.TcProgram);

    /// <summary>The pin directory both stages share.</summary>
    internal string PinDirectory => _pins.Path;

    /// <summary>Loads another guard object (guard_xdp.bpf.o) on the same pinned maps; disposed with this stage.</summary>
    internal BpfCollection Load(string objectName)
    {
        var collection = BpfCollection.Load(EmbeddedObjects.Read(objectName), new CollectionOptions { PinPath = _pins.Path });
        _collections.Add(collection);
        return collection;
    }

    /// <summary>Writes <paramref name="config"/> into slot 0 and makes slot 0 active.</summary>
    internal void Configure(GuardConfigValue config)
    {
        using var slots = Collection.ArrayMap<GuardConfigValue>(GuardMapNames.Config);
        slots[0] = config;
        using var select = Collection.ArrayMap<uint>(GuardMapNames.ConfigSelect);
        select[0] = 0;
    }

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
    internal GuardCounter Stat(GuardReason reason)
    {
        using var stats = Collection.PerCpuArray<GuardCounter>(GuardMapNames.Stats);
        var perCpu = stats.Lookup((uint)reason) ?? [];
        return new GuardCounter((ulong)perCpu.Sum(c => (long)c.Packets), (ulong)perCpu.Sum(c => (long)c.Bytes));
    }

    /// <summary>Packets counted in every statistics slot together.</summary>
    internal ulong TotalPackets() =>
        GuardReasons.All.Aggregate(0UL, (sum, reason) => sum + Stat(reason).Packets);

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

    public void Dispose()
    {
        foreach (var collection in _collections) collection.Dispose();
        _pins.Dispose();
    }
}
