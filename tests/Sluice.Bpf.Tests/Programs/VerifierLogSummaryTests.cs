using Xunit;

namespace Sluice.Bpf.Tests.Programs;

public class VerifierLogSummaryTests
{
    [Fact]
    public void Summary_is_the_cause_then_the_tail_without_statistics()
    {
        var log = string.Join('\n', Enumerable.Range(0, 10).Select(i => $"{i}: insn {i}")) +
            "\ninvalid access to packet, off=14 size=1\nR2 offset is outside of the packet\n" +
            "processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0\n\n";

        var summary = VerifierLogSummary.Summarize(log);

        Assert.Equal(
            "R2 offset is outside of the packet\n  (7 lines omitted)\n  7: insn 7\n  8: insn 8\n  9: insn 9\n" +
            "  invalid access to packet, off=14 size=1\n  R2 offset is outside of the packet",
            summary);
    }

    [Fact]
    public void Short_log_has_no_omission_note()
    {
        Assert.Equal("bad\n  bad", VerifierLogSummary.Summarize("bad\n"));
        Assert.Equal("(the verifier left no log)", VerifierLogSummary.Summarize("\nprocessed 1 insns\n"));
    }
}
