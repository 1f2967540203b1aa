using Sluice.Programs.Guard.Model;
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
    /// All or nothing, under the guard's writer lock.
    /// </summary>
    /// <exception cref="GuardConflictException">A conflict; the message names the rules.</exception>
    /// <exception cref="GuardLockoutException">The rules would drop an SSH session (<see cref="GuardLockout.FindSessions"/>; unless <paramref name="force"/>).</exception>
    public GuardChange AddRules(IReadOnlyList<GuardRule> rules, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var batch = RuleBatch.Create(rules);
        return Write("adding rules", write =>
        {
            var (fresh, unchanged) = SplitInstalled(batch.Rules);
            if (fresh.Count == 0) return new GuardChange(0, 0, unchanged);
            var active = _slots.Active;
            CheckLockout(fresh, WithFlags(active, active.Flags | GuardPolicyModel.PortRuleFlags(fresh)), force, "adding these rules");
            RaisePortFlags(write, active, fresh);
            foreach (var rule in fresh) write.Put(rule);
            write.BumpGeneration();
            return new GuardChange(fresh.Count, 0, unchanged);
        });
    }

    /// <summary>
    /// Removes rules, matched by prefix, scope and action (a rule installed with the other action, or not installed,
    /// counts as Unchanged). The port-rule flag of a family is cleared after its last port rule is gone.
    /// </summary>
    public GuardChange RemoveRules(IReadOnlyList<GuardRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        foreach (var rule in rules) rule.Validate();
        return Write("removing rules", write =>
        {
            int removed = 0, unchanged = 0;
            foreach (var rule in rules.Distinct())
            {
                if (_tables.For(rule).TryGet(rule, out var value) && RuleTable.ActionOf(value) == rule.Action && write.Delete(rule)) removed++;
                else unchanged++;
            }
            if (removed > 0)
            {
                var flags = PortFlagsInUse();
                if ((_slots.Active.Flags & ConfigSlots.PortFlags) != flags) write.SwitchPortFlags(flags);
                else write.BumpGeneration();
            }
            return new GuardChange(0, removed, unchanged);
        });
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
}
