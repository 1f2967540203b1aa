using Sluice.Programs.Guard.State;

namespace Sluice.Programs.Guard;

public sealed partial class GuardController
{
    /// <summary>Every installed rule with its counters, sorted (IPv4 before IPv6, by address, prefix, then scope).</summary>
    public IReadOnlyList<GuardRuleEntry> Rules()
    {
        var entries = new List<GuardRuleEntry>();
        foreach (var table in _tables.All)
            foreach (var (rule, value) in table.ReadAll())
                entries.Add(new GuardRuleEntry(rule, value.Packets, value.Bytes, value.Id));
        entries.Sort((a, b) => GuardRuleOrder.Compare(a.Rule, b.Rule));
        return entries;
    }

    /// <summary>Installed rules per map.</summary>
    public GuardRuleCounts CountRules() => new(_tables.Exact4.Count(), _tables.Exact6.Count(), _tables.Prefix4.Count(),
        _tables.Prefix6.Count(), _tables.Port4.Count(), _tables.Port6.Count());

    /// <summary>
    /// Installs rules. Rules already installed with the same action keep their counters (Unchanged); the same prefix
    /// and scope both allowed and denied in the request, or the opposite action of an installed rule, is a conflict
    /// (remove the installed rule first). The port-rule flag of a family is set before its first port rule is written.
    /// </summary>
    /// <exception cref="GuardConflictException">A conflict; the message names the rules.</exception>
    /// <exception cref="GuardLockoutException">The rules would drop the current SSH session (unless <paramref name="force"/>).</exception>
    public GuardChange AddRules(IReadOnlyList<GuardRule> rules, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var batch = RuleBatch.Create(rules);
        var (fresh, unchanged) = SplitInstalled(batch.Rules);
        if (fresh.Count == 0) return new GuardChange(0, 0, unchanged);
        var flags = _slots.Active.Flags | Model.GuardPolicyModel.PortRuleFlags(fresh);
        GuardLockoutCheck.CheckChange(_tables, fresh, [], WithFlags(_slots.Active, flags), SkipLockout(force), "adding these rules");
        var before = _slots.Active;
        if ((flags & ConfigSlots.PortFlags) != (before.Flags & ConfigSlots.PortFlags)) _slots.SwitchFlags(flags);
        var written = new List<GuardRule>();
        try
        {
            foreach (var rule in fresh)
            {
                _tables.For(rule).Put(rule, RuleTable.ValueOf(rule));
                written.Add(rule);
            }
        }
        catch (Exception error) when (error is Sluice.Bpf.BpfException)
        {
            foreach (var rule in written) _tables.For(rule).Delete(rule);
            _slots.Switch(WithGeneration(before, _slots.Active.Generation + 1));
            throw new GuardException(GuardFailure.KernelError, $"adding {fresh[written.Count]} failed; nothing was added", error) { Target = Target };
        }
        BumpGeneration();
        return new GuardChange(fresh.Count, 0, unchanged);
    }

    /// <summary>
    /// Removes rules, matched by prefix, scope and action (a rule installed with the other action, or not installed,
    /// counts as Unchanged). The port-rule flag of a family is cleared after its last port rule is gone.
    /// </summary>
    public GuardChange RemoveRules(IReadOnlyList<GuardRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        int removed = 0, unchanged = 0;
        foreach (var rule in rules.Distinct())
        {
            rule.Validate();
            var table = _tables.For(rule);
            if (table.TryGet(rule, out var value) && RuleTable.ActionOf(value) == rule.Action && table.Delete(rule)) removed++;
            else unchanged++;
        }
        if (removed > 0)
        {
            var flags = PortFlagsInUse();
            var active = _slots.Active;
            if ((active.Flags & ConfigSlots.PortFlags) != flags) _slots.SwitchFlags(flags);
            else BumpGeneration();
        }
        return new GuardChange(0, removed, unchanged);
    }

    /// <summary>The port-rule flags the installed rules need (a family's flag while its port trie is not empty).</summary>
    private GuardConfigFlags PortFlagsInUse() =>
        (_tables.Port4.IsEmpty() ? 0 : GuardConfigFlags.PortRulesV4) | (_tables.Port6.IsEmpty() ? 0 : GuardConfigFlags.PortRulesV6);

    /// <summary>Splits rules into those not installed yet and the count already installed with the same action.</summary>
    /// <exception cref="GuardConflictException">A rule is installed with the other action.</exception>
    private (List<GuardRule> Fresh, int Unchanged) SplitInstalled(IReadOnlyList<GuardRule> rules)
    {
        var fresh = new List<GuardRule>();
        int unchanged = 0;
        foreach (var rule in rules)
        {
            if (!_tables.For(rule).TryGet(rule, out var value)) fresh.Add(rule);
            else if (RuleTable.ActionOf(value) == rule.Action) unchanged++;
            else throw Conflict(rule, RuleTable.ActionOf(value));
        }
        return (fresh, unchanged);
    }

    private static GuardConflictException Conflict(GuardRule rule, GuardRuleAction installed) => new(
        $"{rule} conflicts with the installed rule {rule with { Action = installed }}: remove that rule first");

    private static GuardConfigValue WithFlags(GuardConfigValue value, GuardConfigFlags flags)
    {
        value.Flags = flags;
        return value;
    }

    private static GuardConfigValue WithGeneration(GuardConfigValue value, uint generation)
    {
        value.Generation = generation;
        return value;
    }

    /// <summary>Re-writes the active configuration with the generation bumped (every change shows in status).</summary>
    private void BumpGeneration()
    {
        var value = _slots.Active;
        value.Generation++;
        _slots.Switch(value);
    }
}
