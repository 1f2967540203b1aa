using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;
using static Sluice.Bpf.Tests.Programs.Asm;

namespace Sluice.Bpf.Tests.Programs;

/// <summary>A kernel refusal caused by what the load request lacked is not reported as a verifier verdict.</summary>
public class LoaderOmissionTests
{
    [Fact]
    public void A_missing_attach_target_is_named_as_the_loaders_omission()
    {
        var spec = Program("tp_no_target", BpfProgramType.Tracing, "GPL", MovImm(R0, 0), Exit());
        const string log = "Tracing programs must provide btf_id\nprocessed 0 insns (limit 1000000)\n";
        var error = ProgramLoadFailure.Create(spec, 22, log);
        Assert.IsNotType<BpfVerifierException>(error);
        Assert.Contains("the loader did not give the kernel its attach target (attach_btf_id", error.Message, StringComparison.Ordinal);
        Assert.Contains("kernel log: Tracing programs must provide btf_id", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("rejected by the verifier", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_kernel_refusal_of_a_tracing_program_without_target_reads_the_same()
    {
        Requires.Root();
        var spec = Program("tp_no_target", BpfProgramType.Tracing, "GPL", MovImm(R0, 0), Exit());
        spec.ExpectedAttachType = BpfAttachType.TraceRawTp;
        spec.HasExpectedAttachType = true;
        var error = Assert.ThrowsAny<BpfException>(() => BpfProgram.Load(spec));
        Assert.IsNotType<BpfVerifierException>(error);
        Assert.Contains("the loader did not give the kernel its attach target", error.Message, StringComparison.Ordinal);
    }
}
