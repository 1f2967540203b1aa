using System.Text;
using Sluice.Bpf.Object;

namespace Sluice.Bpf.Diagnostics;

/// <summary>
/// What a verifier log says went wrong, in the program's own terms: the failing instruction, the C line it came
/// from (through the program's BTF line_info, else the log's "@ file:line" annotations), the verifier's reason and a
/// one-line hint for the common causes. <see cref="Render"/> turns it into the text the CLI and exceptions show.
/// </summary>
public sealed class VerifierDiagnostic
{
    private VerifierDiagnostic(string reason, IReadOnlyList<string> reasonLines)
    {
        Reason = reason;
        ReasonLines = reasonLines;
    }

    /// <summary>The verifier's reason: the first line it printed after the failing instruction (or its last line).</summary>
    public string Reason { get; }

    /// <summary>Every reason line, in order (some causes take two, e.g. "R1 offset is outside of the packet").</summary>
    public IReadOnlyList<string> ReasonLines { get; }

    /// <summary>Index of the failing instruction in the program's (linked) instruction stream, when the log shows one.</summary>
    public int? InstructionIndex { get; private init; }

    /// <summary>The failing instruction as the verifier printed it, e.g. "(71) r1 = *(u8 *)(r1 +0)".</summary>
    public string? Instruction { get; private init; }

    /// <summary>Register state at the failing instruction, as the verifier printed it, when it did.</summary>
    public string? RegisterState { get; private init; }

    /// <summary>The C source line of the failing instruction, when the object carried BTF line_info.</summary>
    public VerifierSourceLocation? Source { get; private init; }

    /// <summary>The recognised cause.</summary>
    public VerifierFailureKind Kind { get; private init; }

    /// <summary>One line on what usually fixes <see cref="Kind"/>; null when the cause is not recognised.</summary>
    public string? Hint { get; private init; }

    /// <summary>
    /// Parses <paramref name="log"/>. With <paramref name="program"/> the failing instruction is mapped to C through
    /// its BTF line_info (full file path and column as compiled); without, through the log's own source annotations.
    /// </summary>
    public static VerifierDiagnostic Parse(string log, ProgramSpec? program = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var parsed = VerifierLogParser.Parse(log);
        var reasonLines = parsed.ReasonLines.Count > 0 ? parsed.ReasonLines
            : VerifierLogSummary.Cause(log) is { } cause ? [cause] : ["(the verifier left no reason)"];
        var (kind, hint) = VerifierHints.Classify(reasonLines);
        return new VerifierDiagnostic(reasonLines[0], reasonLines)
        {
            InstructionIndex = parsed.InstructionIndex,
            Instruction = parsed.Instruction,
            RegisterState = parsed.RegisterState,
            Source = FromLineInfo(program, parsed.InstructionIndex) ?? parsed.Annotation,
            Kind = kind,
            Hint = hint,
        };
    }

    /// <summary>
    /// The diagnostic as a few indented lines: where (file:line and the C line), the instruction, the reason and the
    /// hint. Meant to follow a first line naming the program.
    /// </summary>
    public string Render()
    {
        var text = new StringBuilder();
        if (Source is { } source)
        {
            text.Append("  at ").Append(source.File).Append(':').Append(source.Line).Append('\n');
            text.Append("    ").Append(source.Line).Append(" | ").Append(source.Text.Trim()).Append('\n');
        }
        if (InstructionIndex is { } index)
            text.Append("  instruction ").Append(index).Append(": ").Append(Instruction).Append('\n');
        if (RegisterState is { Length: > 0 } registers) text.Append("  registers: ").Append(registers).Append('\n');
        text.Append("  reason: ").Append(string.Join("; ", ReasonLines)).Append('\n');
        if (Hint is not null) text.Append("  hint: ").Append(Hint).Append('\n');
        return text.ToString().TrimEnd('\n');
    }

    /// <inheritdoc />
    public override string ToString() => Reason + "\n" + Render();

    /// <summary>The line_info record covering <paramref name="index"/>: the one with the greatest offset not after it.</summary>
    private static VerifierSourceLocation? FromLineInfo(ProgramSpec? program, int? index)
    {
        if (program is null || index is not { } instruction) return null;
        BtfLineInfo? best = null;
        foreach (var line in program.LineInfos)
        {
            if (line.InstructionOffset > (uint)instruction) continue;
            if (best is null || line.InstructionOffset >= best.Value.InstructionOffset) best = line;
        }
        // Line 0 marks compiler-made code with no source line; the log's annotation is no better then.
        return best is { LineNumber: > 0 } found ? new VerifierSourceLocation(found.FileName, (int)found.LineNumber, found.SourceLine) : null;
    }
}
