using System.Buffers;
using System.Net;
using Sluice.Bpf;

namespace Sluice.Programs.Guard.State;

/// <summary>Which of the six rule maps a rule lives in.</summary>
internal enum RuleTableKind
{
    Exact4,
    Exact6,
    Prefix4,
    Prefix6,
    Port4,
    Port6,
}

/// <summary>
/// One rule map seen as a set of <see cref="GuardRule"/>s: key encoding, exact lookups (tries answer with the longest
/// match, so the stored prefix length is checked), writes, batch writes and full reads.
/// </summary>
internal abstract class RuleTable
{
    protected RuleTable(RuleTableKind kind) => Kind = kind;

    internal RuleTableKind Kind { get; }

    internal bool IsPortTable => Kind is RuleTableKind.Port4 or RuleTableKind.Port6;

    internal bool IsIPv6 => Kind is RuleTableKind.Exact6 or RuleTableKind.Prefix6 or RuleTableKind.Port6;

    /// <summary>The installed value of exactly this rule's prefix and scope.</summary>
    internal abstract bool TryGet(GuardRule rule, out GuardRuleValue value);

    /// <summary>Creates or replaces the entry of the rule's prefix and scope.</summary>
    internal abstract void Put(GuardRule rule, GuardRuleValue value);

    /// <summary>Deletes the entry of the rule's prefix and scope; false when absent.</summary>
    internal abstract bool Delete(GuardRule rule);

    /// <summary>Writes many entries with BPF_MAP_UPDATE_BATCH.</summary>
    internal abstract void PutBatch(ReadOnlySpan<GuardRule> rules, ReadOnlySpan<GuardRuleValue> values);

    /// <summary>Every entry as (rule, value); the rule's action is allow when the allow bit is set.</summary>
    internal abstract List<(GuardRule Rule, GuardRuleValue Value)> ReadAll();

    /// <summary>True when the map has no entry (one get-next-key).</summary>
    internal abstract bool IsEmpty();

    /// <summary>The number of entries (batched lookups; the kernel keeps no count).</summary>
    internal abstract int Count();

    /// <summary>The map's name and its max_entries: how many rules it can hold.</summary>
    internal abstract (string Name, long Capacity) Capacity { get; }

    /// <summary>Installed rules of this table that match a packet from <paramref name="address"/> to protocol/port.</summary>
    internal abstract IEnumerable<(GuardRule Rule, GuardRuleValue Value)> Matching(IPAddress address, byte protocol, ushort port);

    /// <summary>The table a rule belongs in.</summary>
    internal static RuleTableKind KindOf(GuardRule rule)
    {
        bool v4 = rule.IsIPv4;
        if (rule.Scope != GuardScope.Any) return v4 ? RuleTableKind.Port4 : RuleTableKind.Port6;
        if (rule.Source.PrefixLength == (v4 ? 32 : 128)) return v4 ? RuleTableKind.Exact4 : RuleTableKind.Exact6;
        return v4 ? RuleTableKind.Prefix4 : RuleTableKind.Prefix6;
    }

    /// <summary>The map value of a new rule (counters zero).</summary>
    internal static GuardRuleValue ValueOf(GuardRule rule) => new()
    {
        Actions = rule.Action == GuardRuleAction.Allow ? GuardRuleActions.Allow : GuardRuleActions.Deny,
        PrefixLength = (byte)rule.Source.PrefixLength,
        Scope = rule.Scope,
        Id = GuardRuleIds.Of(rule),
    };

    /// <summary>The action a stored value stands for (allow wins when both bits are set).</summary>
    internal static GuardRuleAction ActionOf(in GuardRuleValue value) =>
        (value.Actions & GuardRuleActions.Allow) != 0 ? GuardRuleAction.Allow : GuardRuleAction.Deny;
}

/// <summary>A <see cref="RuleTable"/> over a typed map with key type <typeparamref name="TKey"/>.</summary>
internal sealed class RuleTable<TKey> : RuleTable where TKey : unmanaged
{
    private readonly BpfTypedMap<TKey, GuardRuleValue> _map;
    private readonly Func<IPAddress, int, byte, ushort, TKey> _keyOf;
    private readonly Func<TKey, GuardRuleValue, GuardRule> _ruleOf;
    private readonly bool _trie;
    private readonly int _bits;

    internal RuleTable(RuleTableKind kind, BpfTypedMap<TKey, GuardRuleValue> map, Func<IPAddress, int, byte, ushort, TKey> keyOf,
        Func<TKey, GuardRuleValue, GuardRule> ruleOf) : base(kind)
    {
        _map = map;
        _keyOf = keyOf;
        _ruleOf = ruleOf;
        _trie = kind is not (RuleTableKind.Exact4 or RuleTableKind.Exact6);
        _bits = IsIPv6 ? 128 : 32;
    }

    private TKey KeyOf(GuardRule rule) => _keyOf(rule.Source.BaseAddress, rule.Source.PrefixLength, rule.Protocol, rule.Port);

    internal override bool TryGet(GuardRule rule, out GuardRuleValue value) =>
        _map.TryLookup(KeyOf(rule), out value) && (!_trie || (value.PrefixLength == rule.Source.PrefixLength && value.Scope == rule.Scope));

    internal override void Put(GuardRule rule, GuardRuleValue value) => _map.Update(KeyOf(rule), value);

    internal override bool Delete(GuardRule rule) => _map.Delete(KeyOf(rule));

    internal override void PutBatch(ReadOnlySpan<GuardRule> rules, ReadOnlySpan<GuardRuleValue> values)
    {
        // Pooled: a fresh array per import chunk would be a large-object-heap allocation each time.
        var keys = ArrayPool<TKey>.Shared.Rent(rules.Length);
        try
        {
            for (int i = 0; i < rules.Length; i++) keys[i] = KeyOf(rules[i]);
            _map.UpdateBatch(keys.AsSpan(0, rules.Length), values);
        }
        finally
        {
            ArrayPool<TKey>.Shared.Return(keys);
        }
    }

    internal override List<(GuardRule Rule, GuardRuleValue Value)> ReadAll() =>
        [.. _map.ReadAll(8192).Select(entry => (_ruleOf(entry.Key, entry.Value), entry.Value))];

    internal override bool IsEmpty() => !_map.Keys.Any();

    internal override (string Name, long Capacity) Capacity => (_map.Map.Name, _map.Map.MaxEntries);

    internal override int Count()
    {
        var keys = new TKey[8192];
        var values = new GuardRuleValue[8192];
        var cursor = new MapBatchCursor();
        int count = 0;
        try
        {
            while (!cursor.IsDone) count += _map.LookupBatch(cursor, keys, values);
            return count;
        }
        catch (BpfException) when (count == 0)
        {
            return _map.Keys.Count();
        }
    }

    internal override IEnumerable<(GuardRule Rule, GuardRuleValue Value)> Matching(IPAddress address, byte protocol, ushort port)
    {
        if (!_trie)
        {
            var key = _keyOf(address, _bits, 0, 0);
            if (_map.TryLookup(key, out var exact)) yield return (_ruleOf(key, exact), exact);
            yield break;
        }
        // A trie answers with the longest stored prefix no longer than the key's: walk down to find every match.
        for (int length = _bits; length >= 0;)
        {
            if (!_map.TryLookup(_keyOf(address, length, protocol, port), out var value)) yield break;
            var stored = _keyOf(GuardRuleParser.Mask(address, value.PrefixLength), value.PrefixLength, protocol, port);
            yield return (_ruleOf(stored, value), value);
            length = value.PrefixLength - 1;
        }
    }
}
