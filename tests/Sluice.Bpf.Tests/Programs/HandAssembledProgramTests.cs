using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;
using static Sluice.Bpf.Tests.Programs.Asm;

namespace Sluice.Bpf.Tests.Programs;

public class HandAssembledProgramTests
{
    private static readonly byte[] Frame = Packets.Ipv4(Packets.Udp);

    [Theory]
    [InlineData(XdpAction.Aborted)]
    [InlineData(XdpAction.Drop)]
    [InlineData(XdpAction.Pass)]
    [InlineData(XdpAction.Tx)]
    [InlineData(XdpAction.Redirect)]
    public void Xdp_program_returns_each_verdict(XdpAction verdict)
    {
        Requires.Root();
        using var program = BpfProgram.Load(Program("verdict", BpfProgramType.Xdp, "GPL", MovImm(R0, (int)verdict), Exit()));

        var output = new byte[Frame.Length];
        var result = program.TestRun(Frame, output);

        Assert.Equal(verdict, result.XdpAction);
        Assert.Equal(Frame.Length, result.DataOutLength);
        Assert.False(result.DataOutTruncated);
        Assert.Equal(Frame, output);
    }

    [Fact]
    public void Loaded_program_reports_type_name_id_and_tag()
    {
        Requires.Root();
        using var program = BpfProgram.Load(
            Program("a-very-long-name-for-the-kernel", BpfProgramType.Xdp, "GPL", MovImm(R0, 2), Exit()));

        Assert.Equal(BpfProgramType.Xdp, program.Type);
        Assert.Equal("a-very-long-name-for-the-kernel", program.Name);
        Assert.NotEqual(0u, program.Id);
        Assert.Matches("^[0-9a-f]{16}$", program.Tag);
        Assert.Null(program.VerifierLog);
        // The kernel gets the name sanitised to [A-Za-z0-9_.] and cut to 15 characters.
        Assert.Equal("a_very_long_nam", program.GetInfo().Name);
    }

    [Fact]
    public void Wrapping_a_map_fd_as_a_program_is_refused()
    {
        Requires.Root();
        using var map = BpfMap.Create(new MapSpec { Name = "not_a_prog", Type = BpfMapType.Array, KeySize = 4, ValueSize = 4, MaxEntries = 1 });
#pragma warning disable CA2000 // handed to FromFd on purpose: the test checks that a refused fd is closed by it
        var duplicate = new BpfFd(Dup(map.Fd.Value));
#pragma warning restore CA2000
        var error = Assert.Throws<InvalidOperationException>(() => BpfProgram.FromFd(duplicate));
        Assert.Contains("bpf-map", error.Message, StringComparison.Ordinal);
        Assert.True(duplicate.IsClosed);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "dup")]
    private static extern int Dup(int fd);

    [Fact]
    public void Requested_verifier_log_is_kept_on_success()
    {
        Requires.Root();
        using var program = BpfProgram.Load(
            Program("logged", BpfProgramType.Xdp, "GPL", MovImm(R0, 2), Exit()),
            options: new ProgramLoadOptions { LogLevel = VerifierLogLevel.Basic | VerifierLogLevel.Statistics });

        Assert.NotNull(program.VerifierLog);
        Assert.Contains("processed 2 insns", program.VerifierLog, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_output_buffer_is_reported_as_truncated_not_thrown()
    {
        Requires.Root();
        using var program = BpfProgram.Load(Program("pass", BpfProgramType.Xdp, "GPL", MovImm(R0, 2), Exit()));

        var output = new byte[20];
        var result = program.TestRun(Frame, output);

        Assert.True(result.DataOutTruncated);
        Assert.Equal(Frame.Length, result.DataOutLength);
        Assert.Equal(Frame.AsSpan(0, 20).ToArray(), output);
    }

    [Fact]
    public void Tc_program_reads_mark_from_context_and_writes_priority()
    {
        Requires.Root();
        // priority = mark; return TC_ACT_OK
        using var program = BpfProgram.Load(Program("mark2prio", BpfProgramType.SchedCls, "GPL",
            LoadWord(R2, R1, 8), StoreWord(R1, 32, R2), MovImm(R0, 0), Exit()));

        var context = new SkBuffContext { Mark = 0x1234 };
        var result = program.TestRun(Frame, ref context);

        Assert.Equal(TcAction.Ok, result.TcAction);
        Assert.Equal(SkBuffContext.Size, result.ContextOutLength);
        Assert.Equal(0x1234u, context.Priority);
        Assert.Equal(0x1234u, context.Mark);
    }

    [Fact]
    public void Map_reference_is_relocated_to_the_map_fd_and_counts_runs()
    {
        Requires.Root();
        using var counter = BpfMap.Create(new MapSpec { Name = "runs", Type = BpfMapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 1 });
        BpfInstruction[] instructions =
        [
            StoreWordImm(R10, -4, 0),
            MovReg(R2, R10),
            AddImm(R2, -4),
            .. LoadImm64(R1),
            Call(1), // bpf_map_lookup_elem
            JumpIfEqual(R0, 0, 2),
            MovImm(R1, 1),
            AtomicAdd64(R0, 0, R1),
            MovImm(R0, (int)XdpAction.Pass),
            Exit(),
        ];
        var spec = Program("count", BpfProgramType.Xdp, "GPL", instructions);
        spec.MapReferences.Add(new MapReference(3, "runs", MapReferenceKind.Map, 0));

        using var program = BpfProgram.Load(spec, new Dictionary<string, BpfMap> { ["runs"] = counter });
        var result = program.TestRun(Frame, repeat: 25);

        Assert.Equal(XdpAction.Pass, result.XdpAction);
        var value = new byte[8];
        Assert.True(counter.TryLookup(new byte[4], value));
        Assert.Equal(25UL, BitConverter.ToUInt64(value));
        // The spec itself is left untouched: relocation works on a copy.
        Assert.Equal(0, spec.Instructions[3].Immediate);
    }

    [Fact]
    public void Missing_map_for_a_reference_is_named()
    {
        var spec = Program("count", BpfProgramType.Xdp, "GPL", [.. LoadImm64(R1), MovImm(R0, 2), Exit()]);
        spec.MapReferences.Add(new MapReference(0, "absent", MapReferenceKind.Map, 0));
        var error = Assert.Throws<KeyNotFoundException>(() => BpfProgram.Load(spec));
        Assert.Contains("'absent'", error.Message, StringComparison.Ordinal);
    }
}
