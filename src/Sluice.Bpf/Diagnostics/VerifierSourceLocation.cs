namespace Sluice.Bpf.Diagnostics;

/// <summary>A C source line a verifier diagnostic points at: file (as the compiler recorded it), 1-based line and its text.</summary>
public sealed record VerifierSourceLocation(string File, int Line, string Text)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}";
}
