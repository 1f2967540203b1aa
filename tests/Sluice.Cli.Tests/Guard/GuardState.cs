using Sluice.Programs.Guard;

namespace Sluice.Cli.Tests.Guard;

/// <summary>
/// The guard's pinned state read in-process through the controller (a CLI `rules --json` of 500,000 rules would be
/// 100 MB of JSON): the rules in the maps, the per-map counts and the flags, and whether they agree.
/// </summary>
internal sealed record GuardState(IReadOnlyList<string> Rules, GuardRuleCounts Counts, GuardConfigFlags Flags, string? Problem)
{
    internal int RuleCount => Rules.Count;

    internal bool Consistent => Problem is null;

    internal static GuardState Read(GuardTestTarget guard)
    {
        using var controller = GuardController.Open(new GuardTarget(GuardTestTarget.Interface, guard.Namespace));
        var entries = controller.Rules();
        var status = controller.Status();
        var rules = entries.Select(e => e.Rule.ToString()).ToList();
        var counts = status.RuleCounts;
        string? problem = null;
        int portRules4 = entries.Count(e => e.Rule.IsIPv4 && e.Rule.Scope != GuardScope.Any);
        int portRules6 = entries.Count(e => !e.Rule.IsIPv4 && e.Rule.Scope != GuardScope.Any);
        if (counts.Total != rules.Count)
            problem = $"the maps hold {counts.Total} rules ({counts}) but {rules.Count} are listed";
        else if (rules.Distinct(StringComparer.Ordinal).Count() != rules.Count)
            problem = "a rule is listed twice";
        else if (counts.Port4 != portRules4 || counts.Port6 != portRules6)
            problem = $"port map counts {counts.Port4}/{counts.Port6} differ from the listed protocol/port rules {portRules4}/{portRules6}";
        else if (((status.Flags & GuardConfigFlags.PortRulesV4) != 0) != (portRules4 > 0))
            problem = $"flag port_rules_v4 is {((status.Flags & GuardConfigFlags.PortRulesV4) != 0 ? "set" : "clear")} with {portRules4} IPv4 port rules";
        else if (((status.Flags & GuardConfigFlags.PortRulesV6) != 0) != (portRules6 > 0))
            problem = $"flag port_rules_v6 is {((status.Flags & GuardConfigFlags.PortRulesV6) != 0 ? "set" : "clear")} with {portRules6} IPv6 port rules";
        return new GuardState(rules, counts, status.Flags, problem);
    }
}
