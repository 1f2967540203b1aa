using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Sluice.Bpf;

namespace Sluice.Programs.Guard;

public sealed partial class GuardController
{
    /// <summary>Per-reason counters (packets, bytes) summed over CPUs, with the time they were read.</summary>
    public GuardStatistics ReadStatistics()
    {
        var counters = new Dictionary<GuardReason, GuardCounter>();
        var perCpu = new GuardCounter[_maps.Stats.CpuCount];
        foreach (var reason in GuardReasons.All)
        {
            ulong packets = 0, bytes = 0;
            if (_maps.Stats.TryLookup((uint)reason, perCpu))
            {
                foreach (var counter in perCpu)
                {
                    packets += counter.Packets;
                    bytes += counter.Bytes;
                }
            }
            counters[reason] = new GuardCounter(packets, bytes);
        }
        return new GuardStatistics(counters, DateTimeOffset.UtcNow);
    }

    /// <summary>The <paramref name="count"/> tracked sources with the most packets (guard_sources, read in batches).</summary>
    public IReadOnlyList<GuardSourceEntry> TopSources(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ulong now = MonotonicNanoseconds();
        var blocked = BlockedSources(now);
        return [.. _maps.Sources.ReadAll(4096)
            .OrderByDescending(entry => entry.Value.Packets)
            .Take(count)
            .Select(entry => new GuardSourceEntry(SourceAddress(entry.Key), entry.Value.Packets, entry.Value.Bytes,
                entry.Value.Dropped, entry.Value.BlockedUntilNs > now || blocked.Contains(Number(entry.Key))))];
    }

    /// <summary>How many sources are blocked right now (guard_blocks, which a flood cannot evict).</summary>
    public int CountBlockedSources() => BlockedSources(MonotonicNanoseconds()).Count;

    /// <summary>
    /// The sources blocked at <paramref name="now"/>: guard_blocks holds every block; guard_sources holds copies,
    /// the only record on a guard loaded before guard_blocks existed.
    /// </summary>
    private HashSet<UInt128> BlockedSources(ulong now) => _maps.Blocks is { } blocks
        ? [.. blocks.ReadAll(4096).Where(entry => entry.Value > now).Select(entry => Number(entry.Key))]
        : [.. _maps.Sources.ReadAll(4096).Where(entry => entry.Value.BlockedUntilNs > now).Select(entry => Number(entry.Key))];

    // IPv6Bytes hashes by its first byte only (an inline array): 0 for every IPv4 source.
    private static UInt128 Number(IPv6Bytes key) => BinaryPrimitives.ReadUInt128BigEndian(key);

    /// <summary>A reader of sampled drops (guard_events); dispose it when done.</summary>
    public GuardEventReader OpenEvents() => new(_maps.OpenEvents());

    /// <summary>The metrics of this guard in Prometheus text format (counters, rule counts, blocked sources).</summary>
    public string FormatMetrics() => GuardMetrics.Format(Target, ReadStatistics(), CountRules(), CountBlockedSources());

    /// <summary>
    /// A source for a <see cref="Metrics.MetricsRefresher"/> that serves this target's <see cref="FormatMetrics"/> and
    /// follows a detach and re-attach (it opens the new maps; while nothing is attached a collection throws
    /// <see cref="GuardException"/> with <see cref="GuardFailure.NotAttached"/>). Dispose it when done.
    /// </summary>
    public static Metrics.ReopeningMetricsSource<GuardController> MetricsSource(GuardTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new(() => Open(target), controller => controller.IsCurrent, controller => controller.FormatMetrics());
    }

    /// <summary>bpf_ktime_get_ns(): CLOCK_MONOTONIC, which Stopwatch uses on Linux.</summary>
    private static ulong MonotonicNanoseconds() =>
        (ulong)(Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency));

    private static IPAddress SourceAddress(IPv6Bytes key) => GuardAddress.Identity(new IPAddress(key));
}
