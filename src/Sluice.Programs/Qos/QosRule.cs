using Sluice.Programs.TcApps;

namespace Sluice.Programs.Qos;

/// <summary>A qos rule: what it matches, the class it gives and the DSCP it writes (null = leave the DSCP alone).</summary>
/// <param name="Match">The packets; <see cref="ClassifierRule.MatchesEverything"/> makes it the default for unmatched packets.</param>
/// <param name="Class">The class (skb->priority).</param>
/// <param name="Dscp">The DSCP to write, or null.</param>
public sealed record QosRule(ClassifierRule Match, QosClass Class, byte? Dscp = null);

/// <summary>An installed rule with its counters.</summary>
/// <param name="Slot">Its index in the maps (the default rule: 1024).</param>
/// <param name="Rule">The rule.</param>
/// <param name="Counters">Packets, bytes, DSCP rewrites and rewrite errors, summed over CPUs.</param>
public sealed record QosRuleStatus(int Slot, QosRule Rule, QosCounters Counters)
{
    /// <summary>True for the default rule (packets no other rule matched).</summary>
    public bool IsDefault => Slot == (int)QosNames.DefaultSlot;
}

/// <summary>Options of <see cref="QosController.Attach"/>.</summary>
public sealed record QosAttachOptions
{
    /// <summary>The hook: egress (default) or ingress.</summary>
    public Sluice.Bpf.TcDirection Direction { get; init; } = Sluice.Bpf.TcDirection.Egress;

    /// <summary>Install an htb root qdisc with the classes high (1:10), normal (1:20) and low (1:30, the default). Egress only.</summary>
    public bool HtbQdisc { get; init; }

    /// <summary>With <see cref="HtbQdisc"/>: the link's rate, shared by the three classes (default 1gbit).</summary>
    public Rate? LinkRate { get; init; }
}
