using System.Globalization;
using System.Net;
using Sluice.Programs.TcApps;

namespace Sluice.Programs.RateLimit;

/// <summary>What a limit is keyed by.</summary>
public enum RateLimitKeyKind
{
    /// <summary>Source address or prefix (all sources in it share one limit).</summary>
    Source = 1,
    /// <summary>Destination address or prefix.</summary>
    Destination = 2,
    /// <summary>TCP or UDP destination port.</summary>
    Port = 3,
    /// <summary>cgroup v2 of the sending socket (egress only).</summary>
    Cgroup = 4,
}

/// <summary>A limit's key.</summary>
/// <param name="Kind">What it is keyed by.</param>
/// <param name="Prefix">Source/Destination: the prefix.</param>
/// <param name="Port">Port: the port.</param>
/// <param name="CgroupId">Cgroup: the cgroup v2 id.</param>
/// <param name="CgroupPath">Cgroup: the path it was given as (null when read back from the maps).</param>
public sealed record RateLimitKey(RateLimitKeyKind Kind, IPNetwork? Prefix = null, ushort Port = 0, ulong CgroupId = 0, string? CgroupPath = null)
{
    /// <summary>True when both name the same key (a cgroup by id).</summary>
    public bool SameKey(RateLimitKey other) => other is not null && Kind == other.Kind && Prefix == other.Prefix && Port == other.Port && CgroupId == other.CgroupId;

    /// <summary>"src 198.18.0.0/24", "dst ...", "port 80", "cgroup 1234".</summary>
    public override string ToString() => Kind switch
    {
        RateLimitKeyKind.Source => $"src {Prefix}",
        RateLimitKeyKind.Destination => $"dst {Prefix}",
        RateLimitKeyKind.Port => $"port {Port.ToString(CultureInfo.InvariantCulture)}",
        _ => CgroupPath is null ? $"cgroup {CgroupId.ToString(CultureInfo.InvariantCulture)}" : $"cgroup {CgroupPath}",
    };
}

/// <summary>How a limit acts on traffic above its rate.</summary>
public enum RateLimitMode
{
    /// <summary>Drop it (token bucket of rate and burst).</summary>
    Police,
    /// <summary>Delay it (earliest departure time with fq, or an htb class per limit).</summary>
    Shape,
}

/// <summary>How shaping is done on an egress attachment; chosen at attach from what the kernel has.</summary>
public enum ShapeBackend
{
    /// <summary>No shaping (ingress attachment: police only).</summary>
    None = 0,
    /// <summary>skb->tstamp (earliest departure time) with a drop horizon, paced by the fq qdisc (needs sch_fq).</summary>
    Edt = 2,
    /// <summary>BPF puts each limit's packets into an htb class the controller creates at the limit's rate.</summary>
    Htb = 3,
}

/// <summary>A limit.</summary>
/// <param name="Key">What it limits.</param>
/// <param name="Rate">Rate (bytes or packets per second).</param>
/// <param name="Burst">Police bucket depth (bytes or packets; also the htb class's burst); null = the default (see README).</param>
/// <param name="Mode">Police or shape.</param>
/// <param name="Horizon">EDT shaping: how far ahead a packet may be scheduled before it is dropped instead (default 2 s).</param>
public sealed record RateLimitRule(RateLimitKey Key, Rate Rate, ulong? Burst = null, RateLimitMode Mode = RateLimitMode.Police, TimeSpan? Horizon = null)
{
    /// <summary>
    /// The burst used when none is given. Police: 250 ms at the rate (at least 3,000 bytes or 8 packets): TCP through a
    /// policer needs room for a window's worth of data, and 250 ms overshoots a 5-second average by at most 5 %. Shape:
    /// 1 ms at the rate (at least 1,600 bytes or 2 packets), like tc's htb default: shaping queues instead of bursting.
    /// </summary>
    public ulong EffectiveBurst => Burst ?? (Mode == RateLimitMode.Police
        ? (Rate.Unit == RateUnit.Packets ? Math.Max(8, Rate.PerSecond / 4) : Math.Max(3000, Rate.PerSecond / 4))
        : (Rate.Unit == RateUnit.Packets ? Math.Max(2, Rate.PerSecond / 1000) : Math.Max(1600, Rate.PerSecond / 1000)));

    /// <summary>The horizon used when none is given.</summary>
    public TimeSpan EffectiveHorizon => Horizon ?? TimeSpan.FromSeconds(2);
}

/// <summary>An installed limit with its counters.</summary>
/// <param name="Slot">Its index in the maps (the htb class is 1:(0x100 + slot)).</param>
/// <param name="Rule">The limit.</param>
/// <param name="Counters">Packets, bytes, drops, delays summed over CPUs.</param>
public sealed record RateLimitStatus(int Slot, RateLimitRule Rule, RateLimitCounters Counters);

/// <summary>Options of <see cref="RateLimitController.Attach"/>.</summary>
public sealed record RateLimitAttachOptions
{
    /// <summary>The hook: egress (default: shaping and policing) or ingress (policing).</summary>
    public Sluice.Bpf.TcDirection Direction { get; init; } = Sluice.Bpf.TcDirection.Egress;

    /// <summary>Egress: force a shape backend; null probes the kernel (EDT when it has sch_fq, else htb).</summary>
    public ShapeBackend? Shaper { get; init; }
}
