using System.Globalization;
using System.Text.RegularExpressions;

namespace Sluice.Bpf.Diagnostics;

/// <summary>
/// Reads a verifier log (log_level 1 or 2) into its parts: instruction lines "N: (op) text ; registers", source
/// annotations "; C line @ file.c:LINE", register state lines "N: R1=...", and the reason lines the verifier
/// printed when it gave up. The verifier stops at the first error, so the last instruction line is the failing one.
/// </summary>
internal static partial class VerifierLogParser
{
    /// <summary>A parsed log: the failing instruction, the source annotation just before it, and the reason lines.</summary>
    internal sealed record Result(
        int? InstructionIndex, string? Instruction, string? RegisterState, VerifierSourceLocation? Annotation,
        IReadOnlyList<string> ReasonLines);

    [GeneratedRegex(@"^(\d+): (\([0-9a-f]{2}\) .*?)(?:\s+; (R.*))?$")]
    private static partial Regex InstructionLine();

    [GeneratedRegex(@"^; (.*) @ (\S+):(\d+)$")]
    private static partial Regex SourceAnnotation();

    [GeneratedRegex(@"^\d+: (R\d+|frame\d+:).*$")]
    private static partial Regex StateLine();

    // Lines around the reason that explain nothing: statistics, liveness tracing, path bookkeeping.
    private static readonly string[] NoisePrefixes =
    [
        "processed ", "verification time ", "stack depth ", "max_states_per_insn ", "peak_states ", "mark_read ",
        "from ", "cur state:", "old state:", "-- END", "func#", "last_idx ", "regs=", "parent ",
    ];

    internal static Result Parse(string log)
    {
        var lines = log.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        int failing = -1;
        for (int i = lines.Length - 1; i >= 0; i--)
        {
            if (InstructionLine().IsMatch(lines[i])) { failing = i; break; }
        }

        int? index = null;
        string? instruction = null, registers = null;
        VerifierSourceLocation? annotation = null;
        if (failing >= 0)
        {
            var match = InstructionLine().Match(lines[failing]);
            index = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            instruction = match.Groups[2].Value.TrimEnd();
            registers = match.Groups[3].Success ? match.Groups[3].Value.Trim() : StateBefore(lines, failing);
            annotation = AnnotationBefore(lines, failing);
        }

        var reason = new List<string>();
        for (int i = failing + 1; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith(';') || StateLine().IsMatch(line) || line.StartsWith('(') || IsNoise(line)) continue;
            reason.Add(line);
        }
        return new Result(index, instruction, registers, annotation, reason);
    }

    /// <summary>The register state printed just before instruction line <paramref name="at"/> ("N: R1=ctx() R10=fp0").</summary>
    private static string? StateBefore(string[] lines, int at)
    {
        for (int i = at - 1; i >= 0 && i >= at - 3; i--)
        {
            if (StateLine().IsMatch(lines[i])) return lines[i][(lines[i].IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            if (InstructionLine().IsMatch(lines[i])) return null;
        }
        return null;
    }

    /// <summary>The closest source annotation above line <paramref name="at"/>: the C line the failing instruction came from.</summary>
    private static VerifierSourceLocation? AnnotationBefore(string[] lines, int at)
    {
        for (int i = at - 1; i >= 0; i--)
        {
            var match = SourceAnnotation().Match(lines[i].TrimEnd());
            if (match.Success)
                return new VerifierSourceLocation(match.Groups[2].Value, int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture), match.Groups[1].Value);
        }
        return null;
    }

    private static bool IsNoise(string line)
    {
        foreach (var prefix in NoisePrefixes)
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }
}
