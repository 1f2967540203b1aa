using System.Runtime.InteropServices;
using Sluice.Bpf;
using Sluice.Programs.TcApps;

namespace Sluice.Programs.Mirror;

// struct mirror_target (MirrorTargetValue) and struct mirror_counters are generated from the object's BTF
// (namespace Sluice.Programs), with bpf/mirror.bpf.c's comments as their docs.

/// <summary>Options of <see cref="MirrorController.Attach"/>.</summary>
/// <param name="MirrorInterface">Where copies go (its egress), in the same namespace.</param>
public sealed record MirrorAttachOptions(string MirrorInterface)
{
    /// <summary>The hook copied from: ingress (default) or egress.</summary>
    public TcDirection Direction { get; init; } = TcDirection.Ingress;

    /// <summary>Copy only packets matching one of these (empty: every packet). They must not overlap.</summary>
    public IReadOnlyList<ClassifierRule> Matches { get; init; } = [];
}

/// <summary>What <see cref="MirrorController.Status"/> reports.</summary>
/// <param name="Target">The mirrored interface.</param>
/// <param name="Directions">Hooks with a live link.</param>
/// <param name="MirrorInterfaceIndex">Where copies go.</param>
/// <param name="Matches">The rules (empty: everything).</param>
/// <param name="Counters">The counters.</param>
public sealed record MirrorStatus(TcAppTarget Target, IReadOnlyList<TcDirection> Directions, int MirrorInterfaceIndex, IReadOnlyList<ClassifierRule> Matches, MirrorCounters Counters);

/// <summary>
/// sluice mirror: copies (bpf_clone_redirect) the packets of one interface's ingress or egress that match the rules to
/// another interface. State in maps pinned under /sys/fs/bpf/sluice/mirror/&lt;netns&gt;/&lt;interface&gt;/.
/// </summary>
public sealed class MirrorController : IDisposable
{
    internal const string Application = "mirror";
    private const string ObjectName = MirrorObject.ResourceName;
    private const string ProgramName = MirrorObject.ProgramNames.MirrorCopy;
    private const string TargetMap = MirrorObject.MapNames.MirrorTarget;
    private const string StatsMap = MirrorObject.MapNames.MirrorStats;

    private readonly ClassifierTables _tables;
    private readonly BpfArrayMap<MirrorTargetValue> _target;
    private readonly BpfPerCpuArray<MirrorCounters> _stats;
    private readonly TcAppPinIdentity _identity;

    private MirrorController(TcAppTarget target)
    {
        Target = target;
        _tables = ClassifierTables.Open(target);
        _target = new(BpfMap.OpenPinned(target.PinPath(TargetMap)), ownsMap: true);
        _stats = new(BpfMap.OpenPinned(target.PinPath(StatsMap)), ownsMap: true);
        _identity = new TcAppPinIdentity(_stats.Map, target.PinPath(StatsMap));
    }

    /// <summary>True while the mirror this controller opened is attached: false after a detach, or a detach and attach (new maps).</summary>
    public bool IsCurrent => _identity.IsCurrent;

    /// <summary>The counters in the Prometheus text format (sluice_mirror_{matched,mirrored,bytes,failed}_total{iface,netns}).</summary>
    public string FormatMetrics()
    {
        var counters = Status().Counters;
        return TcAppMetrics.Format(new (string, string, ulong)[]
        {
            ("sluice_mirror_matched_total", "Packets that matched the mirror's rules.", counters.Matched),
            ("sluice_mirror_mirrored_total", "Copies sent to the mirror interface.", counters.Mirrored),
            ("sluice_mirror_bytes_total", "Bytes of the copies sent.", counters.Bytes),
            ("sluice_mirror_failed_total", "Copies that could not be sent.", counters.Failed),
        }.Select(m => new TcAppSample(m.Item1, m.Item2, "counter", Target, [], m.Item3)));
    }

    /// <summary>The metrics of the mirror on <paramref name="target"/> for a <see cref="Metrics.MetricsRefresher"/>, following a detach and re-attach.</summary>
    public static Metrics.ReopeningMetricsSource<MirrorController> MetricsSource(TcAppTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new(() => Open(target), controller => controller.IsCurrent, controller => controller.FormatMetrics());
    }

    /// <summary>The mirrored interface.</summary>
    public TcAppTarget Target { get; }

    /// <summary>The target of a mirror on <paramref name="interfaceName"/> in <paramref name="netns"/>.</summary>
    public static TcAppTarget TargetFor(string interfaceName, string? netns = null) => new(Application, interfaceName, netns);

    /// <summary>Attaches (or re-points) the mirror: rules are replaced by <see cref="MirrorAttachOptions.Matches"/>.</summary>
    /// <exception cref="TcAppException">Unknown interfaces or namespace, mirroring an interface to itself, overlapping rules.</exception>
    public static MirrorController Attach(TcAppTarget target, MirrorAttachOptions options)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MirrorInterface == target.Interface) throw new TcAppException($"cannot mirror {target.Interface} to itself");
        var matches = options.Matches.Where(m => !m.MatchesEverything).ToList();
        if (matches.Count != options.Matches.Count && options.Matches.Count > 1)
            throw new TcAppException("a match of everything ('any') cannot be combined with other matches");
        for (int i = 0; i < matches.Count; i++)
            for (int j = i + 1; j < matches.Count; j++)
                if (matches[i].Overlaps(matches[j]))
                    throw new TcAppException(TcAppError.Overlap, $"match '{matches[i]}' overlaps match '{matches[j]}': make them disjoint");
        if (matches.Count > ClassifierNames.MaxRules) throw new TcAppException(TcAppError.Full, $"at most {ClassifierNames.MaxRules} matches");
        int mirrorIndex = TcAppAttacher.InNamespace(target, netns => TcAppAttacher.ResolveInterface(options.MirrorInterface, target, netns));
        TcAppAttacher.Attach(target, ObjectName, ProgramName, options.Direction, (_, _, _) =>
        {
            using var controller = new MirrorController(target);
            var before = controller._tables.Read();
            var after = new SortedDictionary<int, ClassifierRule>();
            for (int i = 0; i < matches.Count; i++) after[i] = matches[i];
            // Everything, not only the difference: over pins of another version the tables may be new.
            controller._tables.Write(before, after, everything: true);
            controller._target[0] = new MirrorTargetValue { Ifindex = (uint)mirrorIndex };
        });
        return Open(target);
    }

    /// <summary>Opens a mirror.</summary>
    public static MirrorController Open(TcAppTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!IsAttached(target)) throw TcAppAttacher.NotAttached(target);
        try
        {
            return new MirrorController(target);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or BpfException)
        {
            throw TcAppAttacher.Explain(error, target, "open");
        }
    }

    /// <summary>True when a mirror is pinned for the target.</summary>
    public static bool IsAttached(TcAppTarget target) => File.Exists(target?.PinPath(TargetMap));

    /// <summary>Detaches and removes every pin. False when nothing was pinned.</summary>
    public static bool Detach(TcAppTarget target) => TcAppAttacher.Detach(target ?? throw new ArgumentNullException(nameof(target)));

    /// <summary>Where copies go, the rules and the counters.</summary>
    public MirrorStatus Status()
    {
        var sum = new MirrorCounters();
        foreach (var c in _stats.Lookup(0) ?? [])
        {
            sum.Seen += c.Seen;
            sum.Matched += c.Matched;
            sum.Mirrored += c.Mirrored;
            sum.Bytes += c.Bytes;
            sum.Failed += c.Failed;
        }
        return new MirrorStatus(Target, TcAppAttacher.Links(Target).Select(l => l.Direction).ToList(), (int)_target[0].Ifindex,
            _tables.Read().Values.ToList(), sum);
    }

    /// <summary>Closes the map fds; the mirror stays attached.</summary>
    public void Dispose()
    {
        _tables.Dispose();
        _target.Dispose();
        _stats.Dispose();
    }
}
