namespace Sluice.Programs.Guard;

/// <summary>guard_config.flags (GUARD_F_* in bpf/include/guard.h).</summary>
[Flags]
public enum GuardConfigFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>guard_ports4 holds rules: the XDP stage does the protocol and port lookups for IPv4.</summary>
    PortRulesV4 = 1u << 0,
    /// <summary>guard_ports6 holds rules.</summary>
    PortRulesV6 = 1u << 1,
    /// <summary>Answer over-limit SYNs with SYN cookies instead of dropping them.</summary>
    SynCookies = 1u << 2,
    /// <summary>Write struct guard_meta in front of passed packets for the TC stage.</summary>
    Metadata = 1u << 3,
    /// <summary>Keep per-source counters even without rate limits (for top sources).</summary>
    TrackSources = 1u << 4,
}

/// <summary>Suspicion marks in struct guard_meta and the config's mark masks (GUARD_MARK_*).</summary>
[Flags]
public enum GuardMarks : uint
{
    /// <summary>No marks.</summary>
    None = 0,
    /// <summary>An allow rule matched.</summary>
    Allowed = 1u << 0,
    /// <summary>An IPv4 or IPv6 fragment.</summary>
    Fragment = 1u << 1,
    /// <summary>Malformed but passed.</summary>
    Malformed = 1u << 2,
    /// <summary>No rule matched.</summary>
    Unmatched = 1u << 3,
    /// <summary>The source used more than half of its packet burst.</summary>
    NearLimit = 1u << 4,
}

/// <summary>guard_rule.actions bits (GUARD_ACTION_*): both set means allow.</summary>
[Flags]
public enum GuardRuleActions : byte
{
    /// <summary>No action (not stored by the controller).</summary>
    None = 0,
    /// <summary>Allow: pass and skip rate limits.</summary>
    Allow = 1,
    /// <summary>Deny: drop.</summary>
    Deny = 2,
}

/// <summary>How specific a rule is besides its address (GUARD_SCOPE_*).</summary>
public enum GuardScope : byte
{
    /// <summary>Every protocol and port.</summary>
    Any = 0,
    /// <summary>One protocol, every port.</summary>
    Protocol = 1,
    /// <summary>One protocol and destination port.</summary>
    Port = 2,
}

/// <summary>The two verdicts the configuration can choose (GUARD_VERDICT_*, the XDP action numbers).</summary>
public enum GuardVerdict : byte
{
    /// <summary>XDP_DROP.</summary>
    Drop = 1,
    /// <summary>XDP_PASS.</summary>
    Pass = 2,
}
