using System.Net;
using Sluice.Bpf;

namespace Sluice.Programs.TcApps;

/// <summary>
/// The pinned classifier maps of bpf/include/tc_classifier.h: the rules (slot -> <see cref="ClassifierRule"/>) and the
/// per-dimension tables derived from them. <see cref="Write"/> turns one rule set into the next, writing only the
/// entries that change, each table bottom-up (sets before the entries that name them, chunks before the entries that
/// point into them), so the program never follows a reference to something not yet written.
/// </summary>
internal sealed class ClassifierTables : IDisposable
{
    private const int PortEntries = (int)ClassifierNames.NoPortIndex + 1;

    private readonly BpfArrayMap<ClassifierRuleValue> _rules;
    private readonly AddressMaps _sources;
    private readonly AddressMaps _destinations;
    private readonly BpfArrayMap<ClassifierSet> _ports;
    private readonly BpfArrayMap<ClassifierSet> _protocols;
    private readonly BpfArrayMap<ClassifierConfig> _config;
    private readonly BpfArrayMap<ClassifierDimensionWords> _dimensions;

    private ClassifierTables(TcAppTarget target)
    {
        BpfMap Open(string name) => BpfMap.OpenPinned(target.PinPath(name));
        _rules = new(Open(ClassifierNames.Rules), ownsMap: true);
        _sources = new AddressMaps(target, ClassifierNames.Source);
        _destinations = new AddressMaps(target, ClassifierNames.Destination);
        _ports = new(Open(ClassifierNames.PortSets), ownsMap: true);
        _protocols = new(Open(ClassifierNames.ProtocolSets), ownsMap: true);
        _config = new(Open(ClassifierNames.Config), ownsMap: true);
        _dimensions = new(Open(ClassifierNames.DimensionWords), ownsMap: true);
    }

    /// <summary>Opens the classifier maps pinned for <paramref name="target"/>.</summary>
    internal static ClassifierTables Open(TcAppTarget target)
    {
        if (!File.Exists(target.PinPath(ClassifierNames.Config))) throw TcAppAttacher.NotAttached(target);
        return new ClassifierTables(target);
    }

    /// <summary>The installed rules by slot.</summary>
    internal SortedDictionary<int, ClassifierRule> Read()
    {
        var rules = new SortedDictionary<int, ClassifierRule>();
        for (int slot = 0; slot < ClassifierNames.MaxRules; slot++)
        {
            var value = _rules[(uint)slot];
            if (value.Used != 0) rules[slot] = ToRule(value);
        }
        return rules;
    }

    /// <summary>The configuration's generation (bumped by every write).</summary>
    internal uint Generation => _config[0].Generation;

    /// <summary>The application's own word in the configuration (kept across writes).</summary>
    internal uint ApplicationWord
    {
        get => _config[0].Application;
        set
        {
            var config = _config[0];
            config.Application = value;
            _config[0] = config;
        }
    }

    /// <summary>
    /// Rewrites every derived table from the installed rules. For an attach over existing pins: a program of another
    /// version may have left its tables under other names, or none (an upgrade keeps the rules, not the tables).
    /// </summary>
    internal void Rebuild()
    {
        var rules = Read();
        Write(new SortedDictionary<int, ClassifierRule>(), rules, everything: true);
    }

    /// <summary>Replaces rule set <paramref name="before"/> (what the maps hold) by <paramref name="after"/>.</summary>
    internal void Write(IReadOnlyDictionary<int, ClassifierRule> before, IReadOnlyDictionary<int, ClassifierRule> after, bool everything = false)
    {
        // While the tables change, an address is looked up wherever a rule of either set constrains it (a rule must
        // never be matched without its prefix being checked); afterwards only where the new rules need it.
        var (was, next) = (ClassifierDimensionWords.Of(before), ClassifierDimensionWords.Of(after));
        _dimensions[0] = new ClassifierDimensionWords { Src = was.Src | next.Src, Dst = was.Dst | next.Dst };
        foreach (var (slot, rule) in after)
            if (everything || !before.TryGetValue(slot, out var old) || old != rule) _rules[(uint)slot] = ToValue(rule);
        foreach (var slot in before.Keys.Where(s => !after.ContainsKey(s))) _rules[(uint)slot] = default;

        WriteArray(_ports, PortSets(before), PortSets(after), everything);
        WriteArray(_protocols, ProtocolSets(before), ProtocolSets(after), everything);
        var sources = _sources.Write(before, after, r => r.Source, everything);
        var destinations = _destinations.Write(before, after, r => r.Destination, everything);

        var fields = ClassifierFields.None;
        foreach (var rule in after.Values) fields |= Fields(rule);
        if (sources.UsesV4) fields |= ClassifierFields.Src4;
        if (sources.UsesV6) fields |= ClassifierFields.Src6;
        if (destinations.UsesV4) fields |= ClassifierFields.Dst4;
        if (destinations.UsesV6) fields |= ClassifierFields.Dst6;
        _config[0] = new ClassifierConfig
        {
            Flags = fields,
            Words = after.Count == 0 ? 0u : (uint)(after.Keys.Max() / 64 + 1),
            Generation = _config[0].Generation + 1,
            Application = _config[0].Application,
        };
        _dimensions[0] = next;
    }

    private static ClassifierFields Fields(ClassifierRule rule) =>
        (rule.Source is null ? 0 : ClassifierFields.Src) | (rule.Destination is null ? 0 : ClassifierFields.Dst) |
        (rule.Ports is null ? 0 : ClassifierFields.Port) | (rule.Protocol is null ? 0 : ClassifierFields.Proto);

    private static ClassifierSet[] PortSets(IReadOnlyDictionary<int, ClassifierRule> rules)
    {
        var sets = new ClassifierSet[PortEntries];
        var everyPort = new ClassifierSet();
        foreach (var (slot, rule) in rules)
        {
            if (rule.Ports is { } ports)
                for (int port = ports.Low; port <= ports.High; port++) sets[port].Add(slot);
            else
                everyPort.Add(slot);
        }
        for (int i = 0; i < sets.Length; i++) sets[i].Add(everyPort);
        return sets;
    }

    private static ClassifierSet[] ProtocolSets(IReadOnlyDictionary<int, ClassifierRule> rules)
    {
        var sets = new ClassifierSet[256];
        foreach (var (slot, rule) in rules)
        {
            if (rule.Protocol is { } protocol) sets[protocol].Add(slot);
            else
                for (int p = 0; p < 256; p++) sets[p].Add(slot);
        }
        return sets;
    }

    private static void WriteArray<T>(BpfArrayMap<T> map, IReadOnlyList<T> before, IReadOnlyList<T> after, bool everything)
        where T : unmanaged, IEquatable<T>
    {
        var keys = new List<uint>();
        var values = new List<T>();
        for (int i = 0; i < after.Count; i++)
        {
            if (!everything && before[i].Equals(after[i])) continue;
            keys.Add((uint)i);
            values.Add(after[i]);
        }
        for (int start = 0; start < keys.Count; start += 8192)
        {
            int count = Math.Min(8192, keys.Count - start);
            map.UpdateBatch(keys.GetRange(start, count).ToArray(), values.GetRange(start, count).ToArray());
        }
    }

    /// <summary>The four maps of one address dimension (see <see cref="ClassifierAddressTable"/>).</summary>
    private sealed class AddressMaps : IDisposable
    {
        private readonly BpfMap _root;
        private readonly BpfArrayMap<ClassifierChunk> _chunks;
        private readonly BpfLpmTrie<IPv6Bytes, uint> _trie;
        private readonly BpfArrayMap<ClassifierSet> _sets;

        internal AddressMaps(TcAppTarget target, ClassifierAddressMapNames names)
        {
            _root = BpfMap.OpenPinned(target.PinPath(names.Root4));
            _chunks = new(BpfMap.OpenPinned(target.PinPath(names.Chunks4)), ownsMap: true);
            _trie = new(BpfMap.OpenPinned(target.PinPath(names.Trie6)), ownsMap: true);
            _sets = new(BpfMap.OpenPinned(target.PinPath(names.Sets)), ownsMap: true);
        }

        /// <summary>Writes the dimension of <paramref name="after"/> over that of <paramref name="before"/>; returns the new table.</summary>
        internal ClassifierAddressTable Write(IReadOnlyDictionary<int, ClassifierRule> before, IReadOnlyDictionary<int, ClassifierRule> after,
            Func<ClassifierRule, IPNetwork?> select, bool everything)
        {
            var old = ClassifierAddressTable.Build(before, select);
            var next = ClassifierAddressTable.Build(after, select);
            // Entries no longer referenced are left as they are: nothing reaches them, and a later write that
            // references one again writes it whole (it is not in that write's "before").
            foreach (var (cls, set) in next.Sets)
                if (everything || !old.Sets.TryGetValue(cls, out var was) || !was.Equals(set)) _sets[(uint)cls] = set;
            foreach (var (index, chunk) in next.Chunks.Reverse())
                if (everything || !old.Chunks.TryGetValue(index, out var was) || !((ReadOnlySpan<ushort>)was.Entries).SequenceEqual(chunk.Entries)) _chunks[(uint)index] = chunk;
            if (everything || !old.RootEntries.SequenceEqual(next.RootEntries)) _root.Update(BitConverter.GetBytes(0u), next.Root);
            foreach (var (key, cls) in next.Trie)
                if (everything || !old.Trie.TryGetValue(key, out uint was) || was != cls) _trie.Update(key, cls);
            // The trie's stale keys are found in the map itself, so a table left by another version is cleaned too.
            foreach (var key in _trie.Keys.ToList().Where(k => !next.Trie.ContainsKey(k))) _trie.Delete(key);
            return next;
        }

        public void Dispose()
        {
            _root.Dispose();
            _chunks.Dispose();
            _trie.Dispose();
            _sets.Dispose();
        }
    }

    private static ClassifierRuleValue ToValue(ClassifierRule rule)
    {
        var value = new ClassifierRuleValue { Used = 1, Fields = Fields(rule), Proto = rule.Protocol ?? 0 };
        if (rule.Ports is { } ports) (value.PortLow, value.PortHigh) = (ports.Low, ports.High);
        if (rule.Source is { } source) value.Src = Prefix(source);
        if (rule.Destination is { } destination) value.Dst = Prefix(destination);
        return value;
    }

    private static ClassifierPrefix Prefix(IPNetwork network)
    {
        var (address, length) = ClassifierRule.Mapped(network);
        var prefix = new ClassifierPrefix();
        MappedPrefix.Write(LpmKey.IPv6(address, length), out prefix.Prefixlen, prefix.Addr);
        return prefix;
    }

    private static ClassifierRule ToRule(ClassifierRuleValue value) => new()
    {
        Protocol = value.Fields.HasFlag(ClassifierFields.Proto) ? value.Proto : null,
        Ports = value.Fields.HasFlag(ClassifierFields.Port) ? (value.PortLow, value.PortHigh) : null,
        Source = value.Fields.HasFlag(ClassifierFields.Src) ? Network(value.Src) : null,
        Destination = value.Fields.HasFlag(ClassifierFields.Dst) ? Network(value.Dst) : null,
    };

    private static IPNetwork Network(ClassifierPrefix prefix)
    {
        var key = MappedPrefix.Read(prefix.Prefixlen, prefix.Addr);
        return ClassifierRule.Unmapped(key.ToIPAddress(), (int)key.PrefixLength);
    }

    public void Dispose()
    {
        _rules.Dispose();
        _sources.Dispose();
        _destinations.Dispose();
        _ports.Dispose();
        _protocols.Dispose();
        _config.Dispose();
        _dimensions.Dispose();
    }
}
