using System.Net;

namespace Sluice.Programs.Guard;

/// <summary>One installed rule with its hit counters.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Packets">Packets that matched it (and it won).</param>
/// <param name="Bytes">Bytes of those packets.</param>
/// <param name="Id">The controller-assigned id (addition to the contract).</param>
public sealed record GuardRuleEntry(GuardRule Rule, ulong Packets, ulong Bytes, uint Id = 0);

/// <summary>What a rule change did.</summary>
/// <param name="Added">Rules that were not there before.</param>
/// <param name="Removed">Rules that were there and are gone.</param>
/// <param name="Unchanged">Rules already present (add) or absent (remove).</param>
public sealed record GuardChange(int Added, int Removed, int Unchanged);

/// <summary>Installed rules per map.</summary>
public sealed record GuardRuleCounts(int Exact4, int Exact6, int Prefix4, int Prefix6, int Port4, int Port6)
{
    /// <summary>Every rule.</summary>
    public int Total => Exact4 + Exact6 + Prefix4 + Prefix6 + Port4 + Port6;
}

/// <summary>The state of an attached guard.</summary>
public sealed record GuardStatus
{
    /// <summary>The protected interface.</summary>
    public required GuardTarget Target { get; init; }
    /// <summary>The XDP mode the program actually runs in (from the interface); null when XDP is not attached.</summary>
    public Sluice.Bpf.XdpMode? XdpMode { get; init; }
    /// <summary>The XDP program's id (0 = none).</summary>
    public uint XdpProgramId { get; init; }
    /// <summary>The pinned XDP link's id (0 = none).</summary>
    public uint XdpLinkId { get; init; }
    /// <summary>"tcx", "cls_bpf" or null when the TC stage is not attached.</summary>
    public string? TcMethod { get; init; }
    /// <summary>The TC program's id (0 = none).</summary>
    public uint TcProgramId { get; init; }
    /// <summary>The pinned TCX link's id (0 = none).</summary>
    public uint TcLinkId { get; init; }
    /// <summary>Installed rules per map.</summary>
    public required GuardRuleCounts RuleCounts { get; init; }
    /// <summary>The active settings.</summary>
    public required GuardSettings Settings { get; init; }
    /// <summary>The configuration generation (bumped on every change).</summary>
    public uint Generation { get; init; }
    /// <summary>The active configuration slot (0 or 1).</summary>
    public uint ActiveSlot { get; init; }
    /// <summary>guard_config.flags of the active slot.</summary>
    public GuardConfigFlags Flags { get; init; }
}

/// <summary>Progress of <see cref="GuardController.Import"/>.</summary>
/// <param name="Parsed">Rules read so far.</param>
/// <param name="Written">Map entries written so far.</param>
/// <param name="Total">Entries to write (known once parsing ends; 0 before).</param>
/// <param name="Elapsed">Time since the import started.</param>
public sealed record GuardImportProgress(long Parsed, long Written, long Total, TimeSpan Elapsed)
{
    /// <summary>Entries written per second so far.</summary>
    public double RatePerSecond => Elapsed.TotalSeconds > 0 ? Written / Elapsed.TotalSeconds : 0;
}

/// <summary>What an import did.</summary>
/// <param name="Read">Rules given.</param>
/// <param name="Duplicates">Rules given more than once (counted once).</param>
/// <param name="Added">Rules added.</param>
/// <param name="Unchanged">Rules that were installed already.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record GuardImportResult(long Read, long Duplicates, long Added, long Unchanged, TimeSpan Elapsed);

/// <summary>The guard's counters: per reason, summed over CPUs.</summary>
/// <param name="Counters">Packets and bytes per reason (every defined reason present).</param>
/// <param name="Timestamp">When they were read.</param>
public sealed record GuardStatistics(IReadOnlyDictionary<GuardReason, GuardCounter> Counters, DateTimeOffset Timestamp)
{
    /// <summary>The counter of <paramref name="reason"/> (zero when absent).</summary>
    public GuardCounter this[GuardReason reason] => Counters.TryGetValue(reason, out var counter) ? counter : default;

    /// <summary>
    /// Packets and bytes the XDP stage judged (every reason below the TC ones): the total traffic. The TC stage sees
    /// packets XDP already counted as passed, so its reasons are not added again.
    /// </summary>
    public GuardCounter XdpTotal => Sum(reason => reason < GuardReason.TcPassed);

    /// <summary>Packets and bytes of the reasons that always drop (malformed ones are not included: their verdict is configurable).</summary>
    public GuardCounter Dropped => Sum(GuardReasons.IsDrop);

    /// <summary>Packets the XDP stage judged (<see cref="XdpTotal"/>).</summary>
    public ulong XdpPackets => XdpTotal.Packets;

    /// <summary>Packets of the reasons that always drop (<see cref="Dropped"/>).</summary>
    public ulong DroppedPackets => Dropped.Packets;

    private GuardCounter Sum(Func<GuardReason, bool> include)
    {
        ulong packets = 0, bytes = 0;
        foreach (var (reason, counter) in Counters)
        {
            if (!include(reason)) continue;
            packets += counter.Packets;
            bytes += counter.Bytes;
        }
        return new GuardCounter(packets, bytes);
    }
}

/// <summary>A source the XDP stage tracks (guard_sources).</summary>
/// <param name="Source">The source address (IPv4 for IPv4-mapped keys).</param>
/// <param name="Packets">Packets seen.</param>
/// <param name="Bytes">Bytes seen.</param>
/// <param name="Dropped">Packets dropped by limits or blocks.</param>
/// <param name="Blocked">Blocked right now.</param>
public sealed record GuardSourceEntry(IPAddress Source, ulong Packets, ulong Bytes, ulong Dropped, bool Blocked);
