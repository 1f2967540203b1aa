using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice object check</c> and the verifier diagnostics that <c>sluice object load</c> prints.</summary>
public class ObjectCheckCommandTests
{
    [Fact]
    public void Check_of_an_object_the_kernel_supports_exits_0()
    {
        Requires.Root();
        var result = SluiceProcess.Run("object", "check", Fixture.Path("xdp_counter"), "--json");

        Assert.Equal(0, result.ExitCode);
        var json = result.Json();
        Assert.True(json.GetProperty("supported").GetBoolean());
        var needs = json.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("needs").GetString()).ToList();
        Assert.Contains("type xdp", needs);
        Assert.Contains("helper bpf_map_lookup_elem#1", needs);
        Assert.Contains("type percpu_array", needs);
    }

    [Fact]
    public void Check_names_the_helper_this_program_type_cannot_use_and_exits_1()
    {
        Requires.Root();
        var result = SluiceProcess.Run("object", "check", Fixture.Path("diag_helper_not_allowed"));

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"helper bpf_skb_vlan_push#18\s+NO", result.Stdout);
    }

    [Fact]
    public void Load_of_a_rejected_program_prints_the_C_line_and_a_hint_and_verbose_adds_the_log()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        var result = SluiceProcess.Run("object", "load", Fixture.Path("diag_null_map_value"), "--pin", pins.Path);
        var verbose = SluiceProcess.Run("object", "load", Fixture.Path("diag_null_map_value"), "--pin", pins.Path, "--verbose");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("diag_null_map_value.bpf.c:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("// DIAG null-map-value", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: bpf_map_lookup_elem() may return NULL", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("processed ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("verifier log:", verbose.Stderr, StringComparison.Ordinal);
        Assert.Contains("processed ", verbose.Stderr, StringComparison.Ordinal);
    }
}
