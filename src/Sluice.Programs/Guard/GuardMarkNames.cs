namespace Sluice.Programs.Guard;

/// <summary>The text names of <see cref="GuardMarks"/> bits used by config files and the CLI ("fragment", "near-limit", ...).</summary>
public static class GuardMarkNames
{
    /// <summary>Every name, in bit order.</summary>
    public static IReadOnlyList<string> All { get; } = ["allowed", "fragment", "malformed", "unmatched", "near-limit"];

    /// <summary>Parses one name (case-insensitive; "near_limit" also accepted).</summary>
    public static bool TryParse(string? name, out GuardMarks mark)
    {
        mark = name?.Trim().ToLowerInvariant() switch
        {
            "allowed" => GuardMarks.Allowed,
            "fragment" => GuardMarks.Fragment,
            "malformed" => GuardMarks.Malformed,
            "unmatched" => GuardMarks.Unmatched,
            "near-limit" or "near_limit" => GuardMarks.NearLimit,
            _ => GuardMarks.None,
        };
        return mark != GuardMarks.None;
    }

    /// <summary>The names of the set bits, e.g. ["fragment", "near-limit"].</summary>
    public static IReadOnlyList<string> Names(GuardMarks marks) =>
        [.. All.Where((_, bit) => (marks & (GuardMarks)(1u << bit)) != 0)];

    /// <summary>"fragment,near-limit" or "none".</summary>
    public static string Format(GuardMarks marks) => marks == GuardMarks.None ? "none" : string.Join(",", Names(marks));
}
