namespace Sluice.Programs.Guard.State;

/// <summary>A validated request: exact duplicates dropped; allow and deny of one prefix and scope refused.</summary>
internal sealed class RuleBatch
{
    private RuleBatch(List<GuardRule> rules, long read, long duplicates)
    {
        Rules = rules;
        Read = read;
        Duplicates = duplicates;
    }

    internal List<GuardRule> Rules { get; }
    internal long Read { get; }
    internal long Duplicates { get; }

    /// <exception cref="GuardException">A rule is invalid.</exception>
    /// <exception cref="GuardConflictException">The same prefix and scope is both allowed and denied.</exception>
    internal static RuleBatch Create(IEnumerable<GuardRule> rules, CancellationToken cancellationToken = default, Action<long>? onRead = null)
    {
        // Sized up front when the count is known: growing a million-entry dictionary and list re-copies them and
        // allocates large-object-heap arrays, each of which can trigger a full GC.
        int capacity = rules.TryGetNonEnumeratedCount(out int count) ? count : 0;
        var seen = new Dictionary<PackedRuleKey, GuardRuleAction>(capacity);
        var list = new List<GuardRule>(capacity);
        long read = 0, duplicates = 0;
        foreach (var rule in rules)
        {
            ArgumentNullException.ThrowIfNull(rule);
            read++;
            if ((read & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                onRead?.Invoke(read);
            }
            if ((GuardRuleParser.Check(rule.Source, rule.Protocol, rule.Port) ?? GuardRuleParser.CheckIdentity(rule.Source)) is { } problem)
                throw new GuardException($"invalid rule '{rule}': {problem}");
            var key = PackedRuleKey.Of(rule);
            if (seen.TryGetValue(key, out var action))
            {
                if (action != rule.Action) throw new GuardConflictException($"{rule.Key} is both allowed and denied in the same request");
                duplicates++;
                continue;
            }
            seen.Add(key, rule.Action);
            list.Add(rule);
        }
        onRead?.Invoke(read);
        return new RuleBatch(list, read, duplicates);
    }
}
