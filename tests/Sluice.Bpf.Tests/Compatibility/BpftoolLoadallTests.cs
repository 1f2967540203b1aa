using System.Diagnostics;
using System.Text.RegularExpressions;
using Sluice.Bpf.Object;
using Sluice.Bpf.Tests.Collections;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Compatibility;

/// <summary>
/// For every fixture object: `bpftool prog loadall FILE DIR` and <see cref="BpfCollection"/> must agree: both load
/// (with the same program names), or both fail (on the same program).
/// </summary>
/// <remarks>
/// bpftool 7.1 is built on libbpf 1.1, which refuses some objects a 6.18 kernel accepts. Where its error is one of
/// <see cref="KnownLibbpf11Limitations"/> we instead require that Sluice loads the object:
/// section names added to libbpf after 1.1 (tc/ingress, tcx/*, netfilter, ...), legacy "maps" section
/// definitions (dropped in libbpf 1.0; Sluice still reads them), and a call to a global function that is also a
/// program in the same section (libbpf 1.1: "bad call relo"). bpftool runs in a private mount namespace with its
/// own bpffs (see <see cref="RunBpftool"/>), so it neither sees nor leaves pins on the machine's bpffs.
/// </remarks>
public partial class BpftoolLoadallTests
{
    private static readonly string[] KnownLibbpf11Limitations =
    [
        "failed to guess program type from ELF section",
        "legacy map definitions in 'maps' section are not supported",
        "bad call relo against",
    ];

    public static TheoryData<string> Fixtures()
    {
        var names = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "bpf"), "*.bpf.o").Order())
            names.Add(Path.GetFileName(file)[..^".bpf.o".Length]);
        return names;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Sluice_loads_exactly_where_bpftool_loads(string fixture)
    {
        Requires.Root();
        if (!File.Exists("/usr/sbin/bpftool") && !File.Exists("/usr/bin/bpftool")) Requires.Unavailable("bpftool is not installed");
        if (!File.Exists("/usr/bin/unshare")) Requires.Unavailable("unshare (util-linux) is not installed");
        string path = Fixture.Path(fixture);
        var bpftool = RunBpftool(path);
        var sluice = RunSluice(path);

        if (!bpftool.Loaded && KnownLibbpf11Limitations.FirstOrDefault(bpftool.Error.Contains) is { } limitation)
        {
            Assert.True(sluice.Loaded, $"bpftool (libbpf 1.1) cannot load {fixture} ({limitation}), but Sluice must: {sluice.Error}");
            return;
        }
        Assert.True(bpftool.Loaded == sluice.Loaded,
            $"{fixture}: bpftool {(bpftool.Loaded ? "loaded" : "failed")}, Sluice {(sluice.Loaded ? "loaded" : "failed")}\n" +
            $"bpftool: {bpftool.Error}\nSluice: {sluice.Error}");
        if (bpftool.Loaded)
            Assert.Equal(bpftool.Programs.Order(), sluice.Programs.Order());
        else if (FailedProgram().Match(bpftool.Error) is { Success: true } match && sluice.FailedProgram is not null)
            Assert.Equal(match.Groups[1].Value, sluice.FailedProgram);
    }

    private sealed record Outcome(bool Loaded, IReadOnlyList<string> Programs, string Error, string? FailedProgram = null);

    private static Outcome RunSluice(string path)
    {
        using var pins = new TestPinDirectory(create: true);
        try
        {
            using var collection = BpfCollection.Load(path, new CollectionOptions { PinPath = pins.Path });
            return new Outcome(true, [.. collection.Programs.Keys], "");
        }
        catch (BpfVerifierException error)
        {
            return new Outcome(false, [], error.Message, error.ProgramName);
        }
        catch (BpfNotSupportedException error)
        {
            return new Outcome(false, [], error.Message, FailedProgramOf(error.Feature));
        }
        catch (Exception error) when (error is BpfException or InvalidOperationException or BpfObjectException)
        {
            return new Outcome(false, [], error.Message);
        }
    }

    /// <summary>
    /// Runs bpftool in a private mount namespace with its own bpffs at /sys/fs/bpf: libbpf pins LIBBPF_PIN_BY_NAME
    /// maps at /sys/fs/bpf/&lt;name&gt; whatever the target directory, and a shared bpffs would let stale pins or a
    /// concurrent run on the same machine change the outcome. The namespace's pins vanish with it.
    /// </summary>
    private static Outcome RunBpftool(string path)
    {
        const string script =
            "mount -t bpf bpf /sys/fs/bpf || exit 97; bpftool prog loadall \"$0\" /sys/fs/bpf/loadall || exit $?; ls /sys/fs/bpf/loadall";
        var start = new ProcessStartInfo("unshare") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "--mount", "--propagation", "private", "sh", "-c", script, path })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("bpftool prog loadall did not finish in 10 minutes");
        }
        if (process.ExitCode == 97) Assert.Fail($"could not mount a private bpffs for bpftool: {stderr.Result}");
        bool loaded = process.ExitCode == 0;
        var programs = loaded ? stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
        return new Outcome(loaded, programs, stderr.Result);
    }

    private static string? FailedProgramOf(string feature) =>
        ProgramInFeature().Match(feature) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex(@"program '(\w+)'")]
    private static partial Regex ProgramInFeature();

    [GeneratedRegex(@"prog '(\w+)': failed to load")]
    private static partial Regex FailedProgram();
}
