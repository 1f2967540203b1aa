using System.Globalization;
using System.Text.RegularExpressions;
using Sluice.Bpf.Object;
using Sluice.Bpf.Tests.Programs;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Btf;

/// <summary>
/// CO-RE against the running kernel: core_kernel.bpf.c stores answers whose compile-time values are deliberately
/// wrong; Sluice's answers must be the kernel's, as libbpf (bpftool prog loadall + prog run, same run) and
/// bpftool's dump of vmlinux BTF compute them.
/// </summary>
public sealed partial class CoreLoadTests
{
    private const int Answers = 18;

    private static void RequireKernel()
    {
        Requires.Root();
        if (!KernelBtf.IsAvailable) Requires.Unavailable($"the kernel has no BTF at {KernelBtf.VmlinuxPath}");
    }

    private static ulong[] RunSluice(CollectionOptions? options = null, string program = "core_answers")
    {
        using var pins = new TestPinDirectory(create: true);
        using var collection = BpfCollection.Load(Fixture.Path("core_kernel"), options ?? new CollectionOptions { PinPath = pins.Path });
        Assert.Equal(XdpAction.Pass, collection.Program(program).TestRun(Packets.Ipv4(Packets.Udp)).XdpAction);
        using var results = new BpfArrayMap<ulong>(collection.Map("results"));
        return [.. Enumerable.Range(0, 32).Select(i => results[(uint)i])];
    }

    [Fact]
    public void Relocated_answers_are_the_kernels_and_agree_with_libbpf()
    {
        RequireKernel();
        if (!File.Exists("/usr/sbin/bpftool") && !File.Exists("/usr/bin/bpftool")) Requires.Unavailable("bpftool is not installed");
        var ours = RunSluice();
        var libbpf = LibbpfAnswers.Run(Fixture.Path("core_kernel"), "core_answers");
        for (int i = 0; i < Answers; i++) Assert.True(ours[i] == libbpf[i], $"slot {i}: Sluice {ours[i]}, libbpf {libbpf[i]}");

        // Independently of both loaders: bpftool's raw dump of the kernel's BTF.
        var (taskId, taskSize, pidBits) = TaskStructFromBpftool();
        Assert.Equal((ulong)(pidBits / 8), ours[0]);
        Assert.Equal((ulong)taskId, ours[7]);
        Assert.Equal((ulong)taskSize, ours[9]);

        // And none of them is what the compiler assumed.
        // Relocated against the object's own BTF (its ___mine types are their own candidates) gives the compiler's values.
        using var pins = new TestPinDirectory(create: true);
        var compiled = RunSluice(new CollectionOptions { PinPath = pins.Path, KernelBtfPath = Fixture.Path("core_kernel") });
        Assert.Equal([0ul, 4, 0, 1, 1, 2], new[] { compiled[0], compiled[1], compiled[2], compiled[8], compiled[11], compiled[10] + 1 });
        Assert.NotEqual(compiled[0], ours[0]);   // task_struct.pid offset
        Assert.Equal(16ul, ours[1]);             // comm is char[16]
        Assert.Equal(1ul, ours[2]);              // prio is a signed int
        Assert.Equal(0ul, ours[3]);              // no_such_field
        Assert.Equal(0ul, ours[8]);              // no struct struct_nobody_has
        Assert.Equal(0ul, ours[10]);             // no BPF_MAP_TYPE_NOPE
        Assert.Equal(27ul, ours[11]);            // BPF_MAP_TYPE_RINGBUF
    }

    [Fact]
    public void A_dead_unresolvable_relocation_loads_and_the_live_branch_runs()
    {
        RequireKernel();
        Assert.Equal(7ul, RunSluice(program: "core_guarded")[20]);
    }

    [Fact]
    public void A_reachable_unresolvable_relocation_names_the_program_line_and_field()
    {
        RequireKernel();
        using var pins = new TestPinDirectory(create: true);
        var error = Assert.Throws<BpfCoreRelocationException>(() =>
            BpfCollection.Load(Fixture.Path("core_missing"), new CollectionOptions { PinPath = pins.Path }));
        Assert.Equal(CoreFailureKind.Unresolved, error.Kind);
        Assert.Equal("core_missing", error.ProgramName);
        Assert.Contains("program 'core_missing' (core_missing.bpf.c:", error.Message, StringComparison.Ordinal);
        Assert.Contains("struct task_struct___mine.no_such_field", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
        Assert.IsType<BpfVerifierException>(error.InnerException);
    }

    [Fact]
    public void A_program_whose_relocations_were_not_applied_is_refused()
    {
        Requires.Root();
        var spec = ObjectReader.Read(Fixture.Path("core_missing")).Program("core_missing");
        var error = Assert.Throws<BpfCoreRelocationException>(() => BpfProgram.Load(spec));
        Assert.Equal(CoreFailureKind.NotApplied, error.Kind);
    }

    [Fact]
    public void A_missing_btf_override_file_is_a_clear_error()
    {
        RequireKernel();
        using var pins = new TestPinDirectory(create: true);
        var error = Assert.ThrowsAny<IOException>(() => BpfCollection.Load(Fixture.Path("core_kernel"),
            new CollectionOptions { PinPath = pins.Path, KernelBtfPath = "/nonexistent/vmlinux.btf" }));
        Assert.Contains("/nonexistent/vmlinux.btf", error.Message, StringComparison.Ordinal);
    }

    private static (uint Id, uint Size, uint PidBits) TaskStructFromBpftool()
    {
        string dump = ShellCommand.Run("bpftool", "btf", "dump", "file", KernelBtf.VmlinuxPath, "format", "raw");
        var header = StructHeader().Match(dump);
        Assert.True(header.Success, "bpftool's dump has no STRUCT 'task_struct'");
        int end = dump.IndexOf("\n[", header.Index + header.Length, StringComparison.Ordinal);
        var pid = PidMember().Match(dump[header.Index..end]);
        Assert.True(pid.Success, "bpftool's task_struct has no pid member");
        return (uint.Parse(header.Groups[1].Value, CultureInfo.InvariantCulture), uint.Parse(header.Groups[2].Value, CultureInfo.InvariantCulture),
            uint.Parse(pid.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^\[(\d+)\] STRUCT 'task_struct' size=(\d+)", RegexOptions.Multiline)]
    private static partial Regex StructHeader();

    [GeneratedRegex(@"^\s+'pid' type_id=\d+ bits_offset=(\d+)", RegexOptions.Multiline)]
    private static partial Regex PidMember();
}
