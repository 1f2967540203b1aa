using Sluice.Bpf;

namespace Sluice.Programs.XdpBench;

/// <summary>One interval (about a second) of a benchmark run.</summary>
/// <param name="Elapsed">Time since the run started, at the end of the interval.</param>
/// <param name="Interval">The interval's length.</param>
/// <param name="Counters">What the program counted in the interval.</param>
/// <param name="Errors">Program errors plus, live, the drops the devices counted (rx_dropped + tx_dropped) in the interval.</param>
/// <param name="Device">Live: the attached device's counters over the interval; null for test runs.</param>
/// <param name="NanosecondsPerPacket">Test runs: the kernel's mean run time over the interval; null live.</param>
public sealed record XdpBenchSample(TimeSpan Elapsed, TimeSpan Interval, XdpBenchCounters Counters, ulong Errors,
    InterfaceCounters? Device, double? NanosecondsPerPacket)
{
    /// <summary>Per-second rate of <paramref name="count"/> over the interval.</summary>
    public double PerSecond(ulong count) => Interval > TimeSpan.Zero ? count / Interval.TotalSeconds : 0;
}

/// <summary>A whole benchmark run.</summary>
/// <param name="Mode">The verdict benchmarked.</param>
/// <param name="TestRun">True for BPF_PROG_TEST_RUN (program cost), false for live traffic on a device.</param>
/// <param name="Elapsed">Wall time of the run.</param>
/// <param name="Total">Everything the program counted.</param>
/// <param name="Errors">Everything counted as an error.</param>
/// <param name="Device">Live: the device's counters over the whole run (compare <see cref="InterfaceCounters.RxPackets"/> with Total.Rx).</param>
/// <param name="NanosecondsPerPacket">Test runs: the kernel's mean run time over the run.</param>
/// <param name="Samples">The per-second samples.</param>
public sealed record XdpBenchSummary(XdpBenchMode Mode, bool TestRun, TimeSpan Elapsed, XdpBenchCounters Total, ulong Errors,
    InterfaceCounters? Device, double? NanosecondsPerPacket, IReadOnlyList<XdpBenchSample> Samples)
{
    /// <summary>Frames per second the program saw over the run.</summary>
    public double RxPerSecond => Elapsed > TimeSpan.Zero ? Total.Rx / Elapsed.TotalSeconds : 0;
}

/// <summary>Where a live benchmark attaches.</summary>
/// <param name="Interface">The device to attach to.</param>
/// <param name="Namespace">Its network namespace (name under /var/run/netns); null: the caller's.</param>
/// <param name="RedirectTo">For <see cref="XdpBenchMode.Redirect"/>: the target device, in the same namespace.</param>
/// <param name="AttachMode">Native, generic or the best the driver has.</param>
public sealed record XdpBenchTarget(string Interface, string? Namespace = null, string? RedirectTo = null,
    XdpMode AttachMode = XdpMode.BestAvailable);
