using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

/// <summary>`sluice btf dump ... format raw` prints exactly what `bpftool btf dump ... format raw` prints.</summary>
public class BtfDumpCommandTests
{
    [Theory]
    [InlineData("btf_kinds")]
    [InlineData("tracing")]
    [InlineData("maps")]
    public void File_dump_equals_bpftools(string fixture)
    {
        RequireBpftool();
        string path = Fixture.Path(fixture);
        Assert.Equal(Lines(ShellCommand.Run("bpftool", "btf", "dump", "file", path, "format", "raw")),
            Lines(CliAssert.Succeeds("btf", "dump", "file", path, "format", "raw").Stdout));
    }

    [Fact]
    public void Kernel_btf_dump_equals_bpftools()
    {
        Requires.Root();
        RequireBpftool();
        if (!File.Exists("/sys/kernel/btf/vmlinux")) Requires.Unavailable("the kernel has no BTF");
        var expected = Lines(ShellCommand.Run("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw"));
        var actual = Lines(CliAssert.Succeeds("btf", "dump", "file", "/sys/kernel/btf/vmlinux").Stdout);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.True(expected[i] == actual[i], $"line {i}: '{actual[i]}', bpftool '{expected[i]}'");
    }

    [Fact]
    public void Map_and_program_btf_of_a_loaded_object_equal_bpftools()
    {
        Requires.Root();
        RequireBpftool();
        using var pins = new TestPinDirectory(create: true);
        CliAssert.Succeeds("object", "load", Fixture.Path("btf_kinds"), "--pin", pins.Path);
        string program = Path.Combine(pins.Path, "btf_kinds");
        Assert.Equal(Lines(ShellCommand.Run("bpftool", "btf", "dump", "prog", "pinned", program, "format", "raw")),
            Lines(CliAssert.Succeeds("btf", "dump", "prog", program).Stdout));
    }

    [Fact]
    public void Unsupported_format_and_missing_sources_are_one_line()
    {
        Assert.Contains("format 'c' is not supported", CliAssert.FailsWithOneLine("btf", "dump", "file", Fixture.Path("btf_kinds"), "format", "c"), StringComparison.Ordinal);
        Assert.Equal("error: /no/such/file.o: no such file", CliAssert.FailsWithOneLine("btf", "dump", "file", "/no/such/file.o"));
    }

    private static void RequireBpftool()
    {
        if (!File.Exists("/usr/sbin/bpftool") && !File.Exists("/usr/bin/bpftool")) Requires.Unavailable("bpftool is not installed");
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
}
