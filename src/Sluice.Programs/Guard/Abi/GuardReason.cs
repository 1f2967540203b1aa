namespace Sluice.Programs.Guard;

/// <summary>Why a packet got its verdict: the statistics slots of the guard (enum guard_reason in bpf/include/guard.h).</summary>
public enum GuardReason : uint
{
    /// <summary>No rule matched and the source is within every limit: passed.</summary>
    Passed = 0,
    /// <summary>An allow rule matched: passed, rate limits skipped.</summary>
    Allowed = 1,
    /// <summary>Neither IPv4 nor IPv6 (ARP, LLDP, ...): passed.</summary>
    NotIp = 2,
    /// <summary>A deny rule matched: dropped.</summary>
    Denied = 3,
    /// <summary>The source exceeded its packet rate: dropped.</summary>
    RateLimited = 4,
    /// <summary>The source exceeded its SYN rate: dropped.</summary>
    SynLimited = 5,
    /// <summary>The source is temporarily blocked: dropped.</summary>
    Blocked = 6,
    /// <summary>Truncated or malformed headers: the configured malformed verdict.</summary>
    Malformed = 7,
    /// <summary>Passed to the TC stage with a suspicion mark.</summary>
    Suspicious = 8,
    /// <summary>An over-limit SYN answered with a SYN cookie (XDP_TX).</summary>
    SynCookieSent = 9,
    /// <summary>No rule matched and the default verdict is drop.</summary>
    DefaultDrop = 10,
    /// <summary>TC stage: passed.</summary>
    TcPassed = 11,
    /// <summary>TC stage: too many new TCP connections per second from the source: dropped.</summary>
    TcConnectionRate = 12,
    /// <summary>TC stage: too many concurrent TCP connections from the source: dropped.</summary>
    TcConnectionLimit = 13,
    /// <summary>TC stage: dropped because of an XDP suspicion mark.</summary>
    TcSuspicious = 14,
    /// <summary>Over a limit and dropped, but the block could not be stored: guard_blocks was full (existing blocks stay).</summary>
    BlockMapFull = 15,
}

/// <summary>Facts about <see cref="GuardReason"/> values.</summary>
public static class GuardReasons
{
    /// <summary>The number of statistics slots (GUARD_REASON_COUNT).</summary>
    public const int SlotCount = 16;

    /// <summary>Every defined reason, in slot order.</summary>
    public static IReadOnlyList<GuardReason> All { get; } = Enum.GetValues<GuardReason>();

    /// <summary>True for reasons whose packets are always dropped (malformed depends on the configuration).</summary>
    public static bool IsDrop(GuardReason reason) => reason is GuardReason.Denied or GuardReason.RateLimited
        or GuardReason.SynLimited or GuardReason.Blocked or GuardReason.DefaultDrop or GuardReason.TcConnectionRate
        or GuardReason.TcConnectionLimit or GuardReason.TcSuspicious or GuardReason.BlockMapFull;

    /// <summary>The snake_case name used by the CLI, JSON output and metrics labels (e.g. "rate_limited").</summary>
    public static string Name(GuardReason reason) => reason switch
    {
        GuardReason.Passed => "passed",
        GuardReason.Allowed => "allowed",
        GuardReason.NotIp => "not_ip",
        GuardReason.Denied => "denied",
        GuardReason.RateLimited => "rate_limited",
        GuardReason.SynLimited => "syn_limited",
        GuardReason.Blocked => "blocked",
        GuardReason.Malformed => "malformed",
        GuardReason.Suspicious => "suspicious",
        GuardReason.SynCookieSent => "syncookie_sent",
        GuardReason.DefaultDrop => "default_drop",
        GuardReason.TcPassed => "tc_passed",
        GuardReason.TcConnectionRate => "tc_conn_rate",
        GuardReason.TcConnectionLimit => "tc_conn_limit",
        GuardReason.TcSuspicious => "tc_suspicious",
        GuardReason.BlockMapFull => "block_map_full",
        _ => $"reason_{(uint)reason}",
    };
}
