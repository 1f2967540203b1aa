using System.Net;
using Sluice.Bpf;
using Sluice.Programs.TcApps;

namespace Sluice.Programs.RateLimit;

/// <summary>
/// Attaches, drives and inspects sluice ratelimit on one interface. Limits, buckets and counters live in maps pinned
/// under /sys/fs/bpf/sluice/ratelimit/&lt;netns&gt;/&lt;interface&gt;/. Disposing a controller detaches nothing.
/// Not thread-safe: one caller at a time.
/// </summary>
public sealed class RateLimitController : IDisposable
{
    private const ulong Nanoseconds = 1_000_000_000;

    private readonly BpfArrayMap<RateLimitConfig> _config;
    private readonly BpfLpmTrie<IPv6Bytes, uint> _sources;
    private readonly BpfLpmTrie<IPv6Bytes, uint> _destinations;
    private readonly BpfHashMap<uint, uint> _ports;
    private readonly BpfHashMap<ulong, uint> _cgroups;
    private readonly BpfArrayMap<RateLimitValue> _limits;
    private readonly BpfArrayMap<RateLimitBucket> _buckets;
    private readonly BpfArrayMap<RateLimitKeyValue> _keys;
    private readonly BpfPerCpuArray<RateLimitCounters> _stats;
    private readonly TcAppPinIdentity _identity;

    private RateLimitController(TcAppTarget target)
    {
        Target = target;
        BpfMap Open(string name) => BpfMap.OpenPinned(target.PinPath(name));
        _config = new(Open(RateLimitNames.Config), ownsMap: true);
        _sources = new(Open(RateLimitNames.Sources), ownsMap: true);
        _destinations = new(Open(RateLimitNames.Destinations), ownsMap: true);
        _ports = new(Open(RateLimitNames.Ports), ownsMap: true);
        _cgroups = new(Open(RateLimitNames.Cgroups), ownsMap: true);
        _limits = new(Open(RateLimitNames.Limits), ownsMap: true);
        _buckets = new(Open(RateLimitNames.Buckets), ownsMap: true);
        _keys = new(Open(RateLimitNames.Keys), ownsMap: true);
        _stats = new(Open(RateLimitNames.Stats), ownsMap: true);
        _identity = new TcAppPinIdentity(_stats.Map, target.PinPath(RateLimitNames.Stats));
    }

    /// <summary>True while the ratelimit this controller opened is attached: false after a detach, or a detach and attach (new maps).</summary>
    public bool IsCurrent => _identity.IsCurrent;

    /// <summary>Counters per limit in the Prometheus text format (sluice_ratelimit_{packets,bytes,dropped,delayed}_total{iface,netns,key}).</summary>
    public string FormatMetrics()
    {
        var samples = new List<TcAppSample>();
        var limits = Limits();
        foreach (var (name, help, pick) in new (string, string, Func<RateLimitCounters, ulong>)[]
        {
            ("sluice_ratelimit_packets_total", "Packets that matched a limit's key.", c => c.Packets),
            ("sluice_ratelimit_bytes_total", "Bytes that matched a limit's key.", c => c.Bytes),
            ("sluice_ratelimit_dropped_total", "Packets dropped: over a police limit, or beyond the EDT horizon.", c => c.Dropped),
            ("sluice_ratelimit_delayed_total", "Packets delayed (EDT) or handed to the limit's htb class.", c => c.Delayed),
        })
        {
            foreach (var limit in limits)
                samples.Add(new TcAppSample(name, help, "counter", Target, [("key", limit.Rule.Key.ToString())], pick(limit.Counters)));
        }
        return TcAppMetrics.Format(samples);
    }

    /// <summary>The metrics of the ratelimit on <paramref name="target"/> for a <see cref="Metrics.MetricsRefresher"/>, following a detach and re-attach.</summary>
    public static Metrics.ReopeningMetricsSource<RateLimitController> MetricsSource(TcAppTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new(() => Open(target), controller => controller.IsCurrent, controller => controller.FormatMetrics());
    }

    /// <summary>The interface.</summary>
    public TcAppTarget Target { get; }

    /// <summary>The target of ratelimit on <paramref name="interfaceName"/> in <paramref name="netns"/>.</summary>
    public static TcAppTarget TargetFor(string interfaceName, string? netns = null) => new(RateLimitNames.Application, interfaceName, netns);

    /// <summary>The shape backend this instance uses (None when only ingress is attached).</summary>
    public ShapeBackend Shaper => (ShapeBackend)(uint)_config[0].Shaper;

    /// <summary>
    /// Attaches at the direction. At egress it picks the shape backend (EDT when the kernel has sch_fq, else htb, unless
    /// forced) and installs its root qdisc (fq, or htb 1: whose unclassified traffic is not shaped). Limits stay.
    /// </summary>
    /// <exception cref="TcAppException">Unknown interface or namespace, EDT forced without sch_fq, kernel refusal.</exception>
    public static RateLimitController Attach(TcAppTarget target, RateLimitAttachOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        options ??= new RateLimitAttachOptions();
        var shaper = ShapeBackend.None;
        if (options.Direction == TcDirection.Egress)
        {
            bool fq = TcQdisc.IsKindAvailable("fq");
            shaper = options.Shaper ?? (fq ? ShapeBackend.Edt : ShapeBackend.Htb);
            if (shaper == ShapeBackend.Edt && !fq)
                throw new TcAppException(TcAppError.Unsupported, "EDT shaping needs the fq qdisc, which this kernel does not have (no sch_fq)");
        }
        else if (options.Shaper is { } forced && forced != ShapeBackend.None)
        {
            throw new TcAppException("shaping happens at egress: a shape backend needs --direction egress");
        }
        TcAppAttacher.Attach(target, RateLimitNames.Object, RateLimitNames.Program, options.Direction, (netns, _, _) =>
        {
            if (shaper == ShapeBackend.Edt) TcQdisc.ReplaceRoot(target.Interface, "fq", netns);
            else if (shaper == ShapeBackend.Htb) TcQdisc.ReplaceRootHtb(target.Interface, RateLimitNames.HtbMajor, 0, netns);
        });
        var controller = Open(target);
        if (shaper != ShapeBackend.None)
        {
            var config = controller._config[0];
            config.Shaper = (RateLimitModeCode)(uint)shaper;
            controller._config[0] = config;
            // Shape limits set before (another backend, or a re-attach after the qdisc was replaced) need their classes again.
            foreach (var limit in controller.Limits().Where(l => l.Rule.Mode == RateLimitMode.Shape))
                controller.Write(limit.Slot, limit.Rule, fresh: false);
        }
        return controller;
    }

    /// <summary>
    /// Test hook: record <paramref name="shaper"/> as this instance's shape backend without installing its qdisc, so
    /// that EDT timestamps can be proved by BPF_PROG_TEST_RUN on kernels without sch_fq.
    /// </summary>
    internal void UseShaperWithoutQdisc(ShapeBackend shaper)
    {
        var config = _config[0];
        config.Shaper = (RateLimitModeCode)(uint)shaper;
        _config[0] = config;
    }

    /// <summary>Opens ratelimit on a target.</summary>
    public static RateLimitController Open(TcAppTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!IsAttached(target)) throw TcAppAttacher.NotAttached(target);
        try
        {
            return new RateLimitController(target);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or BpfException)
        {
            throw TcAppAttacher.Explain(error, target, "open");
        }
    }

    /// <summary>True when ratelimit is pinned for the target.</summary>
    public static bool IsAttached(TcAppTarget target) => File.Exists(target?.PinPath(RateLimitNames.Limits));

    /// <summary>Detaches, deletes the root qdisc it installed, removes every pin. False when nothing was pinned.</summary>
    public static bool Detach(TcAppTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var shaper = ShapeBackend.None;
        if (IsAttached(target))
        {
            using var controller = Open(target);
            shaper = controller.Shaper;
        }
        return TcAppAttacher.Detach(target, netns =>
        {
            if (shaper != ShapeBackend.None) TcQdisc.DeleteRoot(target.Interface, netns);
        });
    }

    /// <summary>The attached directions.</summary>
    public IReadOnlyList<TcDirection> Directions => TcAppAttacher.Links(Target).Select(l => l.Direction).ToList();

    /// <summary>Adds a limit, or replaces the rate, burst and mode of the limit with the same key (its bucket restarts full).</summary>
    /// <exception cref="TcAppException">Bad combination (shape without an egress attachment, htb with a packet rate, cgroup at ingress only), a nested prefix of the same kind, table full.</exception>
    public void Set(RateLimitRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        Validate(rule);
        var installed = ReadKeys();
        int slot = installed.FirstOrDefault(e => e.Value.SameKey(rule.Key), new(-1, null!)).Key;
        if (slot < 0)
        {
            if (rule.Key.Prefix is { } prefix &&
                installed.FirstOrDefault(e => e.Value.Kind == rule.Key.Kind && e.Value.Prefix is { } other && Overlap(prefix, other)) is { Value: not null } clash)
                throw new TcAppException(TcAppError.Overlap, $"limit '{rule.Key}' overlaps the installed limit '{clash.Value}': remove that one first");
            slot = Enumerable.Range(0, RateLimitNames.MaxLimits).FirstOrDefault(s => !installed.ContainsKey(s), -1);
            if (slot < 0) throw new TcAppException(TcAppError.Full, $"ratelimit on {Target.Describe()} has {RateLimitNames.MaxLimits} limits, the most it can hold");
        }
        Write(slot, rule, fresh: true);
    }

    private void Validate(RateLimitRule rule)
    {
        if (rule.Mode == RateLimitMode.Shape)
        {
            if (Shaper == ShapeBackend.None)
                throw new TcAppException($"shaping needs ratelimit attached at egress of {Target.Describe()} (it is attached at ingress only)");
            if (Shaper == ShapeBackend.Htb && rule.Rate.Unit == RateUnit.Packets)
                throw new TcAppException("this kernel shapes with htb, which limits bytes: give a bit or byte rate, or police packets");
        }
        if (rule.Key.Kind == RateLimitKeyKind.Cgroup && !Directions.Contains(TcDirection.Egress))
            throw new TcAppException("a packet's cgroup is known when a local socket sends it: cgroup limits need an egress attachment");
        ulong burst = rule.EffectiveBurst;
        if (burst > 8UL << 30) throw new TcAppException("the burst must be at most 8g");
        if (rule.EffectiveHorizon <= TimeSpan.Zero || rule.EffectiveHorizon > TimeSpan.FromSeconds(60))
            throw new TcAppException("the horizon must be above 0 and at most 60 seconds");
    }

    private static bool Overlap(IPNetwork a, IPNetwork b) =>
        a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily && a != b && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress));

    private void Write(int slot, RateLimitRule rule, bool fresh)
    {
        uint index = (uint)slot;
        var mode = rule.Mode == RateLimitMode.Police ? RateLimitModeCode.Police
            : Shaper == ShapeBackend.Edt ? RateLimitModeCode.ShapeEdt : RateLimitModeCode.ShapeHtb;
        uint classId = ((uint)RateLimitNames.HtbMajor << 16) | (0x100u + index);
        if (mode == RateLimitModeCode.ShapeHtb)
        {
            uint burst = (uint)Math.Min(rule.EffectiveBurst, uint.MaxValue);
            TcAppAttacher.InNamespace(Target, netns =>
            {
                TcQdisc.SetHtbClass(Target.Interface, new HtbClass(classId, (uint)RateLimitNames.HtbMajor << 16, rule.Rate.PerSecond, rule.Rate.PerSecond,
                    Math.Max(burst, 1600)), netns);
                return 0;
            });
        }
        if (fresh)
        {
            _buckets[index] = default;
            _stats.UpdateAll(index, default);
        }
        _limits[index] = new RateLimitValue
        {
            Rate = rule.Rate.PerSecond,
            Burst = rule.EffectiveBurst,
            HorizonNs = (ulong)rule.EffectiveHorizon.Ticks * 100,
            Mode = mode,
            Unit = rule.Rate.Unit == RateUnit.Packets ? 1u : 0u,
            Classid = classId,
        };
        var key = new RateLimitKeyValue { Kind = (uint)rule.Key.Kind, CgroupId = rule.Key.CgroupId, Port = rule.Key.Port };
        switch (rule.Key.Kind)
        {
            case RateLimitKeyKind.Source or RateLimitKeyKind.Destination:
                var (address, length) = ClassifierRule.Mapped(rule.Key.Prefix!.Value);
                var lpm = LpmKey.IPv6(address, length);
                MappedPrefix.Write(lpm, out key.Prefixlen, key.Addr);
                (rule.Key.Kind == RateLimitKeyKind.Source ? _sources : _destinations).Update(lpm, index);
                break;
            case RateLimitKeyKind.Port:
                _ports.Update(rule.Key.Port, index);
                break;
            default:
                _cgroups.Update(rule.Key.CgroupId, index);
                break;
        }
        _keys[index] = key;
        UpdateFlags();
    }

    /// <summary>Removes the limit with this key.</summary>
    /// <exception cref="TcAppException">No such limit.</exception>
    public void Remove(RateLimitKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int slot = ReadKeys().FirstOrDefault(e => e.Value.SameKey(key), new(-1, null!)).Key;
        if (slot < 0) throw new TcAppException(TcAppError.NoSuchRule, $"no limit '{key}' on {Target.Describe()}");
        uint index = (uint)slot;
        var stored = _keys[index];
        switch (key.Kind)
        {
            case RateLimitKeyKind.Source or RateLimitKeyKind.Destination:
                (key.Kind == RateLimitKeyKind.Source ? _sources : _destinations).Delete(MappedPrefix.Read(stored.Prefixlen, stored.Addr));
                break;
            case RateLimitKeyKind.Port:
                _ports.Delete(key.Port);
                break;
            default:
                _cgroups.Delete(key.CgroupId);
                break;
        }
        var limit = _limits[index];
        _keys[index] = default;
        _limits[index] = default;
        UpdateFlags();
        if (limit.Mode == RateLimitModeCode.ShapeHtb)
            TcAppAttacher.InNamespace(Target, netns => TcQdisc.DeleteClass(Target.Interface, limit.Classid, (uint)RateLimitNames.HtbMajor << 16, netns));
    }

    /// <summary>Every limit with its counters, by slot.</summary>
    public IReadOnlyList<RateLimitStatus> Limits()
    {
        var result = new List<RateLimitStatus>();
        foreach (var (slot, key) in ReadKeys())
        {
            var value = _limits[(uint)slot];
            var rate = new Rate(value.Rate, value.Unit == 1 ? RateUnit.Packets : RateUnit.Bytes);
            var mode = value.Mode == RateLimitModeCode.Police ? RateLimitMode.Police : RateLimitMode.Shape;
            var rule = new RateLimitRule(key, rate, value.Burst, mode, TimeSpan.FromTicks((long)(value.HorizonNs / 100)));
            var sum = new RateLimitCounters();
            foreach (var c in _stats.Lookup((uint)slot) ?? [])
            {
                sum.Packets += c.Packets;
                sum.Bytes += c.Bytes;
                sum.Dropped += c.Dropped;
                sum.Delayed += c.Delayed;
            }
            result.Add(new RateLimitStatus(slot, rule, sum));
        }
        return result;
    }

    private SortedDictionary<int, RateLimitKey> ReadKeys()
    {
        var keys = new SortedDictionary<int, RateLimitKey>();
        for (int slot = 0; slot < RateLimitNames.MaxLimits; slot++)
        {
            var value = _keys[(uint)slot];
            if (value.Kind == 0) continue;
            var kind = (RateLimitKeyKind)value.Kind;
            keys[slot] = kind switch
            {
                RateLimitKeyKind.Source or RateLimitKeyKind.Destination => new RateLimitKey(kind,
                    ClassifierRule.Unmapped(MappedPrefix.Read(value.Prefixlen, value.Addr).ToIPAddress(), (int)value.Prefixlen)),
                RateLimitKeyKind.Port => new RateLimitKey(kind, Port: (ushort)value.Port),
                _ => new RateLimitKey(kind, CgroupId: value.CgroupId),
            };
        }
        return keys;
    }

    private void UpdateFlags()
    {
        uint flags = 0;
        foreach (var key in ReadKeys().Values) flags |= 1u << ((int)key.Kind - 1);
        var config = _config[0];
        config.Flags = flags;
        config.Generation++;
        _config[0] = config;
    }

    /// <summary>Closes the map fds; ratelimit stays attached.</summary>
    public void Dispose()
    {
        _config.Dispose();
        _sources.Dispose();
        _destinations.Dispose();
        _ports.Dispose();
        _cgroups.Dispose();
        _limits.Dispose();
        _buckets.Dispose();
        _keys.Dispose();
        _stats.Dispose();
    }
}
