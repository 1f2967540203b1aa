using System.Diagnostics;
using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Controller;

/// <summary>Statistics, top sources and metrics read from the pinned maps (kernel tests; values written directly).</summary>
public sealed class GuardStatisticsTests
{
    [Fact]
    public void Reads_counters_top_sources_and_blocked_sources()
    {
        Sluice.Tests.Requires.Root();
        using var bed = new GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        using (var stats = new BpfPerCpuArray<GuardCounter>(BpfMap.OpenPinned(bed.Target.PinPath(GuardMapNames.Stats)), ownsMap: true))
            stats.UpdateAll((uint)GuardReason.RateLimited, new GuardCounter(2, 120));
        ulong now = (ulong)Stopwatch.GetTimestamp();
        using (var sources = new BpfHashMap<IPv6Bytes, GuardSourceState>(BpfMap.OpenPinned(bed.Target.PinPath(GuardMapNames.Sources)), ownsMap: true))
        {
            sources.Update(Key("::ffff:198.19.0.1"), new GuardSourceState { Packets = 10, Bytes = 600, Dropped = 4, BlockedUntilNs = now + 60_000_000_000 });
            sources.Update(Key("::ffff:198.19.0.2"), new GuardSourceState { Packets = 50, Bytes = 3000 });
            sources.Update(Key("fd00::7"), new GuardSourceState { Packets = 1, Bytes = 80, BlockedUntilNs = 1 });
        }
        // guard_blocks holds the blocks (guard_sources only copies): one live, one expired, one of a source no
        // longer in guard_sources (a flood evicted it), which is still counted.
        using (var blocks = new BpfHashMap<IPv6Bytes, ulong>(BpfMap.OpenPinned(bed.Target.PinPath(GuardMapNames.Blocks)), ownsMap: true))
        {
            blocks.Update(Key("::ffff:198.19.0.1"), now + 60_000_000_000);
            blocks.Update(Key("fd00::7"), 1);
            blocks.Update(Key("::ffff:198.19.0.9"), now + 60_000_000_000);
        }
        var statistics = guard.ReadStatistics();
        Assert.Equal(2ul * (ulong)PossibleCpus.Count, statistics[GuardReason.RateLimited].Packets);
        Assert.Equal(GuardReasons.All.Count, statistics.Counters.Count);
        var top = guard.TopSources(2);
        Assert.Equal(
            [new GuardSourceEntry(IPAddress.Parse("198.19.0.2"), 50, 3000, 0, false), new GuardSourceEntry(IPAddress.Parse("198.19.0.1"), 10, 600, 4, true)],
            top);
        Assert.Equal(2, guard.CountBlockedSources());
        string metrics = guard.FormatMetrics();
        Assert.Contains($"sluice_guard_blocked_sources{{iface=\"{bed.Target.Interface}\",netns=\"{bed.Target.NamespaceLabel}\"}} 2", metrics, StringComparison.Ordinal);
        using var events = guard.OpenEvents();
        Assert.Empty(events.ReadAvailable());
    }

    private static IPv6Bytes Key(string address)
    {
        var key = default(IPv6Bytes);
        IPAddress.Parse(address).TryWriteBytes(key, out _);
        return key;
    }
}
