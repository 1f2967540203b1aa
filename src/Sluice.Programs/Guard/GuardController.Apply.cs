using Sluice.Programs.Guard.Model;
using Sluice.Programs.Guard.State;

namespace Sluice.Programs.Guard;

public sealed partial class GuardController
{
    /// <summary>
    /// The changes that turn the installed state into <paramref name="desired"/>: rules to add (absent, or installed
    /// with the other action), rules to remove (installed but not desired) and settings that change.
    /// </summary>
    /// <exception cref="GuardException">The desired configuration is invalid or contradicts itself.</exception>
    public GuardPlan Plan(GuardConfig desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        desired.Settings.Validate();
        var wanted = RuleBatch.Create(desired.Rules).Rules;
        var active = _slots.Active;
        var installed = new Dictionary<GuardRuleKey, GuardRule>();
        foreach (var table in _tables.All)
            foreach (var (rule, _) in table.ReadAll()) installed[rule.Key] = rule;
        var wantedKeys = new Dictionary<GuardRuleKey, GuardRuleAction>(wanted.Count);
        foreach (var rule in wanted) wantedKeys[rule.Key] = rule.Action;
        var add = wanted.Where(rule => !installed.TryGetValue(rule.Key, out var current) || current.Action != rule.Action).ToList();
        var remove = installed.Values.Where(rule => !wantedKeys.TryGetValue(rule.Key, out var action) || action != rule.Action).ToList();
        add.Sort(GuardRuleOrder.Compare);
        remove.Sort(GuardRuleOrder.Compare);
        return new GuardPlan
        {
            Desired = desired with { Rules = wanted },
            RulesToAdd = add,
            RulesToRemove = remove,
            SettingsChanges = GuardSettingsDiff.Lines(GuardSettings.FromConfigValue(active), desired.Settings),
            BaseGeneration = active.Generation,
        };
    }

    /// <summary>
    /// Carries out a plan under the guard's writer lock: validates everything first (including the lock-out check on
    /// the final state), then adds, then removes, and switches the settings last by a slot flip. If any step fails,
    /// what was done is undone and the guard is left as it was.
    /// </summary>
    /// <exception cref="GuardException">Stale plan, validation, conflict, lock-out (unless <paramref name="force"/>), or a failure (rolled back).</exception>
    public void Apply(GuardPlan plan, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.Desired.Settings.Validate();
        RuleBatch.Create(plan.RulesToAdd);
        foreach (var rule in plan.RulesToRemove) rule.Validate();
        var finalRules = RuleBatch.Create(plan.Desired.Rules).Rules;
        Write("apply", write =>
        {
            var before = _slots.Active;
            if (before.Generation != plan.BaseGeneration)
                throw new GuardException(GuardFailure.StalePlan, $"the guard changed since the plan was made (generation {plan.BaseGeneration}, now {before.Generation})") { Target = Target };
            var final = plan.Desired.Settings.ToConfigValue(before.Generation + 1, GuardPolicyModel.PortRuleFlags(finalRules));
            CheckFinalLockout(finalRules, final, force, "this configuration");
            if (plan.IsEmpty) return 0;

            RaisePortFlags(write, before, plan.RulesToAdd);
            ApplyStepHook?.Invoke("flags");
            var added = new HashSet<GuardRuleKey>();
            foreach (var rule in plan.RulesToAdd)
            {
                write.Put(rule);
                added.Add(rule.Key);
            }
            ApplyStepHook?.Invoke("add");
            foreach (var rule in plan.RulesToRemove)
            {
                if (added.Contains(rule.Key)) continue; // replaced in place by the add of the other action
                write.Delete(rule);
            }
            ApplyStepHook?.Invoke("remove");
            final.Generation = _slots.Active.Generation + 1;
            write.Switch(final);
            ApplyStepHook?.Invoke("settings");
            return 0;
        });
    }
}
