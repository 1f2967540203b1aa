using System.Diagnostics;
using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Tracing;

/// <summary>
/// Uprobes on a function of a binary the test compiles; kprobes and BPF trampolines where the kernel lacks them
/// (the lab kernel: no CONFIG_KPROBES, fentry/fexit refused with EPERM) fail with a clear "not supported".
/// </summary>
public class ProbeAttachTests
{
    private const string ProbedProgram = """
        #include <stdlib.h>
        __attribute__((noinline)) int sluice_probe_target(int value) { __asm__ volatile("" ::: "memory"); return value * 2; }
        int main(int argc, char **argv) { int n = atoi(argv[1]), sum = 0; for (int i = 0; i < n; i++) sum += sluice_probe_target(i); return sum == -1; }
        """;

    [Fact]
    public void Uprobe_on_a_function_of_a_test_binary_fires_once_per_call()
    {
        Requires.Root();
        if (!File.Exists("/usr/bin/gcc")) Requires.Unavailable("gcc is not installed");
        string directory = Directory.CreateTempSubdirectory($"sluice-uprobe-{Environment.ProcessId}-").FullName;
        try
        {
            string binary = Compile(directory);
            using var collection = BpfCollection.Load(Fixture.Path("tracing"));
            using var link = Uprobe.Attach(collection.Program("count_uprobe"), binary, "sluice_probe_target");
            Assert.Equal(AttachmentKind.PerfEventLink, link.Kind);

            Run(binary, 7);
            Assert.Equal(7UL, collection.ArrayMap<TracingCounts>("tracing_counts")[0].Uprobe);

            uint id = link.Id;
            link.Dispose(); // idempotent: the using above is only for failures before this line
            LinkRelease.WaitUntilGone(id);
            Run(binary, 3);
            Assert.Equal(7UL, collection.ArrayMap<TracingCounts>("tracing_counts")[0].Uprobe);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Uprobe_on_a_missing_function_names_the_binary_and_the_function()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        var error = Assert.Throws<BpfObjectException>(() =>
            Uprobe.Attach(collection.Program("count_uprobe"), "/bin/true", "no_such_function_in_true"));
        Assert.Contains("no_such_function_in_true", error.Message, StringComparison.Ordinal);
        Assert.Contains("/bin/true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kprobe_attach_fails_clearly_where_the_kernel_has_no_kprobes()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        var program = collection.Program("probe_tcp_connect");
        if (Kprobe.IsSupported)
        {
            // A kernel with kprobes: the positive path.
            using var link = Kprobe.Attach(program, "tcp_v4_connect");
            Assert.Equal(BpfLinkType.PerfEvent, link.Type);
            return;
        }
        var error = Assert.Throws<BpfNotSupportedException>(() => Kprobe.Attach(program, "tcp_v4_connect"));
        Assert.Equal("kprobes", error.Feature);
        Assert.Contains("CONFIG_KPROBES", error.Message, StringComparison.Ordinal);
        var multi = Assert.Throws<BpfNotSupportedException>(() => Kprobe.AttachMulti(program, ["tcp_v4_connect"]));
        Assert.Equal("kprobes", multi.Feature);
    }

    [Fact]
    public void Fentry_and_fexit_load_with_their_btf_target_or_fail_as_not_supported()
    {
        Requires.Root();
        var spec = ObjectReader.Read(Fixture.Path("tracing_trampoline"));
        try
        {
            using var collection = BpfCollection.Load(spec);
            // A kernel with trampolines: the programs carry the kernel function's BTF id and attach.
            var expected = KernelBtf.Find("tcp_v4_connect", BtfKind.Function)!.Value.Type.Id;
            Assert.Equal(expected, collection.Program("on_connect_entry").GetInfo().AttachBtfId);
            using var link = TracingLink.Attach(collection.Program("on_connect_entry"));
            Assert.Equal(BpfLinkType.Tracing, link.Type);
        }
        catch (BpfNotSupportedException error)
        {
            Assert.Contains("trampolines", error.Feature, StringComparison.Ordinal);
            Assert.Contains("on_connect_", error.Feature, StringComparison.Ordinal);
            Assert.Equal("5.5", error.MinimumKernel);
            Assert.Contains("EPERM", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Fentry_on_a_function_the_kernel_lacks_names_the_program_and_the_function()
    {
        Requires.Root();
        var spec = ObjectReader.Read(Fixture.Path("tracing_trampoline"));
        spec.Programs.Single(p => p.Name == "on_connect_entry").SectionName = "fentry/no_such_kernel_function_x";
        var error = Assert.Throws<BpfException>(() => BpfCollection.Load(spec).Dispose());
        Assert.Contains("on_connect_entry", error.Message, StringComparison.Ordinal);
        Assert.Contains("no_such_kernel_function_x", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("verifier", error.Message, StringComparison.Ordinal);
    }

    private static string Compile(string directory)
    {
        string source = Path.Combine(directory, "probed.c");
        string binary = Path.Combine(directory, "probed");
        File.WriteAllText(source, ProbedProgram);
        var result = ShellCommand.Run("gcc", "-O1", "-o", binary, source);
        Assert.True(File.Exists(binary), $"gcc failed: {result}");
        return binary;
    }

    private static void Run(string binary, int calls)
    {
        using var process = Process.Start(new ProcessStartInfo(binary, calls.ToString(System.Globalization.CultureInfo.InvariantCulture)))!;
        Assert.True(process.WaitForExit(30_000), "the probed binary did not finish");
        Assert.Equal(0, process.ExitCode);
    }
}
