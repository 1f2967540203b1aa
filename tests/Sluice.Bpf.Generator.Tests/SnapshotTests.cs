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
    public void Generated_source_matches_the_snapshot(string fixture, string types)
    {
        var output = GeneratorRun.Generate(fixture, types);

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
