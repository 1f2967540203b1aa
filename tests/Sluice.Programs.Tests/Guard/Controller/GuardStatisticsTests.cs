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

    [Fact]
    public async Task Served_metrics_follow_a_detach_and_a_reattach_to_the_new_maps()
    {
        Sluice.Tests.Requires.Root();
        var cancellation = TestContext.Current.CancellationToken;
        using var bed = new GuardTargetBed();
        var options = new GuardAttachOptions { Mode = XdpMode.Generic };
        GuardController.Attach(bed.Target, options).Dispose();
        SetRateLimited(bed.Target, 2);
        using var source = GuardController.MetricsSource(bed.Target);
        using var refresher = new Sluice.Programs.Metrics.MetricsRefresher(source.Collect, TimeSpan.FromHours(1));
        refresher.Start();
        using var server = Sluice.Programs.Metrics.MetricsServer.Start(new IPEndPoint(IPAddress.Loopback, 0), () => refresher.Current);
        string line = $"sluice_guard_packets_total{{iface=\"{bed.Target.Interface}\",netns=\"{bed.Target.NamespaceLabel}\",reason=\"rate_limited\"}} ";
        ulong cpus = (ulong)PossibleCpus.Count;
        Assert.Contains(line + (2 * cpus), (await Metrics.MetricsServerTests.Scrape(server, "/metrics", cancellation)).Body, StringComparison.Ordinal);

        // Detached: the old fds would still read the old maps; a scrape must say the guard is gone instead.
        GuardController.Detach(bed.Target);
        refresher.Refresh();
        var gone = await Metrics.MetricsServerTests.Scrape(server, "/metrics", cancellation);
        Assert.Equal("HTTP/1.1 503 Service Unavailable", gone.Status);
        Assert.Contains("no guard on", gone.Body, StringComparison.Ordinal);

        // Attached again: new maps at the same pins, and the counters come from them.
        GuardController.Attach(bed.Target, options).Dispose();
        SetRateLimited(bed.Target, 5);
        refresher.Refresh();
        var back = await Metrics.MetricsServerTests.Scrape(server, "/metrics", cancellation);
        Assert.Equal("HTTP/1.1 200 OK", back.Status);
        Assert.Contains(line + (5 * cpus), back.Body, StringComparison.Ordinal);
        Assert.Equal(2, source.Opened);
    }

    private static void SetRateLimited(GuardTarget target, ulong packets)
    {
        using var stats = new BpfPerCpuArray<GuardCounter>(BpfMap.OpenPinned(target.PinPath(GuardMapNames.Stats)), ownsMap: true);
        stats.UpdateAll((uint)GuardReason.RateLimited, new GuardCounter(packets, packets * 60));
    }

    private static IPv6Bytes Key(string address)
    {
        var key = default(IPv6Bytes);
        IPAddress.Parse(address).TryWriteBytes(key, out _);
        return key;
    }
}
