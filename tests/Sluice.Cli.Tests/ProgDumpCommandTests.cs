using System.Text.Json;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

/// <summary>`sluice prog dump xlated` against `bpftool prog dump xlated` on the same loaded programs.</summary>
public class ProgDumpCommandTests
{
    [Theory]
    [InlineData("tracing")]
    [InlineData("xdp_counter")]
    [InlineData("globals")]
    [InlineData("btf_kinds")]
    [InlineData("maps")]
    public void Xlated_dump_matches_bpftool_instruction_for_instruction(string fixture)
    {
        Requires.Root();
        if (!File.Exists("/usr/sbin/bpftool") && !File.Exists("/usr/bin/bpftool")) Requires.Unavailable("bpftool is not installed");
        using var pins = new TestPinDirectory(create: true);
        // The maps fixture pins "flows" by name at the bpffs root (libbpf's default pin root); remove it if this test made it.
        const string byNamePin = "/sys/fs/bpf/flows";
        bool pinnedBefore = File.Exists(byNamePin);
        try
        {
            CompareWithBpftool(fixture, pins);
        }
        finally
        {
            if (!pinnedBefore) File.Delete(byNamePin);
        }
    }

    private static void CompareWithBpftool(string fixture, TestPinDirectory pins)
    {
        CliAssert.Succeeds("object", "load", Fixture.Path(fixture), "--pin", pins.Path);
        var programs = Directory.GetFiles(pins.Path).Where(p => !IsMap(p)).ToList();
        Assert.NotEmpty(programs);
        foreach (var pin in programs)
        {
            var ours = CliAssert.Succeeds("prog", "dump", "xlated", pin, "--json").Json().EnumerateArray().ToList();
            var theirs = JsonDocument.Parse(ShellCommand.Run("bpftool", "-j", "prog", "dump", "xlated", "pinned", pin)).RootElement.EnumerateArray().ToList();
            Assert.True(ours.Count == theirs.Count, $"{pin}: {ours.Count} instructions, bpftool {theirs.Count}");
            for (int i = 0; i < ours.Count; i++)
            {
                string expected = theirs[i].GetProperty("disasm").GetString()!;
                string actual = ours[i].GetProperty("disasm").GetString()!;
                Assert.True(Opcode(expected) == Opcode(actual), $"{pin} #{i}: opcode of '{actual}' differs from bpftool's '{expected}'");
                Assert.True(expected == actual, $"{pin} #{i}: '{actual}', bpftool '{expected}'");
                if (theirs[i].TryGetProperty("src", out var src))
                    Assert.Equal(src.GetString(), ours[i].GetProperty("src").GetString());
                if (theirs[i].TryGetProperty("proto", out var proto))
                    Assert.Equal(proto.GetString(), ours[i].GetProperty("proto").GetString());
            }
        }
    }

    [Fact]
    public void Linum_text_names_file_line_and_column_above_the_instructions()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        CliAssert.Succeeds("object", "load", Fixture.Path("tracing"), "--pin", pins.Path);
        string text = CliAssert.Succeeds("prog", "dump", "xlated", Path.Combine(pins.Path, "xdp_perf_output"), "--linum").Stdout;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("int xdp_perf_output(struct xdp_md * ctx):", lines[0]);
        Assert.Matches(@"^; .*bpf_perf_event_output\(ctx, &perf_events.* \[file:.*tracing\.bpf\.c line_num:\d+ line_col:\d+\]$",
            lines.Single(l => l.Contains("bpf_perf_event_output(ctx", StringComparison.Ordinal)));
        Assert.Matches(@"^\s+\d+: \(95\) exit$", lines[^1]);
    }

    [Fact]
    public void Dump_of_a_missing_program_is_one_line()
    {
        Requires.Root();
        Assert.Equal("error: no program with id 4000000000", CliAssert.FailsWithOneLine("prog", "dump", "xlated", "4000000000"));
    }

    private static bool IsMap(string pin) => ShellCommand.TryRun("bpftool", ["map", "show", "pinned", pin], out _, out _) == 0;

    private static string Opcode(string disasm) => disasm.Length >= 4 && disasm[0] == '(' ? disasm[1..3] : "";
}
