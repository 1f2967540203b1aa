using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

public class ObjectCommandTests
{
    [Fact]
    public void Object_show_json_lists_programs_and_maps_with_their_shapes()
    {
        var result = SluiceProcess.Run("object", "show", Fixture.Path("xdp_counter"), "--json");
        Assert.Equal(0, result.ExitCode);
        var json = result.Json();
        var program = Assert.Single(json.GetProperty("programs").EnumerateArray());
        Assert.Equal("xdp_counter", program.GetProperty("name").GetString());
        Assert.Equal("xdp", program.GetProperty("section").GetString());
        Assert.Equal("xdp", program.GetProperty("type").GetString());
        var maps = json.GetProperty("maps").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        Assert.Equal("percpu_array", maps["protocol_counts"].GetProperty("type").GetString());
        Assert.Equal(4u, maps["source_counts"].GetProperty("key_size").GetUInt32());
        Assert.Equal(8u, maps["source_counts"].GetProperty("value_size").GetUInt32());
    }

    [Fact]
    public void Object_show_table_names_every_section_type()
    {
        var result = SluiceProcess.Run("object", "show", Fixture.Path("globals"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("sched_cls", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("socket_filter", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(".rodata", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Object_show_rejects_a_non_elf_file_with_one_line_and_exit_1()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "this is not an object");
            var result = SluiceProcess.Run("object", "show", path);
            Assert.Equal(1, result.ExitCode);
            Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("not an ELF file", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
            Assert.Single(result.Stderr.Trim().Split('\n'));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Object_show_on_a_missing_file_fails_clearly()
    {
        var result = SluiceProcess.Run("object", "show", "/nonexistent/x.o");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no such file", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Object_load_pins_every_program_and_loads_its_maps()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        var result = SluiceProcess.Run("object", "load", Fixture.Path("globals"), "--pin", pins.Path, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var names = result.Json().EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToHashSet();
        foreach (var program in new[] { "xdp_globals", "xdp_second", "tc_globals", "socket_globals" })
        {
            Assert.Contains(program, names);
            Assert.True(File.Exists(Path.Combine(pins.Path, program)), $"{program} not pinned");
        }
    }

    [Fact]
    public void Object_load_of_a_rejected_program_exits_1_with_name_and_verifier_reason_and_pins_nothing()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        var result = SluiceProcess.Run("object", "load", Fixture.Path("verifier_reject"), "--pin", pins.Path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("xdp_unchecked_read", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("outside of the packet", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(pins.Path) && Directory.EnumerateFileSystemEntries(pins.Path).Any());
    }
}
