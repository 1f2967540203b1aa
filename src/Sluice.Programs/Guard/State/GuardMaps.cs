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
            Rules4 = Add(new BpfLpmTrie<uint, GuardRuleValue>(Open(GuardMapNames.Rules4), ownsMap: true));
            Rules6 = Add(new BpfLpmTrie<IPv6Bytes, GuardRuleValue>(Open(GuardMapNames.Rules6), ownsMap: true));
            Exact4 = Add(new BpfHashMap<uint, GuardRuleValue>(Open(GuardMapNames.Exact4), ownsMap: true));
            Exact6 = Add(new BpfHashMap<IPv6Bytes, GuardRuleValue>(Open(GuardMapNames.Exact6), ownsMap: true));
            Ports4 = Add(new BpfLpmTrie<GuardPortDataV4, GuardRuleValue>(Open(GuardMapNames.Ports4), ownsMap: true));
            Ports6 = Add(new BpfLpmTrie<GuardPortDataV6, GuardRuleValue>(Open(GuardMapNames.Ports6), ownsMap: true));
            Config = Add(new BpfArrayMap<GuardConfigValue>(Open(GuardMapNames.Config), ownsMap: true));
            ConfigSelect = Add(new BpfArrayMap<uint>(Open(GuardMapNames.ConfigSelect), ownsMap: true));
            Sources = Add(new BpfHashMap<IPv6Bytes, GuardSourceState>(Open(GuardMapNames.Sources), ownsMap: true));
            Stats = Add(new BpfPerCpuArray<GuardCounter>(Open(GuardMapNames.Stats), ownsMap: true));
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

    private T Add<T>(T view) where T : BpfMapView
    {
        _views.Add(view);
        return view;
    }

    public void Dispose()
    {
        foreach (var view in _views) view.Dispose();
        _views.Clear();
    }
}
