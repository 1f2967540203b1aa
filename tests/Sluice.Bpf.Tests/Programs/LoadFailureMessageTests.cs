using Sluice.Bpf.Object;
using Xunit;
using static Sluice.Bpf.Tests.Programs.Asm;

namespace Sluice.Bpf.Tests.Programs;

public class LoadFailureMessageTests
{
    private static readonly ProgramSpec Spec = Program("prog", BpfProgramType.Xdp, "GPL", MovImm(R0, 2), Exit());

    [Fact]
    public void Log_makes_a_verifier_exception_with_cause_and_full_log()
    {
        const string log = "0: (b7) r0 = 2\n1: (95) exit\nR0 !read_ok\nprocessed 2 insns (limit 1000000)\n";
        var error = Assert.IsType<BpfVerifierException>(ProgramLoadFailure.Create(Spec, 13, log));
        // The first line names the program and the reason; the verifier diagnostic follows (no C line: no line_info).
        Assert.Equal("program 'prog' rejected by the verifier: R0 !read_ok\n  instruction 1: (95) exit\n  reason: R0 !read_ok", error.Message);
        Assert.Equal(1, error.Diagnostic?.InstructionIndex);
        Assert.Equal(log, error.VerifierLog);
        Assert.Equal("EACCES", error.ErrnoName);
    }

    [Theory]
    [InlineData(1, "CAP_BPF")]
    [InlineData(13, "unprivileged BPF disabled")]
    [InlineData(22, "program type, expected attach type")]
    [InlineData(7, "larger than this kernel accepts")]
    public void No_log_gives_the_errno_and_a_hint(int errno, string hint)
    {
        var error = ProgramLoadFailure.Create(Spec, errno, "");
        Assert.IsNotType<BpfVerifierException>(error);
        Assert.Equal("BPF_PROG_LOAD", error.Command);
        Assert.StartsWith("program 'prog' (Xdp): BPF_PROG_LOAD failed:", error.Message, StringComparison.Ordinal);
        Assert.Contains(hint, error.Message, StringComparison.Ordinal);
    }
}
