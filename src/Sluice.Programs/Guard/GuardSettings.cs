namespace Sluice.Programs.Guard;

/// <summary>Everything in the guard's configuration besides the rules: limits, verdicts, sampling, marks.</summary>
public sealed record GuardSettings
{
    /// <summary>Rate and connection limits (all off by default).</summary>
    public GuardLimits Limits { get; init; } = GuardLimits.None;

    /// <summary>Verdict for malformed packets (default drop).</summary>
    public GuardVerdict Malformed { get; init; } = GuardVerdict.Drop;

    /// <summary>Verdict for packets no rule matched and within limits (default pass).</summary>
    public GuardVerdict Default { get; init; } = GuardVerdict.Pass;

    /// <summary>1 in N dropped packets goes to the event ring; 0 = none (default 64).</summary>
    public ushort SampleRate { get; init; } = 64;

    /// <summary>Answer over-limit SYNs with SYN cookies instead of dropping them.</summary>
    public bool SynCookies { get; init; }

    /// <summary>Pass XDP's marks to the TC stage in packet metadata (default on).</summary>
    public bool Metadata { get; init; } = true;

    /// <summary>Keep per-source counters even without rate limits, for top sources (addition to the contract).</summary>
    public bool TrackSources { get; init; }

    /// <summary>Marks that make XDP count a passed packet as suspicious.</summary>
    public GuardMarks Suspicious { get; init; }

    /// <summary>Marks for which the TC stage drops the packet.</summary>
    public GuardMarks TcDrop { get; init; }

    /// <summary>The settings of a freshly attached guard.</summary>
    public static GuardSettings Defaults { get; } = new();

    /// <summary>Checks every value.</summary>
    /// <exception cref="GuardException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Limits);
        Limits.Validate();
        if (!Enum.IsDefined(Malformed)) throw new GuardException($"malformed verdict {(byte)Malformed} is not drop or pass");
        if (!Enum.IsDefined(Default)) throw new GuardException($"default verdict {(byte)Default} is not drop or pass");
        const GuardMarks all = GuardMarks.Allowed | GuardMarks.Fragment | GuardMarks.Malformed | GuardMarks.Unmatched | GuardMarks.NearLimit;
        if ((Suspicious & ~all) != 0 || (TcDrop & ~all) != 0) throw new GuardException("unknown mark bits");
    }

    /// <summary>The configuration map value; <paramref name="ruleFlags"/> supplies the port-rule flags.</summary>
    public GuardConfigValue ToConfigValue(uint generation, GuardConfigFlags ruleFlags)
    {
        var flags = ruleFlags & (GuardConfigFlags.PortRulesV4 | GuardConfigFlags.PortRulesV6);
        if (SynCookies) flags |= GuardConfigFlags.SynCookies;
        if (Metadata) flags |= GuardConfigFlags.Metadata;
        if (TrackSources) flags |= GuardConfigFlags.TrackSources;
        return new GuardConfigValue
        {
            Flags = flags,
            MalformedVerdict = Malformed,
            DefaultVerdict = Default,
            SampleRate = SampleRate,
            SuspiciousMarks = Suspicious,
            TcDropMarks = TcDrop,
            PpsIntervalNs = GuardLimits.Interval(Limits.PacketsPerSecond),
            PpsToleranceNs = Limits.PacketsPerSecond == 0 ? 0 : GuardLimits.Tolerance(Limits.PacketsPerSecond, Limits.Burst),
            SynIntervalNs = GuardLimits.Interval(Limits.SynPerSecond),
            SynToleranceNs = Limits.SynPerSecond == 0 ? 0 : GuardLimits.Tolerance(Limits.SynPerSecond, Limits.SynBurst),
            BlockNs = (ulong)Limits.BlockTime.Ticks * 100,
            ConnIntervalNs = GuardLimits.Interval(Limits.ConnectionsPerSecond),
            ConnToleranceNs = Limits.ConnectionsPerSecond == 0 ? 0 : GuardLimits.Tolerance(Limits.ConnectionsPerSecond, Limits.ConnectionBurst),
            MaxConcurrent = Limits.MaxConcurrentConnections,
            Generation = generation,
        };
    }

    /// <summary>The settings a configuration map value stands for (rates and bursts converted back).</summary>
    public static GuardSettings FromConfigValue(in GuardConfigValue value) => new()
    {
        Limits = new GuardLimits
        {
            PacketsPerSecond = GuardLimits.RateOf(value.PpsIntervalNs),
            Burst = GuardLimits.BurstOf(value.PpsIntervalNs, value.PpsToleranceNs),
            SynPerSecond = GuardLimits.RateOf(value.SynIntervalNs),
            SynBurst = GuardLimits.BurstOf(value.SynIntervalNs, value.SynToleranceNs),
            BlockTime = TimeSpan.FromTicks((long)(value.BlockNs / 100)),
            ConnectionsPerSecond = GuardLimits.RateOf(value.ConnIntervalNs),
            ConnectionBurst = GuardLimits.BurstOf(value.ConnIntervalNs, value.ConnToleranceNs),
            MaxConcurrentConnections = value.MaxConcurrent,
        },
        Malformed = value.MalformedVerdict,
        Default = value.DefaultVerdict,
        SampleRate = value.SampleRate,
        SynCookies = (value.Flags & GuardConfigFlags.SynCookies) != 0,
        Metadata = (value.Flags & GuardConfigFlags.Metadata) != 0,
        TrackSources = (value.Flags & GuardConfigFlags.TrackSources) != 0,
        Suspicious = value.SuspiciousMarks,
        TcDrop = value.TcDropMarks,
    };
}
