using System.Text.RegularExpressions;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

/// <summary>object load/check with CO-RE objects, --btf, and the sentences users see for refused paths.</summary>
public partial class ObjectCoreCommandTests
{
    [Fact]
    public void A_reachable_unresolvable_relocation_names_program_line_and_field_not_the_verifier()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        string line = CliAssert.FailsWithOneLine("object", "load", Fixture.Path("core_missing"), "--pin", pins.Path);
        Assert.Contains("program 'core_missing' (core_missing.bpf.c:", line, StringComparison.Ordinal);
        Assert.Contains("struct task_struct___mine.no_such_field", line, StringComparison.Ordinal);
        Assert.DoesNotContain("rejected by the verifier", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(pins.Path) && Directory.EnumerateFileSystemEntries(pins.Path).Any());
    }

    [Fact]
    public void Check_lists_each_relocation_and_a_dead_unresolvable_one_as_unknown()
    {
        Requires.Root();
        var result = CliAssert.Succeeds("object", "check", Fixture.Path("core_kernel"));
        Assert.Matches(@"core_answers\s+CO-RE field byte offset struct task_struct___mine\.pid\s+yes", result.Stdout);
        Assert.Matches(@"core_guarded\s+CO-RE field byte offset struct task_struct___mine\.no_such_field\s+unknown", result.Stdout);
    }

    [Fact]
    public void A_btf_file_that_does_not_exist_is_one_line()
    {
        string line = CliAssert.FailsWithOneLine("object", "check", Fixture.Path("core_kernel"), "--btf", "/nonexistent/vmlinux");
        Assert.Contains("/nonexistent/vmlinux: no such file", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pin_path_bpffs_refuses_says_why()
    {
        Requires.Root();
        string path = $"/sys/fs/bpf/sluice-test-{Environment.ProcessId}.dotted";
        string line = CliAssert.FailsWithOneLine("object", "load", Fixture.Path("minimal"), "--pin", path);
        Assert.Contains("bpffs does not allow '.'", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(ResourceKey(), line);
        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public void A_runtime_io_refusal_is_a_sentence_not_a_resource_key()
    {
        Requires.Root();
        string line = CliAssert.FailsWithOneLine("object", "load", Fixture.Path("minimal"), "--pin", $"/sys/kernel/sluice-test-{Environment.ProcessId}");
        Assert.Contains("permission denied", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(ResourceKey(), line);
    }

    // UnauthorizedAccess_IODenied_Path, IO_PathNotFound_Path, Arg_ParamName_Name, ...
    [GeneratedRegex(@"\b[A-Z][A-Za-z]+_[A-Z][A-Za-z]+(_[A-Za-z]+)*\b")]
    private static partial Regex ResourceKey();
}
