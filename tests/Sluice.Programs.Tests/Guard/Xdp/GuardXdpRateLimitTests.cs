using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.Packets.PacketBuilder;

namespace Sluice.Programs.Tests.Guard.Xdp;

/// <summary>Per-source GCRA packet and SYN limits, temporary blocks and their expiry (Guard/README.md policy steps 3 and 5).</summary>
public sealed class GuardXdpRateLimitTests
{
    private const ulong Second = 1_000_000_000;
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
        using var bed = new GuardTestBed();
        bed.Configure(c => Limits(c, Second, burst: 5));
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
        using var bed = new GuardTestBed();
        bed.Configure(c => Limits(c, Second, burst: 2));
        var frame = Udp6(IPAddress.Parse("fd00:3::3"), IPAddress.Parse("fd00::2"), 1, 53);

        var reasons = Enumerable.Range(0, 3).Select(_ => bed.Run(frame).Reason).ToArray();

        Assert.Equal([GuardReason.Passed, GuardReason.Passed, GuardReason.RateLimited], reasons);
        Assert.Equal(3UL, bed.Source(IPAddress.Parse("fd00:3::3"))!.Value.Packets);
    }

    [Fact]
    public void Syn_limit_applies_to_syns_only()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.Configure(c => Limits(c, 0, 0, synInterval: Second, synBurst: 2));
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
        using var bed = new GuardTestBed();
        bed.Configure(c => Limits(c, Second, burst: 1));
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
        using var bed = new GuardTestBed();
        const ulong interval = Second / 10, block = 400_000_000; // 10 pps, burst 1, 400 ms block
        bed.Configure(c => Limits(c, interval, burst: 1, blockNs: block));
        var frame = Udp4(Source, Server, 1, 53);

        Assert.Equal(GuardReason.Passed, bed.Run(frame).Reason);
        Assert.Equal(GuardReason.RateLimited, bed.Run(frame).Reason);
        var blocked = bed.Source(Source)!.Value;
        Assert.NotEqual(0UL, blocked.BlockedUntilNs);
        Thread.Sleep(150); // the packet limit alone would let it through again by now
        var whileBlocked = bed.Run(frame);
        Assert.Equal((XdpAction.Drop, GuardReason.Blocked), (whileBlocked.XdpAction, whileBlocked.Reason));
        Assert.Equal(GuardReason.Passed, bed.Run(Udp4(Other, Server, 1, 53)).Reason);

        Thread.Sleep(500);
        Assert.Equal(GuardReason.Passed, bed.Run(frame).Reason);
        var after = bed.Source(Source)!.Value;
        Assert.Equal(blocked.BlockedUntilNs, after.BlockedUntilNs);
        Assert.Equal((4UL, 2UL), (after.Packets, after.Dropped));
    }

    [Fact]
    public void Blocked_source_is_dropped_before_any_rule()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.Configure(c => Limits(c, Second, burst: 10));
        bed.AddRule("198.18.3.3", GuardRuleActions.Allow);
        bed.SetSource(Source, new GuardSourceState { BlockedUntilNs = ulong.MaxValue });

        Assert.Equal(GuardReason.Blocked, bed.Run(Udp4(Source, Server, 1, 53)).Reason);
        Assert.Equal(0UL, bed.ReadRule("198.18.3.3")!.Value.Packets);
    }

    [Fact]
    public void Track_sources_counts_without_limits_and_limits_off_creates_no_state()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        var frame = Udp4(Source, Server, 1, 53);
        bed.Run(frame);
        Assert.Null(bed.Source(Source));

        bed.Configure(c => c with { Flags = c.Flags | GuardConfigFlags.TrackSources });
        for (int i = 0; i < 3; i++) Assert.Equal(GuardReason.Passed, bed.Run(frame).Reason);
        var state = bed.Source(Source)!.Value;
        Assert.Equal((3UL, 3UL * (ulong)frame.Length, 0UL), (state.Packets, state.Bytes, state.Dropped));
    }
}
