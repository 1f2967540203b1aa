using Sluice.Bpf;

namespace Sluice.Programs.Guard.State;

/// <summary>Typed views of the guard's pinned maps, opened from a target's pin directory; owns the fds.</summary>
internal sealed class GuardMaps : IDisposable
{
    private readonly List<BpfMapView> _views = [];

    private GuardMaps(GuardTarget target)
    {
        Target = target;
        try
        {
            Rules4 = Add(GuardMapNames.Rules4, map => new BpfLpmTrie<uint, GuardRuleValue>(map, ownsMap: true));
            Rules6 = Add(GuardMapNames.Rules6, map => new BpfLpmTrie<IPv6Bytes, GuardRuleValue>(map, ownsMap: true));
            Exact4 = Add(GuardMapNames.Exact4, map => new BpfHashMap<uint, GuardRuleValue>(map, ownsMap: true));
            Exact6 = Add(GuardMapNames.Exact6, map => new BpfHashMap<IPv6Bytes, GuardRuleValue>(map, ownsMap: true));
            Ports4 = Add(GuardMapNames.Ports4, map => new BpfLpmTrie<GuardPortDataV4, GuardRuleValue>(map, ownsMap: true));
            Ports6 = Add(GuardMapNames.Ports6, map => new BpfLpmTrie<GuardPortDataV6, GuardRuleValue>(map, ownsMap: true));
            Config = Add(GuardMapNames.Config, map => new BpfArrayMap<GuardConfigValue>(map, ownsMap: true));
            ConfigSelect = Add(GuardMapNames.ConfigSelect, map => new BpfArrayMap<uint>(map, ownsMap: true));
            Sources = Add(GuardMapNames.Sources, map => new BpfHashMap<IPv6Bytes, GuardSourceState>(map, ownsMap: true));
            Stats = Add(GuardMapNames.Stats, map => new BpfPerCpuArray<GuardCounter>(map, ownsMap: true));
            // Guards attached before blocks had their own map have none until `upgrade` loads the new objects.
            if (File.Exists(target.PinPath(GuardMapNames.Blocks)))
                Blocks = Add(GuardMapNames.Blocks, map => new BpfHashMap<IPv6Bytes, ulong>(map, ownsMap: true));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    internal GuardTarget Target { get; }
    internal BpfLpmTrie<uint, GuardRuleValue> Rules4 { get; } = null!;
    internal BpfLpmTrie<IPv6Bytes, GuardRuleValue> Rules6 { get; } = null!;
    internal BpfHashMap<uint, GuardRuleValue> Exact4 { get; } = null!;
    internal BpfHashMap<IPv6Bytes, GuardRuleValue> Exact6 { get; } = null!;
    internal BpfLpmTrie<GuardPortDataV4, GuardRuleValue> Ports4 { get; } = null!;
    internal BpfLpmTrie<GuardPortDataV6, GuardRuleValue> Ports6 { get; } = null!;
    internal BpfArrayMap<GuardConfigValue> Config { get; } = null!;
    internal BpfArrayMap<uint> ConfigSelect { get; } = null!;
    internal BpfHashMap<IPv6Bytes, GuardSourceState> Sources { get; } = null!;
    internal BpfPerCpuArray<GuardCounter> Stats { get; } = null!;
    /// <summary>guard_blocks: blocked-until times (ktime ns) by source; null on a guard loaded before it existed.</summary>
    internal BpfHashMap<IPv6Bytes, ulong>? Blocks { get; }

    /// <summary>True when the pin directory holds the guard's configuration map.</summary>
    internal static bool Exists(GuardTarget target) => File.Exists(target.PinPath(GuardMapNames.Config));

    /// <summary>Opens every map pinned for <paramref name="target"/>.</summary>
    /// <exception cref="GuardException">No guard is pinned there.</exception>
    internal static GuardMaps Open(GuardTarget target)
    {
        if (!Exists(target)) throw NotAttached(target);
        try
        {
            return new GuardMaps(target);
        }
        catch (FileNotFoundException error)
        {
            throw new GuardException(GuardFailure.Incomplete,
                $"the guard on {target.Describe()} is incomplete ({Path.GetFileName(error.FileName)} is missing)", error) { Target = target };
        }
    }

    internal static GuardException NotAttached(GuardTarget target) =>
        new(GuardFailure.NotAttached, $"no guard on {target.Describe()}") { Target = target };

    /// <summary>Opens the ring buffer map (a separate fd: the reader owns it).</summary>
    internal BpfMap OpenEvents() => Open(GuardMapNames.Events);

    private BpfMap Open(string name) => BpfMap.OpenPinned(Target.PinPath(name));

    /// <summary>Opens pinned map <paramref name="name"/> as a view that owns it; a view that cannot be made closes the map.</summary>
    private T Add<T>(string name, Func<BpfMap, T> wrap) where T : BpfMapView
    {
        BpfMap? map = Open(name);
        try
        {
            var view = wrap(map);
            map = null; // the view owns it now
            _views.Add(view);
            return view;
        }
        finally
        {
            map?.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var view in _views) view.Dispose();
        _views.Clear();
    }
}
