using System.Net;
using Sluice.Bpf;

namespace Sluice.Programs.TcApps;

/// <summary>
/// The pinned classifier maps of bpf/include/tc_classifier.h: the rules (slot -> <see cref="ClassifierRule"/>) and the
/// per-dimension bitmaps derived from them. <see cref="Write"/> turns one rule set into the next, writing only the
/// entries that change.
/// </summary>
internal sealed class ClassifierTables : IDisposable
{
    private const int PortEntries = (int)ClassifierNames.NoPortIndex + 1;

    private readonly BpfArrayMap<ClassifierRuleValue> _rules;
    private readonly BpfLpmTrie<IPv6Bytes, ClassifierBitmap> _sources;
    private readonly BpfLpmTrie<IPv6Bytes, ClassifierBitmap> _destinations;
    private readonly BpfArrayMap<ClassifierBitmap> _ports;
    private readonly BpfArrayMap<ClassifierBitmap> _protocols;
    private readonly BpfArrayMap<ClassifierConfig> _config;

    private ClassifierTables(TcAppTarget target)
    {
        BpfMap Open(string name) => BpfMap.OpenPinned(target.PinPath(name));
        _rules = new(Open(ClassifierNames.Rules), ownsMap: true);
        _sources = new(Open(ClassifierNames.Source), ownsMap: true);
        _destinations = new(Open(ClassifierNames.Destination), ownsMap: true);
        _ports = new(Open(ClassifierNames.Ports), ownsMap: true);
        _protocols = new(Open(ClassifierNames.Protocols), ownsMap: true);
        _config = new(Open(ClassifierNames.Config), ownsMap: true);
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

    /// <summary>Replaces rule set <paramref name="before"/> (what the maps hold) by <paramref name="after"/>.</summary>
    internal void Write(IReadOnlyDictionary<int, ClassifierRule> before, IReadOnlyDictionary<int, ClassifierRule> after)
    {
        foreach (var (slot, rule) in after)
            if (!before.TryGetValue(slot, out var old) || old != rule) _rules[(uint)slot] = ToValue(rule);
        foreach (var slot in before.Keys.Where(s => !after.ContainsKey(s))) _rules[(uint)slot] = default;

        WriteArray(_ports, PortBitmaps(before), PortBitmaps(after));
        WriteArray(_protocols, ProtocolBitmaps(before), ProtocolBitmaps(after));
        WriteTrie(_sources, PrefixBitmaps(before, r => r.Source), PrefixBitmaps(after, r => r.Source));
        WriteTrie(_destinations, PrefixBitmaps(before, r => r.Destination), PrefixBitmaps(after, r => r.Destination));

        var fields = ClassifierFields.None;
        foreach (var rule in after.Values) fields |= Fields(rule);
        _config[0] = new ClassifierConfig
        {
            Flags = fields,
            Words = after.Count == 0 ? 0u : (uint)(after.Keys.Max() / 64 + 1),
            Generation = _config[0].Generation + 1,
            Application = _config[0].Application,
        };
    }

    private static ClassifierFields Fields(ClassifierRule rule) =>
        (rule.Source is null ? 0 : ClassifierFields.Src) | (rule.Destination is null ? 0 : ClassifierFields.Dst) |
        (rule.Ports is null ? 0 : ClassifierFields.Port) | (rule.Protocol is null ? 0 : ClassifierFields.Proto);

    private static void Set(ref ClassifierBitmap bitmap, int slot) => bitmap.Words[slot / 64] |= 1UL << (slot % 64);

    private static ClassifierBitmap[] PortBitmaps(IReadOnlyDictionary<int, ClassifierRule> rules)
    {
        var bitmaps = new ClassifierBitmap[PortEntries];
        var everyPort = new ClassifierBitmap();
        foreach (var (slot, rule) in rules)
        {
            if (rule.Ports is { } ports)
                for (int port = ports.Low; port <= ports.High; port++) Set(ref bitmaps[port], slot);
            else
                Set(ref everyPort, slot);
        }
        for (int i = 0; i < bitmaps.Length; i++)
            for (int w = 0; w < ClassifierNames.Words; w++) bitmaps[i].Words[w] |= everyPort.Words[w];
        return bitmaps;
    }

    private static ClassifierBitmap[] ProtocolBitmaps(IReadOnlyDictionary<int, ClassifierRule> rules)
    {
        var bitmaps = new ClassifierBitmap[256];
        foreach (var (slot, rule) in rules)
        {
            if (rule.Protocol is { } protocol) Set(ref bitmaps[protocol], slot);
            else
                for (int p = 0; p < 256; p++) Set(ref bitmaps[p], slot);
        }
        return bitmaps;
    }

    /// <summary>Every stored prefix (those of the rules, and ::/0) with the rules whose prefix contains it or who have none.</summary>
    private static Dictionary<LpmKey<IPv6Bytes>, ClassifierBitmap> PrefixBitmaps(IReadOnlyDictionary<int, ClassifierRule> rules, Func<ClassifierRule, IPNetwork?> select)
    {
        var prefixes = new HashSet<(IPAddress Address, int Length)> { (IPAddress.IPv6Any, 0) };
        foreach (var rule in rules.Values)
            if (select(rule) is { } network) prefixes.Add(ClassifierRule.Mapped(network));
        var result = new Dictionary<LpmKey<IPv6Bytes>, ClassifierBitmap>();
        foreach (var (address, length) in prefixes)
        {
            var bitmap = new ClassifierBitmap();
            foreach (var (slot, rule) in rules)
            {
                if (select(rule) is not { } network) Set(ref bitmap, slot);
                else
                {
                    var (ruleAddress, ruleLength) = ClassifierRule.Mapped(network);
                    if (ruleLength <= length && new IPNetwork(ruleAddress, ruleLength).Contains(address)) Set(ref bitmap, slot);
                }
            }
            result[LpmKey.IPv6(address, length)] = bitmap;
        }
        return result;
    }

    private static void WriteArray(BpfArrayMap<ClassifierBitmap> map, ClassifierBitmap[] before, ClassifierBitmap[] after)
    {
        var keys = new List<uint>();
        var values = new List<ClassifierBitmap>();
        for (int i = 0; i < after.Length; i++)
        {
            if (Equal(before[i], after[i])) continue;
            keys.Add((uint)i);
            values.Add(after[i]);
        }
        for (int start = 0; start < keys.Count; start += 8192)
        {
            int count = Math.Min(8192, keys.Count - start);
            map.UpdateBatch(keys.GetRange(start, count).ToArray(), values.GetRange(start, count).ToArray());
        }
    }

    private static void WriteTrie(BpfLpmTrie<IPv6Bytes, ClassifierBitmap> trie, Dictionary<LpmKey<IPv6Bytes>, ClassifierBitmap> before,
        Dictionary<LpmKey<IPv6Bytes>, ClassifierBitmap> after)
    {
        // An absent entry and an empty bitmap mean the same to the program (no rule), so a fresh, empty trie is
        // consistent with any "before" whose bitmaps are empty.
        foreach (var (key, bitmap) in after)
            if (!before.TryGetValue(key, out var old) || !Equal(old, bitmap)) trie.Update(key, bitmap);
        foreach (var key in before.Keys.Where(k => !after.ContainsKey(k))) trie.Delete(key);
    }

    private static bool Equal(ClassifierBitmap a, ClassifierBitmap b)
    {
        for (int w = 0; w < ClassifierNames.Words; w++)
            if (a.Words[w] != b.Words[w]) return false;
        return true;
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
    }
}
