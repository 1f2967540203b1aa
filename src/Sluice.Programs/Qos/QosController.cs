using Sluice.Bpf;
using Sluice.Programs.TcApps;

namespace Sluice.Programs.Qos;

/// <summary>
/// Attaches, drives and inspects sluice qos on one interface. Rules, actions and counters live in maps pinned under
/// /sys/fs/bpf/sluice/qos/&lt;netns&gt;/&lt;interface&gt;/, so every controller (CLI call, daemon, restart) sees the
/// same rules. Disposing a controller detaches nothing. Not thread-safe: one caller at a time.
/// </summary>
public sealed class QosController : IDisposable
{
    /// <summary>The htb classes `--qdisc htb` creates: minor, priority and share of the link rate in percent.</summary>
    internal static readonly (QosClass Class, uint Priority, int Percent)[] HtbClasses =
        [(QosClass.High, 0, 50), (QosClass.Normal, 1, 30), (QosClass.Low, 2, 20)];

    private const uint OwnsHtb = 1;

    private readonly ClassifierTables _tables;
    private readonly BpfArrayMap<QosActionValue> _actions;
    private readonly BpfPerCpuArray<QosCounters> _stats;
    private readonly TcAppPinIdentity _identity;

    private QosController(TcAppTarget target)
    {
        Target = target;
        _tables = ClassifierTables.Open(target);
        _actions = new(BpfMap.OpenPinned(target.PinPath(QosNames.Actions)), ownsMap: true);
        _stats = new(BpfMap.OpenPinned(target.PinPath(QosNames.Stats)), ownsMap: true);
        _identity = new TcAppPinIdentity(_stats.Map, target.PinPath(QosNames.Stats));
    }

    /// <summary>True while the qos this controller opened is attached: false after a detach, or a detach and attach (new maps).</summary>
    public bool IsCurrent => _identity.IsCurrent;

    /// <summary>Counters per class in the Prometheus text format (sluice_qos_{packets,bytes,marked}_total{iface,netns,class}).</summary>
    public string FormatMetrics()
    {
        var rules = Rules();
        var samples = new List<TcAppSample>();
        foreach (var (name, help, pick) in new (string, string, Func<QosCounters, ulong>)[]
        {
            ("sluice_qos_packets_total", "Packets classified, by class.", c => c.Packets),
            ("sluice_qos_bytes_total", "Bytes classified, by class.", c => c.Bytes),
            ("sluice_qos_marked_total", "Packets whose DSCP was rewritten, by class.", c => c.Marked),
        })
        {
            foreach (var group in rules.GroupBy(r => r.Rule.Class.ToString()))
                samples.Add(new TcAppSample(name, help, "counter", Target, [("class", group.Key)], (ulong)group.Sum(r => (decimal)pick(r.Counters))));
        }
        return TcAppMetrics.Format(samples);
    }

    /// <summary>The metrics of the qos on <paramref name="target"/> for a <see cref="Metrics.MetricsRefresher"/>, following a detach and re-attach.</summary>
    public static Metrics.ReopeningMetricsSource<QosController> MetricsSource(TcAppTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new(() => Open(target), controller => controller.IsCurrent, controller => controller.FormatMetrics());
    }

    /// <summary>The interface.</summary>
    public TcAppTarget Target { get; }

    /// <summary>The target of qos on <paramref name="interfaceName"/> in <paramref name="netns"/>.</summary>
    public static TcAppTarget TargetFor(string interfaceName, string? netns = null) => new(QosNames.Application, interfaceName, netns);

    /// <summary>
    /// Loads the classifier (maps pinned, reused when present: rules stay), attaches it at the direction through a pinned
    /// TCX link and, with <see cref="QosAttachOptions.HtbQdisc"/>, makes an htb root qdisc with the three named classes.
    /// </summary>
    /// <exception cref="TcAppException">Unknown interface or namespace, htb at ingress, no privileges, kernel refusal.</exception>
    public static QosController Attach(TcAppTarget target, QosAttachOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        options ??= new QosAttachOptions();
        if (options.HtbQdisc && options.Direction != TcDirection.Egress)
            throw new TcAppException("an htb qdisc shapes what an interface sends: --qdisc htb needs --direction egress");
        if (options.LinkRate is { Unit: RateUnit.Packets }) throw new TcAppException("the link rate of the htb qdisc must be a bit or byte rate");
        TcAppAttacher.Attach(target, QosNames.Object, QosNames.Program, options.Direction, (netns, _, created) =>
        {
            if (!created)
            {
                // Before the link takes this program: its tables may be new (an upgrade) and must hold the rules first.
                using var tables = ClassifierTables.Open(target);
                tables.Rebuild();
            }
            if (options.HtbQdisc) InstallHtb(target, netns, options.LinkRate ?? Rate.Parse("1gbit"));
        });
        var controller = Open(target);
        if (options.HtbQdisc) controller._tables.ApplicationWord |= OwnsHtb;
        return controller;
    }

    private static void InstallHtb(TcAppTarget target, NetworkNamespace? netns, Rate link)
    {
        ushort major = QosClass.HtbMajor;
        TcQdisc.ReplaceRootHtb(target.Interface, major, (ushort)(QosClass.Low.Priority & 0xffff), netns);
        uint root = ((uint)major << 16) | 1;
        uint burst = Burst(link.PerSecond);
        TcQdisc.SetHtbClass(target.Interface, new HtbClass(root, (uint)major << 16, link.PerSecond, link.PerSecond, burst), netns);
        foreach (var (cls, priority, percent) in HtbClasses)
        {
            ulong rate = Math.Max(1, link.PerSecond * (ulong)percent / 100);
            TcQdisc.SetHtbClass(target.Interface, new HtbClass(cls.Priority, root, rate, link.PerSecond, burst, priority), netns);
        }
    }

    /// <summary>A burst that lets htb keep up at the rate with a 1 ms timer: rate/1000, at least 1600 bytes (tc's choice too).</summary>
    internal static uint Burst(ulong bytesPerSecond) => (uint)Math.Clamp(bytesPerSecond / 1000, 1600, 64 * 1024 * 1024);

    /// <summary>Opens the qos on a target.</summary>
    /// <exception cref="TcAppException">Not attached (kind <see cref="TcAppError.NotAttached"/>).</exception>
    public static QosController Open(TcAppTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!IsAttached(target)) throw TcAppAttacher.NotAttached(target);
        try
        {
            return new QosController(target);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or BpfException)
        {
            throw TcAppAttacher.Explain(error, target, "open");
        }
    }

    /// <summary>True when qos is pinned for the target.</summary>
    public static bool IsAttached(TcAppTarget target) => File.Exists(target?.PinPath(QosNames.Actions));

    /// <summary>Detaches, deletes the htb qdisc qos made, removes every pin. False when nothing was pinned.</summary>
    public static bool Detach(TcAppTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        bool ownsHtb = false;
        if (IsAttached(target))
        {
            using var controller = Open(target);
            ownsHtb = (controller._tables.ApplicationWord & OwnsHtb) != 0;
        }
        return TcAppAttacher.Detach(target, netns =>
        {
            if (ownsHtb) TcQdisc.DeleteRoot(target.Interface, netns);
        });
    }

    /// <summary>The attached directions, whether qos made the htb qdisc, the rule count and the generation.</summary>
    public QosStatus Status() => new(Target, TcAppAttacher.Links(Target).Select(l => l.Direction).ToList(),
        (_tables.ApplicationWord & OwnsHtb) != 0, _tables.Read().Count, _tables.Generation);

    /// <summary>Adds a rule, or replaces the class and DSCP of the installed rule with the same match; a rule that matches everything sets the default.</summary>
    /// <exception cref="TcAppException">The match overlaps another rule's, or the table is full.</exception>
    public void Set(QosRule rule) => SetMany([rule]);

    /// <summary>Adds or replaces several rules at once (all checked first: nothing changes when one is refused).</summary>
    public void SetMany(IReadOnlyList<QosRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var before = _tables.Read();
        var after = new SortedDictionary<int, ClassifierRule>(before);
        var actions = new List<(uint Slot, QosRule Rule, bool Fresh)>();
        foreach (var rule in rules)
        {
            if (rule.Match.MatchesEverything)
            {
                actions.Add((QosNames.DefaultSlot, rule, false));
                continue;
            }
            int slot = after.FirstOrDefault(e => e.Value == rule.Match, new(-1, null!)).Key;
            if (slot < 0)
            {
                if (after.FirstOrDefault(e => e.Value.Overlaps(rule.Match)) is { Value: not null } clash)
                    throw new TcAppException(TcAppError.Overlap, $"rule '{rule.Match}' overlaps the installed rule '{clash.Value}': remove that one first or make them disjoint");
                slot = Enumerable.Range(0, ClassifierNames.MaxRules).FirstOrDefault(s => !after.ContainsKey(s), -1);
                if (slot < 0) throw new TcAppException(TcAppError.Full, $"qos on {Target.Describe()} has {ClassifierNames.MaxRules} rules, the most it can hold");
                after[slot] = rule.Match;
            }
            actions.Add(((uint)slot, rule, !before.ContainsKey(slot)));
        }
        // Actions first: a packet the new tables send to a slot must find its action there.
        foreach (var (slot, rule, fresh) in actions)
        {
            if (fresh || (slot == QosNames.DefaultSlot && (_actions[slot].Flags & QosActionFlags.Enabled) == 0)) _stats.UpdateAll(slot, default);
            _actions[slot] = ToValue(rule);
        }
        _tables.Write(before, after);
    }

    /// <summary>Removes the rule with exactly this match (or, for a match of everything, the default).</summary>
    /// <exception cref="TcAppException">No such rule (kind <see cref="TcAppError.NoSuchRule"/>).</exception>
    public void Remove(ClassifierRule match)
    {
        ArgumentNullException.ThrowIfNull(match);
        if (match.MatchesEverything)
        {
            if ((_actions[QosNames.DefaultSlot].Flags & QosActionFlags.Enabled) == 0)
                throw new TcAppException(TcAppError.NoSuchRule, $"qos on {Target.Describe()} has no default class");
            _actions[QosNames.DefaultSlot] = default;
            return;
        }
        var before = _tables.Read();
        int slot = before.FirstOrDefault(e => e.Value == match, new(-1, null!)).Key;
        if (slot < 0) throw new TcAppException(TcAppError.NoSuchRule, $"no qos rule '{match}' on {Target.Describe()}");
        var after = new SortedDictionary<int, ClassifierRule>(before);
        after.Remove(slot);
        _tables.Write(before, after);
        _actions[(uint)slot] = default;
    }

    /// <summary>Every rule with its counters, the default last.</summary>
    public IReadOnlyList<QosRuleStatus> Rules()
    {
        var result = new List<QosRuleStatus>();
        foreach (var (slot, match) in _tables.Read())
        {
            var action = _actions[(uint)slot];
            result.Add(new QosRuleStatus(slot, ToRule(match, action), Counters((uint)slot)));
        }
        var fallback = _actions[QosNames.DefaultSlot];
        if ((fallback.Flags & QosActionFlags.Enabled) != 0)
            result.Add(new QosRuleStatus((int)QosNames.DefaultSlot, ToRule(new ClassifierRule(), fallback), Counters(QosNames.DefaultSlot)));
        return result;
    }

    /// <summary>Installs a named preset: "web" = SSH (port 22) high, HTTP and HTTPS (80, 443) normal, everything else low.</summary>
    public void Preset(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name != "web") throw new TcAppException($"unknown preset '{name}' (known: web)");
        SetMany(
        [
            new QosRule(new ClassifierRule { Ports = (22, 22) }, QosClass.High),
            new QosRule(new ClassifierRule { Ports = (80, 80) }, QosClass.Normal),
            new QosRule(new ClassifierRule { Ports = (443, 443) }, QosClass.Normal),
            new QosRule(new ClassifierRule(), QosClass.Low),
        ]);
    }

    private QosCounters Counters(uint slot)
    {
        var sum = new QosCounters();
        foreach (var c in _stats.Lookup(slot) ?? [])
        {
            sum.Packets += c.Packets;
            sum.Bytes += c.Bytes;
            sum.Marked += c.Marked;
            sum.Errors += c.Errors;
        }
        return sum;
    }

    private static QosActionValue ToValue(QosRule rule) => new()
    {
        Priority = rule.Class.Priority,
        Classid = rule.Class.Priority,
        Flags = QosActionFlags.Enabled | QosActionFlags.ClassId | (rule.Dscp is null ? 0 : QosActionFlags.Dscp),
        Dscp = rule.Dscp ?? 0,
        ClassName = rule.Class.Name,
    };

    private static QosRule ToRule(ClassifierRule match, QosActionValue action) =>
        new(match, new QosClass(action.ClassName, action.Priority), (action.Flags & QosActionFlags.Dscp) != 0 ? action.Dscp : null);

    /// <summary>Closes the map fds; qos stays attached.</summary>
    public void Dispose()
    {
        _tables.Dispose();
        _actions.Dispose();
        _stats.Dispose();
    }
}

/// <summary>What <see cref="QosController.Status"/> reports.</summary>
/// <param name="Target">The interface.</param>
/// <param name="Directions">Hooks with a live link.</param>
/// <param name="HtbQdisc">qos created the htb root qdisc.</param>
/// <param name="RuleCount">Installed rules (not counting the default).</param>
/// <param name="Generation">Bumped by every rule change.</param>
public sealed record QosStatus(TcAppTarget Target, IReadOnlyList<TcDirection> Directions, bool HtbQdisc, int RuleCount, uint Generation);
