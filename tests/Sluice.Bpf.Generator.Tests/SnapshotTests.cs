using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Generator.Tests;

/// <summary>
/// The generator's output for our fixtures, compared with the checked-in Snapshots/*.g.cs. After an intended change,
/// regenerate them with SLUICE_UPDATE_SNAPSHOTS=1 and review the diff. Update mode rewrites a differing snapshot
/// and then skips (it compared nothing); under CI it is refused, so it can never turn a changed output green.
/// </summary>
public class SnapshotTests
{
    public static TheoryData<string, string> Objects => new()
    {
        { "gen_layout", "event;alert_level" },
        { "xdp_counter", "" },
        { "globals", "" },
        { "btf_kinds", "record" },
        { "maps", "" },
        { "ringbuf", "" },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Generated_source_matches_the_snapshot(string fixture, string types) =>
        AssertSnapshot(fixture, GeneratorRun.Generate(fixture, types));

    [Fact]
    public void Types_beside_the_class_are_internal_renamed_documented_from_the_C_and_shared_by_objects_that_agree()
    {
        // gen_layout twice under two names: one set of namespace-level types, written once and naming both objects.
        var metadata = new Dictionary<string, string> { ["SluiceBpfTypes"] = "event;alert_level", ["SluiceBpfTypeNames"] = "flow_key=FlowKeyValue;alert_level=AlertLevelCode" };
        var output = GeneratorRun.Generate(
            [new("gen_layout", "gen_layout.bpf.o", metadata), new("gen_layout", "gen_layout_copy.bpf.o", metadata)],
            new() { ["SluiceBpfNestTypes"] = "false", ["SluiceBpfVisibility"] = "internal" }, "gen_layout.bpf.c");

        AssertSnapshot("gen_layout_shared", output);
    }

    [Fact]
    public void Objects_that_disagree_on_a_shared_type_are_an_error_naming_both()
    {
        // Both declare struct flow_key; maps.bpf.c spells out its padding as a member, so the mirrors differ.
        var output = GeneratorRun.Generate(
            [new("gen_layout", "gen_layout.bpf.o", []), new("maps", "maps.bpf.o", [])], new() { ["SluiceBpfNestTypes"] = "false" });

        var error = Assert.Single(output.GeneratorDiagnostics, d => d.Id == "SLUICE004");
        string message = error.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("'FlowKey'", message, StringComparison.Ordinal);
        Assert.Contains("gen_layout.bpf.o", message, StringComparison.Ordinal);
        Assert.Contains("maps.bpf.o", message, StringComparison.Ordinal);
    }

    private static void AssertSnapshot(string fixture, GeneratorRun.Output output)
    {
        Assert.Empty(output.GeneratorDiagnostics);
        Assert.Empty(output.CompileErrors);
        string path = SnapshotPath(fixture);
        string? expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : null;
        bool same = expected == output.Source.ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("SLUICE_UPDATE_SNAPSHOTS") == "1")
        {
            Assert.False(Requires.InCi, "SLUICE_UPDATE_SNAPSHOTS=1 under CI: snapshots are updated by a developer, never by CI");
            if (!same)
            {
                File.WriteAllText(path, output.Source);
                Assert.Skip($"rewrote {path}: review the diff");
            }
        }
        Assert.True(expected is not null, $"no snapshot {path}: run with SLUICE_UPDATE_SNAPSHOTS=1 to create it");
        Assert.True(same,
            $"generated source for {fixture} differs from {path}; if intended, rerun with SLUICE_UPDATE_SNAPSHOTS=1 and review the diff");
    }

    [Fact]
    public void Requested_type_missing_from_BTF_is_a_clear_error()
    {
        var output = GeneratorRun.Generate("ringbuf", "event");

        var error = Assert.Single(output.GeneratorDiagnostics);
        Assert.Equal("SLUICE003", error.Id);
        Assert.Contains("'event'", error.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("unused_event", error.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    private static string SnapshotPath(string fixture)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string project = Path.Combine(directory.FullName, "tests", "Sluice.Bpf.Generator.Tests");
            if (Directory.Exists(project)) return Path.Combine(project, "Snapshots", fixture + ".g.cs");
        }
        throw new DirectoryNotFoundException("tests/Sluice.Bpf.Generator.Tests not found above " + AppContext.BaseDirectory);
    }
}
