using Sluice.Bpf;

namespace Sluice.Programs.XdpBench;

/// <summary>The verdict the benchmarked program gives every frame.</summary>
public enum XdpBenchMode
{
    /// <summary>XDP_DROP.</summary>
    Drop,
    /// <summary>XDP_PASS (the frame goes on to the stack).</summary>
    Pass,
    /// <summary>XDP_TX with source and destination MAC swapped (back out of the receiving device).</summary>
    Tx,
    /// <summary>XDP_REDIRECT to another device (bpf_redirect).</summary>
    Redirect,
}

/// <summary>The program's counters, summed over CPUs (slots of bpf/include/xdp_bench.h).</summary>
/// <param name="Rx">Frames the program saw.</param>
/// <param name="Drop">Frames dropped.</param>
/// <param name="Pass">Frames passed to the stack.</param>
/// <param name="Tx">Frames sent back out (XDP_TX).</param>
/// <param name="Redirect">Frames redirected.</param>
/// <param name="Errors">Frames the program could not handle (too short to swap MACs, bpf_redirect refused).</param>
/// <param name="Other">Frames a port filter left alone (passed, not in <paramref name="Rx"/>).</param>
public readonly record struct XdpBenchCounters(ulong Rx, ulong Drop, ulong Pass, ulong Tx, ulong Redirect, ulong Errors, ulong Other = 0)
{
    /// <summary>The change from <paramref name="before"/> to this reading.</summary>
    public XdpBenchCounters Since(XdpBenchCounters before) =>
        new(Rx - before.Rx, Drop - before.Drop, Pass - before.Pass, Tx - before.Tx, Redirect - before.Redirect, Errors - before.Errors,
            Other - before.Other);
}

/// <summary>
/// xdp_bench.bpf.c loaded for one mode: an XDP program that gives every frame the same verdict and counts frames and
/// verdicts in per-CPU counters. Also the counting receiver of traffic tests (drop or pass mode).
/// </summary>
public sealed class XdpBenchProgram : IDisposable
{
    private const uint SlotCount = 7;
    private readonly BpfCollection _collection;
    private readonly BpfPerCpuArray<ulong> _counters;
    private readonly ulong[] _perCpu;

    private XdpBenchProgram(BpfCollection collection, XdpBenchMode mode)
    {
        _collection = collection;
        _counters = collection.PerCpuArray<ulong>("bench_counters");
        _perCpu = new ulong[_counters.CpuCount];
        Mode = mode;
    }

    /// <summary>Loads the program; <paramref name="redirectInterfaceIndex"/> is the target of <see cref="XdpBenchMode.Redirect"/>.</summary>
    /// <param name="mode">The verdict.</param>
    /// <param name="redirectInterfaceIndex">Where redirect mode sends frames.</param>
    /// <param name="onlyPort">Non-zero: count (and give the verdict to) only UDP/TCP frames to this destination port; pass the rest, counted as <see cref="XdpBenchCounters.Other"/>.</param>
    /// <exception cref="BpfException">The kernel refused the program.</exception>
    public static XdpBenchProgram Load(XdpBenchMode mode, int redirectInterfaceIndex = 0, ushort onlyPort = 0)
    {
        var spec = EmbeddedObjects.Read("xdp_bench.bpf.o");
        spec.SetGlobal("verdict", (uint)(mode switch
        {
            XdpBenchMode.Pass => XdpAction.Pass,
            XdpBenchMode.Tx => XdpAction.Tx,
            XdpBenchMode.Redirect => XdpAction.Redirect,
            _ => XdpAction.Drop,
        }));
        spec.SetGlobal("redirect_ifindex", (uint)redirectInterfaceIndex);
        spec.SetGlobal("only_port", onlyPort);
        return new XdpBenchProgram(BpfCollection.Load(spec), mode);
    }

    /// <summary>The verdict this instance gives.</summary>
    public XdpBenchMode Mode { get; }

    /// <summary>The XDP program.</summary>
    public BpfProgram Program => _collection.Program("xdp_bench");

    /// <summary>Reads the counters, summed over CPUs.</summary>
    public XdpBenchCounters Read()
    {
        Span<ulong> sums = stackalloc ulong[(int)SlotCount];
        for (uint slot = 0; slot < SlotCount; slot++)
        {
            if (!_counters.TryLookup(slot, _perCpu)) continue;
            foreach (ulong value in _perCpu) sums[(int)slot] += value;
        }
        return new XdpBenchCounters(sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _counters.Dispose();
        _collection.Dispose();
    }
}
