namespace Sluice.Bpf;

/// <summary>
/// Turns a verifier log into an exception message: the cause (last meaningful line) and the few lines before it.
/// The statistics the verifier prints after giving up ("processed N insns ...") explain nothing and are skipped.
/// </summary>
internal static class VerifierLogSummary
{
    /// <summary>How many trailing meaningful lines go into a message.</summary>
    internal const int TailLines = 5;

    private static readonly string[] NoisePrefixes =
    [
        "processed ", "verification time ", "stack depth ", "max_states_per_insn ", "peak_states ", "mark_read ",
    ];

    /// <summary>The lines worth showing, in order, without the trailing statistics and blank lines.</summary>
    internal static List<string> MeaningfulLines(string log)
    {
        var lines = new List<string>(log.Split('\n'));
        while (lines.Count > 0 && IsNoise(lines[^1])) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    /// <summary>The verifier's reason: its last meaningful line, or null for an empty log.</summary>
    internal static string? Cause(string log)
    {
        var lines = MeaningfulLines(log);
        return lines.Count == 0 ? null : lines[^1].Trim();
    }

    /// <summary>"&lt;cause&gt;" followed by "(N lines omitted)" and the last meaningful lines, each indented.</summary>
    internal static string Summarize(string log, int tailLines = TailLines)
    {
        var lines = MeaningfulLines(log);
        if (lines.Count == 0) return "(the verifier left no log)";
        var builder = new System.Text.StringBuilder(lines[^1].Trim());
        int shown = Math.Min(tailLines, lines.Count);
        int omitted = lines.Count - shown;
        if (omitted > 0) builder.Append("\n  (").Append(omitted).Append(omitted == 1 ? " line omitted)" : " lines omitted)");
        for (int i = lines.Count - shown; i < lines.Count; i++) builder.Append("\n  ").Append(lines[i].TrimEnd());
        return builder.ToString();
    }

    private static bool IsNoise(string line)
    {
        var trimmed = line.Trim();
        if (trimmed.Length == 0) return true;
        foreach (var prefix in NoisePrefixes)
            if (trimmed.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }
}
