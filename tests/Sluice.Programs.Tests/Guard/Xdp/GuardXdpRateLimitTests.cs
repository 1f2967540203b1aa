using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.Packets.PacketBuilder;

namespace Sluice.Programs.Tests.Guard.Xdp;

/// <summary>
/// Per-source GCRA packet and SYN limits, temporary blocks and their expiry (Guard/README.md policy steps 4 and 5).
/// No test depends on how fast it runs: intervals are long enough that no token refills during a test, and time
/// passing is simulated by rewriting the source's state (its arrival times and block deadline), not by sleeping.
/// </summary>
public sealed class GuardXdpRateLimitTests
{
    private const ulong Second = 1_000_000_000;
    /// <summary>An interval no test outlasts: nothing refills while it runs, however loaded the machine.</summary>
    private const ulong Long = 1000 * Second;
    private static readonly IPAddress Source = IPAddress.Parse("198.18.3.3"), Other = IPAddress.Parse("198.18.3.4");
    private static readonly IPAddress Server = IPAddress.Parse("198.18.0.2");

    private static GuardConfigValue Limits(GuardConfigValue config, ulong ppsInterval, uint burst, ulong synInterval = 0, uint synBurst = 0, ulong blockNs = 0) =>
        config with
        {
            PpsIntervalNs = ppsInterval,
            PpsToleranceNs = ppsInterval * (burst == 0 ? 0 : burst - 1),
            SynIntervalNs = synInterval,
            SynToleranceNs = synInterval * (synBurst == 0 ? 0 : synBurst - 1),
            BlockNs = blockNs,
        };

    [Fact]
    public void Burst_passes_then_the_source_is_rate_limited_and_others_are_not()
    {
        Requires.Root();
        using var bed = new GuardProgramBed();
        bed.Configure(c => Limits(c, Long, burst: 5));
        var frame = Udp4(Source, Server, 1, 53);

        var reasons = Enumerable.Range(0, 8).Select(_ => bed.Run(frame).Reason).ToArray();

        Assert.Equal([.. Enumerable.Repeat(GuardReason.Passed, 5), .. Enumerable.Repeat(GuardReason.RateLimited, 3)], reasons);
        Assert.Equal(GuardReason.Passed, bed.Run(Udp4(Other, Server, 1, 53)).Reason);
        var state = bed.Source(Source)!.Value;
        Assert.Equal((8UL, 8UL * (ulong)frame.Length, 3UL, 0UL), (state.Packets, state.Bytes, state.Dropped, state.BlockedUntilNs));
    }

    [Fact]
    public void Ipv6_sources_are_limited_too()
    {
        Requires.Root();
        using var bed = new GuardProgramBed();
        bed.Configure(c => Limits(c, Long, burst: 2));
        var frame = Udp6(IPAddress.Parse("fd00:3::3"), IPAddress.Parse("fd00::2"), 1, 53);

        var reasons = Enumerable.Range(0, 3).Select(_ => bed.Run(frame).Reason).ToArray();

        Assert.Equal([GuardReason.Passed, GuardReason.Passed, GuardReason.RateLimited], reasons);
        Assert.Equal(3UL, bed.Source(IPAddress.Parse("fd00:3::3"))!.Value.Packets);
    }

    [Fact]
    public void Syn_limit_applies_to_syns_only()
    {
        Requires.Root();
        using var bed = new GuardProgramBed();
        bed.Configure(c => Limits(c, 0, 0, synInterval: Long, synBurst: 2));
        var syn = Tcp4(Source, Server, 1, 80);
        var ack = Tcp4(Source, Server, 1, 80, TcpAck);
        var synAck = Tcp4(Source, Server, 1, 80, TcpSyn | TcpAck);

        Assert.Equal(GuardReason.Passed, bed.Run(syn).Reason);
        Assert.Equal(GuardReason.Passed, bed.Run(syn).Reason);
        var third = bed.Run(syn);
        Assert.Equal((XdpAction.Drop, GuardReason.SynLimited), (third.XdpAction, third.Reason));
        Assert.Equal(GuardReason.SynLimited, bed.Run(syn).Reason);
        Assert.Equal(GuardReason.Passed, bed.Run(ack).Reason);
        Assert.Equal(GuardReason.Passed, bed.Run(synAck).Reason);
        Assert.Equal(GuardReason.Passed, bed.Run(Udp4(Source, Server, 1, 53)).Reason);
        Assert.Equal(2UL, bed.Source(Source)!.Value.Dropped);
    }

    [Fact]
    public void Allowed_sources_skip_the_limits_and_denied_ones_are_denied_first()
    {
        Requires.Root();
        using var bed = new GuardProgramBed();
        bed.Configure(c => Limits(c, Long, burst: 1));
        bed.AddRule("198.18.3.3", GuardRuleActions.Allow);
        bed.AddRule("198.18.3.4", GuardRuleActions.Deny);

        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(GuardReason.Allowed, bed.Run(Udp4(Source, Server, 1, 53)).Reason);
            Assert.Equal(GuardReason.Denied, bed.Run(Udp4(Other, Server, 1, 53)).Reason);
        }
    }

    [Fact]
    public void Over_limit_blocks_the_source_until_the_block_expires()
    {
        Requires.Root();
        using var bed = new GuardProgramBed();
        const ulong block = Long; // burst 1, then a block that no test outlasts
        bed.Configure(c => Limits(c, Long, burst: 1, blockNs: block));
        var frame = Udp4(Source, Server, 1, 53);

        // ktime_get_ns() and Stopwatch both read CLOCK_MONOTONIC in nanoseconds on Linux.
        ulong start = (ulong)System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.Equal(GuardReason.Passed, bed.Run(frame).Reason);
        Assert.Equal(GuardReason.RateLimited, bed.Run(frame).Reason);
        ulong end = (ulong)System.Diagnostics.Stopwatch.GetTimestamp();
        var blocked = bed.Source(Source)!.Value;
        Assert.InRange(blocked.BlockedUntilNs, start + block, end + block);

        // Rested as far as the packet limit goes (its arrival time long past): the block alone still drops.
        bed.SetSource(Source, blocked with { PacketTat = 0 });
        var whileBlocked = bed.Run(frame);
        Assert.Equal((XdpAction.Drop, GuardReason.Blocked), (whileBlocked.XdpAction, whileBlocked.Reason));
        Assert.Equal(GuardReason.Passed, bed.Run(Udp4(Other, Server, 1, 53)).Reason);

        // The block's deadline just passed: the next packet passes, and the program forgets the block (the copy in
        // guard_sources and guard_blocks itself).
        Assert.Equal(blocked.BlockedUntilNs, bed.Block(Source));
        ulong expired = (ulong)System.Diagnostics.Stopwatch.GetTimestamp() - 1;
        bed.SetSource(Source, bed.Source(Source)!.Value with { PacketTat = 0, BlockedUntilNs = expired });
        Assert.Equal(GuardReason.Passed, bed.Run(frame).Reason);
        var after = bed.Source(Source)!.Value;
        Assert.Equal(0UL, after.BlockedUntilNs);
        Assert.Null(bed.Block(Source));
        Assert.Equal((4UL, 2UL), (after.Packets, after.Dropped));
    }

    [Fact]
    public void Rules_come_before_blocks_so_an_allowed_source_is_never_blocked()
    {
        Requires.Root();
        using var bed = new GuardProgramBed();
        bed.Configure(c => Limits(c, Long, burst: 10));
        bed.AddRule("198.18.3.3", GuardRuleActions.Allow);
        bed.AddRule("198.18.3.4", GuardRuleActions.Deny);
        var unmatched = IPAddress.Parse("198.18.3.5");
        foreach (var address in new[] { Source, Other, unmatched })
            bed.SetSource(address, new GuardSourceState { BlockedUntilNs = ulong.MaxValue });

        Assert.Equal((XdpAction.Pass, GuardReason.Allowed), Verdict(bed.Run(Udp4(Source, Server, 1, 53))));
        Assert.Equal(1UL, bed.ReadRule("198.18.3.3")!.Value.Packets);
        Assert.Equal((XdpAction.Drop, GuardReason.Denied), Verdict(bed.Run(Udp4(Other, Server, 1, 53))));
        Assert.Equal((XdpAction.Drop, GuardReason.Blocked), Verdict(bed.Run(Udp4(unmatched, Server, 1, 53))));
    }

    [Fact]
    public void Mapped_ipv6_flood_cannot_block_the_allowed_ipv4_host_it_names()
    {
        Requires.Root();
        using var bed = new GuardProgramBed();
        bed.Configure(c => Limits(c, Long, burst: 2, blockNs: Long));
        bed.AddRule("198.18.3.3", GuardRuleActions.Allow);
        var mapped = Source.MapToIPv6();
        var server6 = IPAddress.Parse("fd00::2");
        // The mapped source is the allowed IPv4 host: allowed, no limit, no block, whatever the rate.
        for (int i = 0; i < 20; i++)
            Assert.Equal((XdpAction.Pass, GuardReason.Allowed), Verdict(bed.Run(Udp6(mapped, server6, 1, 53))));
        Assert.Equal((XdpAction.Pass, GuardReason.Allowed), Verdict(bed.Run(Udp4(Source, Server, 1, 53))));
        Assert.Equal(21UL, bed.ReadRule("198.18.3.3")!.Value.Packets);

        // An unlisted host's mapped flood is limited and blocked under the host's one identity: its IPv4 traffic too.
        var mappedOther = Other.MapToIPv6();
        var verdicts = Enumerable.Range(0, 5).Select(_ => bed.Run(Udp6(mappedOther, server6, 1, 53)).Reason).ToList();
        Assert.Contains(GuardReason.RateLimited, verdicts);
        Assert.NotEqual(0UL, bed.Source(Other)!.Value.BlockedUntilNs);
        Assert.Equal(GuardReason.Blocked, bed.Run(Udp4(Other, Server, 1, 53)).Reason);
    }

    private static (XdpAction, GuardReason) Verdict(GuardRun run) => (run.XdpAction, run.Reason);

    [Fact]
    public void Track_sources_counts_without_limits_and_limits_off_creates_no_state()
    {
        Requires.Root();
        using var bed = new GuardProgramBed();
        var frame = Udp4(Source, Server, 1, 53);
        bed.Run(frame);
        Assert.Null(bed.Source(Source));

        bed.Configure(c => c with { Flags = c.Flags | GuardConfigFlags.TrackSources });
        for (int i = 0; i < 3; i++) Assert.Equal(GuardReason.Passed, bed.Run(frame).Reason);
        var state = bed.Source(Source)!.Value;
        Assert.Equal((3UL, 3UL * (ulong)frame.Length, 0UL), (state.Packets, state.Bytes, state.Dropped));
    }
}
