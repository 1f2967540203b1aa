namespace Sluice.Programs.Guard;

/// <summary>
/// The difference between the installed state and a desired <see cref="GuardConfig"/>, made by
/// <see cref="GuardController.Plan"/> and carried out by <see cref="GuardController.Apply"/>.
/// </summary>
public sealed record GuardPlan
{
    /// <summary>The configuration the plan leads to.</summary>
    public required GuardConfig Desired { get; init; }

    /// <summary>Rules to add (not installed, or installed with the other action: then also in <see cref="RulesToRemove"/>).</summary>
    public required IReadOnlyList<GuardRule> RulesToAdd { get; init; }

    /// <summary>Installed rules the desired configuration does not have.</summary>
    public required IReadOnlyList<GuardRule> RulesToRemove { get; init; }

    /// <summary>Settings that change, one printable line each ("pps: 0 -> 1000").</summary>
    public required IReadOnlyList<string> SettingsChanges { get; init; }

    /// <summary>The configuration generation the plan was made against.</summary>
    public uint BaseGeneration { get; init; }

    /// <summary>True when applying would change nothing.</summary>
    public bool IsEmpty => RulesToAdd.Count == 0 && RulesToRemove.Count == 0 && SettingsChanges.Count == 0;

    /// <summary>
    /// The diff as printable lines: "+ deny 198.19.0.0/16", "- allow 198.18.1.0/24", "~ pps: 0 -> 1000", or
    /// "no changes". Long rule lists are summarised after <paramref name="maxRuleLines"/> lines per direction.
    /// </summary>
    public IReadOnlyList<string> Lines(int maxRuleLines = 50)
    {
        var lines = new List<string>();
        AddRules(lines, "+", RulesToAdd, maxRuleLines);
        AddRules(lines, "-", RulesToRemove, maxRuleLines);
        lines.AddRange(SettingsChanges.Select(change => $"~ {change}"));
        if (lines.Count == 0) lines.Add("no changes");
        return lines;
    }

    private static void AddRules(List<string> lines, string sign, IReadOnlyList<GuardRule> rules, int max)
    {
        foreach (var rule in rules.Take(max)) lines.Add($"{sign} {rule}");
        if (rules.Count > max) lines.Add($"{sign} ... and {rules.Count - max} more");
    }
}
