namespace Sluice.Programs.Guard;

/// <summary>Per-source rate limits (XDP) and connection limits (TC). 0 turns a limit off; every limit is off by default.</summary>
public sealed record GuardLimits
{
    /// <summary>The largest rate accepted (one packet per nanosecond).</summary>
    public const uint MaxRate = 1_000_000_000;

    /// <summary>The largest concurrent-connection limit: the TC stage counts a source's connections in this many slots.</summary>
    public const uint MaxConcurrentLimit = GuardConnectionSource.SlotCount;

    /// <summary>The largest burst accepted.</summary>
    public const uint MaxBurst = 10_000_000;

    /// <summary>Packets per second per source (GCRA); 0 = no packet limit.</summary>
    public uint PacketsPerSecond { get; init; }

    /// <summary>TCP SYNs (without ACK) per second per source; 0 = no SYN limit.</summary>
    public uint SynPerSecond { get; init; }

    /// <summary>Packets a source may send at once above its rate (0 or 1 = no burst).</summary>
    public uint Burst { get; init; }

    /// <summary>SYNs a source may send at once above its SYN rate (0 or 1 = no burst).</summary>
    public uint SynBurst { get; init; }

    /// <summary>How long a source that exceeds a limit is blocked; zero = not blocked, only its excess dropped.</summary>
    public TimeSpan BlockTime { get; init; }

    /// <summary>TC: new TCP connections per second per source; 0 = no limit.</summary>
    public uint ConnectionsPerSecond { get; init; }

    /// <summary>TC: new connections a source may open at once above its rate.</summary>
    public uint ConnectionBurst { get; init; }

    /// <summary>TC: open TCP connections per source; 0 = no limit, at most <see cref="MaxConcurrentLimit"/>.</summary>
    public uint MaxConcurrentConnections { get; init; }

    /// <summary>No limits at all.</summary>
    public static GuardLimits None { get; } = new();

    /// <summary>Checks the ranges.</summary>
    /// <exception cref="GuardException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        CheckRate(PacketsPerSecond, "pps");
        CheckRate(SynPerSecond, "syn pps");
        CheckRate(ConnectionsPerSecond, "connections per second");
        CheckBurst(Burst, "burst");
        CheckBurst(SynBurst, "syn burst");
        CheckBurst(ConnectionBurst, "connection burst");
        if (MaxConcurrentConnections > MaxConcurrentLimit)
            throw new GuardException($"concurrent connections {MaxConcurrentConnections} is out of range (0..{MaxConcurrentLimit})");
        if (BlockTime < TimeSpan.Zero || BlockTime > TimeSpan.FromDays(365))
            throw new GuardException($"block time {BlockTime.TotalSeconds}s is out of range (0..{TimeSpan.FromDays(365).TotalSeconds:0}s)");
    }

    /// <summary>GCRA emission interval: 1e9 / rate nanoseconds; 0 when the rate is 0.</summary>
    public static ulong Interval(uint ratePerSecond) => ratePerSecond == 0 ? 0 : 1_000_000_000UL / ratePerSecond;

    /// <summary>GCRA tolerance: (burst - 1) * interval; a burst of 0 or 1 gives 0.</summary>
    public static ulong Tolerance(uint ratePerSecond, uint burst) => burst <= 1 ? 0 : (burst - 1UL) * Interval(ratePerSecond);

    /// <summary>The rate an interval stands for (inverse of <see cref="Interval"/>, rounded).</summary>
    public static uint RateOf(ulong intervalNs) => intervalNs == 0 ? 0 : (uint)Math.Min(MaxRate, (1_000_000_000UL + intervalNs / 2) / intervalNs);

    /// <summary>The burst a tolerance stands for (inverse of <see cref="Tolerance"/>); 0 when there is no rate.</summary>
    public static uint BurstOf(ulong intervalNs, ulong toleranceNs) =>
        intervalNs == 0 || toleranceNs == 0 ? 0 : (uint)Math.Min(MaxBurst, (toleranceNs + intervalNs / 2) / intervalNs + 1);

    private static void CheckRate(uint rate, string what)
    {
        if (rate > MaxRate) throw new GuardException($"{what} {rate} is out of range (0..{MaxRate})");
    }

    private static void CheckBurst(uint burst, string what)
    {
        if (burst > MaxBurst) throw new GuardException($"{what} {burst} is out of range (0..{MaxBurst})");
    }
}
