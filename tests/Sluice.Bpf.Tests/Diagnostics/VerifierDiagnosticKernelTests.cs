using Sluice.Bpf.Diagnostics;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Diagnostics;

/// <summary>
/// Each diag_* fixture makes the real verifier reject one common mistake; the diagnostic must point at the C line
/// marked "DIAG &lt;cause&gt;" in the fixture and give that cause's hint.
/// </summary>
public class VerifierDiagnosticKernelTests
{
    /// <summary>Fixture, marker, cause, and what the hint must tell the reader (words no other cause's hint uses).</summary>
    public static TheoryData<string, string, VerifierFailureKind, string> Fixtures => new()
    {
        { "diag_packet_bounds", "DIAG packet-bounds", VerifierFailureKind.PacketBounds, "data_end" },
        { "diag_null_map_value", "DIAG null-map-value", VerifierFailureKind.NullMapValue, "NULL" },
        { "diag_unbounded_loop", "DIAG unbounded-loop", VerifierFailureKind.UnboundedLoop, "loop" },
        { "diag_context_access", "DIAG context-access", VerifierFailureKind.ContextAccess, "context field" },
        { "diag_stack_bounds", "DIAG stack-bounds", VerifierFailureKind.StackBounds, "stack" },
        { "diag_helper_not_allowed", "DIAG helper-not-allowed", VerifierFailureKind.HelperNotAllowed, "does not offer that helper" },
        { "diag_gpl_helper", "DIAG gpl-helper", VerifierFailureKind.GplOnlyHelper, "GPL-compatible license" },
    };

    private static readonly string[] HintWords = ["data_end", "NULL", "loop", "context field", "stack", "does not offer that helper", "GPL-compatible license"];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Rejection_points_at_the_marked_C_line_with_the_causes_hint(string fixture, string marker, VerifierFailureKind kind, string hintWords)
    {
        Requires.Root();
        int expectedLine = FixtureSource.LineOf(fixture, marker);

        var error = Assert.Throws<BpfVerifierException>(() => BpfCollection.Load(Fixture.Path(fixture)).Dispose());

        var diagnostic = Assert.IsType<VerifierDiagnostic>(error.Diagnostic);
        Assert.NotNull(diagnostic.Source);
        Assert.Equal(fixture + ".bpf.c", Path.GetFileName(diagnostic.Source.File));
        Assert.Equal(expectedLine, diagnostic.Source.Line);
        Assert.Contains(marker, diagnostic.Source.Text, StringComparison.Ordinal);
        Assert.Equal(kind, diagnostic.Kind);
        Assert.NotNull(diagnostic.Hint);
        Assert.Contains(hintWords, diagnostic.Hint, StringComparison.Ordinal);
        // ...and only this cause's advice: another cause's words would mean the wrong hint.
        Assert.All(HintWords.Where(w => w != hintWords), w => Assert.DoesNotContain(w, diagnostic.Hint, StringComparison.Ordinal));
        Assert.NotNull(diagnostic.InstructionIndex);
        Assert.Contains($".bpf.c:{expectedLine}", error.Message, StringComparison.Ordinal);
        Assert.Contains("hint: " + diagnostic.Hint, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"program '{fixture}' rejected by the verifier: {diagnostic.Reason}", error.Message, StringComparison.Ordinal);
    }
}
