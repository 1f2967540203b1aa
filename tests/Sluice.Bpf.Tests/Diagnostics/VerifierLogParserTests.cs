using Sluice.Bpf.Diagnostics;
using Xunit;

namespace Sluice.Bpf.Tests.Diagnostics;

/// <summary>Parsing logs as Linux 6.18 printed them, without a kernel.</summary>
public class VerifierLogParserTests
{
    private const string PacketLog = """
        func#0 @0
        0: R1=ctx() R10=fp0
        ; void *data = (void *)(long)ctx->data; @ diag_packet_bounds.bpf.c:9
        0: (61) r1 = *(u32 *)(r1 +0)          ; R1=pkt(r=0)
        ; __u8 first = *(volatile __u8 *)data; // DIAG packet-bounds @ diag_packet_bounds.bpf.c:10
        1: (71) r1 = *(u8 *)(r1 +0)
        invalid access to packet, off=0 size=1, R1(id=0,off=0,r=0)
        R1 offset is outside of the packet
        verification time 84 usec
        stack depth 0
        processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0

        """;

    // The verifier prints the loop body's annotation after the back-edge; the failing line is the loop's.
    private const string LoopLog = """
        3: (63) *(u32 *)(r1 +0) = r2          ; R1=map_value(map=diag_unb.bss,ks=4,vs=4) R2=1
        ; for (;;) { // DIAG unbounded-loop @ diag_unbounded_loop.bpf.c:10
        4: (05) goto pc-2
        ; spins = 1; @ diag_unbounded_loop.bpf.c:11
        infinite loop detected at insn 3
        cur state: R1=map_value(map=diag_unb.bss,ks=4,vs=4) R2=1 R10=fp0
        old state: R1=map_value(map=diag_unb.bss,ks=4,vs=4) R2=1 R10=fp0
        verification time 125 usec
        """;

    [Fact]
    public void Failing_instruction_is_the_last_one_and_its_annotation_gives_the_C_line()
    {
        var diagnostic = VerifierDiagnostic.Parse(PacketLog);

        Assert.Equal(1, diagnostic.InstructionIndex);
        Assert.Equal("(71) r1 = *(u8 *)(r1 +0)", diagnostic.Instruction);
        Assert.Equal(new VerifierSourceLocation("diag_packet_bounds.bpf.c", 10,
            "__u8 first = *(volatile __u8 *)data; // DIAG packet-bounds"), diagnostic.Source);
        Assert.Equal(["invalid access to packet, off=0 size=1, R1(id=0,off=0,r=0)", "R1 offset is outside of the packet"],
            diagnostic.ReasonLines);
        Assert.Equal(VerifierFailureKind.PacketBounds, diagnostic.Kind);
    }

    [Fact]
    public void Loop_points_at_the_back_edge_and_skips_state_dumps()
    {
        var diagnostic = VerifierDiagnostic.Parse(LoopLog);

        Assert.Equal(4, diagnostic.InstructionIndex);
        Assert.Equal(10, diagnostic.Source?.Line);
        Assert.Equal(["infinite loop detected at insn 3"], diagnostic.ReasonLines);
        Assert.Equal(VerifierFailureKind.UnboundedLoop, diagnostic.Kind);
    }

    [Fact]
    public void Register_state_after_the_instruction_is_kept()
    {
        var diagnostic = VerifierDiagnostic.Parse("""
            5: (79) r1 = *(u64 *)(r0 +0)          ; R0=map_value_or_null(id=1,map=packets,ks=4,vs=8)
            R0 invalid mem access 'map_value_or_null'
            """);

        Assert.Equal("R0=map_value_or_null(id=1,map=packets,ks=4,vs=8)", diagnostic.RegisterState);
        Assert.Equal(VerifierFailureKind.NullMapValue, diagnostic.Kind);
        Assert.Null(diagnostic.Source);
    }

    [Theory]
    [InlineData("cannot call GPL-restricted function from non-GPL compatible program", VerifierFailureKind.GplOnlyHelper)]
    [InlineData("program of this type cannot use helper bpf_skb_vlan_push#18", VerifierFailureKind.HelperNotAllowed)]
    [InlineData("unknown func bpf_foo#999", VerifierFailureKind.HelperNotAllowed)]
    [InlineData("invalid bpf_context access off=12 size=4", VerifierFailureKind.ContextAccess)]
    [InlineData("invalid read from stack R2 off=-8 size=16", VerifierFailureKind.StackBounds)]
    [InlineData("invalid write to stack R10 off=-520 size=8", VerifierFailureKind.StackBounds)]
    [InlineData("back-edge from insn 4 to 3", VerifierFailureKind.UnboundedLoop)]
    [InlineData("BPF program is too large. Processed 1000001 insn", VerifierFailureKind.UnboundedLoop)]
    [InlineData("R0 !read_ok", VerifierFailureKind.Other)]
    public void Reasons_are_classified_by_the_kernels_wording(string reason, VerifierFailureKind kind)
    {
        var diagnostic = VerifierDiagnostic.Parse("0: (b7) r0 = 0\n" + reason + "\nprocessed 1 insns\n");

        Assert.Equal(kind, diagnostic.Kind);
        Assert.Equal(kind == VerifierFailureKind.Other, diagnostic.Hint is null);
        Assert.Equal(reason, diagnostic.Reason);
    }

    [Fact]
    public void Render_shows_location_instruction_reason_and_hint()
    {
        string text = VerifierDiagnostic.Parse(PacketLog).Render();

        Assert.Contains("at diag_packet_bounds.bpf.c:10", text, StringComparison.Ordinal);
        Assert.Contains("10 | __u8 first = *(volatile __u8 *)data;", text, StringComparison.Ordinal);
        Assert.Contains("instruction 1: (71) r1 = *(u8 *)(r1 +0)", text, StringComparison.Ordinal);
        Assert.Contains("hint: compare the pointer with data_end", text, StringComparison.Ordinal);
        Assert.DoesNotContain("processed", text, StringComparison.Ordinal);
    }
}
