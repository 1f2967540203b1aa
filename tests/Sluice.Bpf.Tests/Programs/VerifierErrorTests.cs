using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;
using static Sluice.Bpf.Tests.Programs.Asm;

namespace Sluice.Bpf.Tests.Programs;

public class VerifierErrorTests
{
    [Fact]
    public void Rejection_names_the_program_and_the_verifier_reason()
    {
        Requires.Root();
        // exit without setting r0
        var error = Assert.Throws<BpfVerifierException>(() =>
            BpfProgram.Load(Program("no_r0", BpfProgramType.Xdp, "GPL", Exit())));

        Assert.Equal("no_r0", error.ProgramName);
        Assert.StartsWith("program 'no_r0' rejected by the verifier: R0 !read_ok", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("processed", error.Message, StringComparison.Ordinal);
        Assert.Contains("processed", error.VerifierLog, StringComparison.Ordinal);
        // A reason none of the hint rules knows: no cause is claimed and no advice invented.
        var diagnostic = Assert.IsType<Sluice.Bpf.Diagnostics.VerifierDiagnostic>(error.Diagnostic);
        Assert.Equal(Sluice.Bpf.Diagnostics.VerifierFailureKind.Other, diagnostic.Kind);
        Assert.Null(diagnostic.Hint);
        Assert.DoesNotContain("hint:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gpl_only_helper_from_a_non_gpl_program_says_so()
    {
        Requires.Root();
        // bpf_trace_printk (6) is GPL-only; the license check comes before argument checks.
        var error = Assert.Throws<BpfVerifierException>(() =>
            BpfProgram.Load(Program("printk", BpfProgramType.Xdp, "Proprietary", Call(6), MovImm(R0, 2), Exit())));

        Assert.Contains("cannot call GPL-restricted function", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Context_access_out_of_bounds_is_reported()
    {
        Requires.Root();
        var error = Assert.Throws<BpfVerifierException>(() =>
            BpfProgram.Load(Program("ctx_oob", BpfProgramType.Xdp, "GPL", LoadWord(R0, R1, 400), Exit())));

        Assert.Contains("invalid bpf_context access", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_program_type_without_log_gets_an_errno_and_a_hint()
    {
        Requires.Root();
        var error = Assert.Throws<BpfException>(() =>
            BpfProgram.Load(Program("bogus", (BpfProgramType)999, "GPL", MovImm(R0, 0), Exit())));

        Assert.IsNotType<BpfVerifierException>(error);
        Assert.Equal("EINVAL", error.ErrnoName);
        Assert.Contains("program 'bogus'", error.Message, StringComparison.Ordinal);
    }
}
