using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;
using static Sluice.Bpf.Tests.Programs.Asm;

namespace Sluice.Bpf.Tests.Programs;

public class TestRunContextTests
{
    private static readonly byte[] Frame = Packets.Ipv4(Packets.Udp);

    [Fact]
    public void Xdp_context_carries_ingress_ifindex_in_and_offsets_out()
    {
        Requires.Root();
        // return ctx->ingress_ifindex
        using var program = BpfProgram.Load(Program("ingress", BpfProgramType.Xdp, "GPL", LoadWord(R0, R1, 12), Exit()));

        var context = XdpContext.ForPacket(Frame.Length);
        context.IngressIfindex = 1; // lo, present in every network namespace
        var result = program.TestRun(Frame, ref context);

        Assert.Equal(1u, result.ReturnValue);
        Assert.Equal(24, result.ContextOutLength);
        Assert.Equal(1u, context.IngressIfindex);
        Assert.Equal((uint)Frame.Length, context.DataEnd);
    }

    [Fact]
    public void Xdp_context_metadata_is_visible_to_the_program()
    {
        Requires.Root();
        // r2 = ctx->data_meta; r3 = ctx->data; if (r2 + 4 > r3) return 0; return *(u32 *)r2
        using var program = BpfProgram.Load(Program("meta", BpfProgramType.Xdp, "GPL",
            LoadWord(R2, R1, 8), LoadWord(R3, R1, 0), MovReg(R0, R2), AddImm(R0, 4),
            Insn(0x2d, R0, R3, 2), // if r0 > r3 goto +2
            LoadWord(R0, R2, 0), Exit(),
            MovImm(R0, 0), Exit()));

        byte[] input = [.. BitConverter.GetBytes(0xfeedu), .. Frame];
        var context = XdpContext.ForPacket(input.Length, metadataLength: 4);
        var output = new byte[input.Length];
        var result = program.TestRun(input, ref context, output);

        Assert.Equal(0xfeedu, result.ReturnValue);
        Assert.Equal(input.Length, result.DataOutLength);
        Assert.Equal(input, output);
    }

    [Fact]
    public void Too_short_packet_is_refused_with_a_hint()
    {
        Requires.Root();
        using var program = BpfProgram.Load(Program("pass", BpfProgramType.Xdp, "GPL", MovImm(R0, 2), Exit()));

        var error = Assert.Throws<BpfException>(() => program.TestRun(new byte[4]));

        Assert.Equal("BPF_PROG_TEST_RUN", error.Command);
        Assert.Equal("EINVAL", error.ErrnoName);
        Assert.Contains("14 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeat_reports_a_plausible_duration_per_run()
    {
        Requires.Root();
        using var program = BpfProgram.Load(Program("drop", BpfProgramType.Xdp, "GPL", MovImm(R0, 1), Exit()));

        var result = program.TestRun(Frame, repeat: 100_000);

        Assert.Equal(XdpAction.Drop, result.XdpAction);
        Assert.InRange(result.DurationNanoseconds, 1u, 10_000u);
    }

    [Fact]
    public void Verbose_log_grows_past_a_small_first_buffer()
    {
        Requires.Root();
        var spec = ObjectReader.Read(Fixture.Path("xdp_counter")).Program("xdp_counter");
        using var maps = new MapSet(ObjectReader.Read(Fixture.Path("xdp_counter")));

        using var program = BpfProgram.Load(spec, maps.ByName,
            new ProgramLoadOptions { LogLevel = VerifierLogLevel.Verbose, LogSize = 1 });

        Assert.NotNull(program.VerifierLog);
        Assert.True(program.VerifierLog.Length > 4096, $"log is {program.VerifierLog.Length} bytes");
        Assert.Contains("processed", program.VerifierLog, StringComparison.Ordinal);
    }

    /// <summary>The declared maps of an object, created standalone.</summary>
    private sealed class MapSet : IDisposable
    {
        internal MapSet(ObjectSpec spec) => ByName = spec.Maps.ToDictionary(m => m.Name, m => BpfMap.Create(m));

        internal Dictionary<string, BpfMap> ByName { get; }

        public void Dispose()
        {
            foreach (var map in ByName.Values) map.Dispose();
        }
    }
}
