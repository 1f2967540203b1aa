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
/// program in the same section (libbpf 1.1: "bad call relo"). bpftool pins LIBBPF_PIN_BY_NAME maps under
/// /sys/fs/bpf whatever the target directory; those pins are removed afterwards unless they existed before.
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
        string path = Fixture.Path(fixture);
        var spec = ObjectReader.Read(path);

        var bpftool = RunBpftool(path, spec);
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
        using var pins = new TempPinDirectory();
        try
        {
            using var collection = BpfCollection.Load(path, new CollectionOptions { PinPath = pins.Path });
            return new Outcome(true, [.. collection.Programs.Keys], "");
        }
        catch (BpfVerifierException error)
        {
            return new Outcome(false, [], error.Message, error.ProgramName);
        }
        catch (Exception error) when (error is BpfException or InvalidOperationException or BpfObjectException)
        {
            return new Outcome(false, [], error.Message);
        }
    }

    private static Outcome RunBpftool(string path, ObjectSpec spec)
    {
        string directory = $"/sys/fs/bpf/sluice-compat-{Guid.NewGuid():N}";
        // libbpf pins LIBBPF_PIN_BY_NAME maps at /sys/fs/bpf/<name> no matter where the programs go.
        var byNamePins = spec.Maps.Where(m => m.Pinning == PinningType.ByName)
            .Select(m => Path.Combine("/sys/fs/bpf", m.Name)).Where(p => !File.Exists(p)).ToList();
        try
        {
            var start = new ProcessStartInfo("bpftool") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in new[] { "prog", "loadall", path, directory }) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(60_000))
            {
                process.Kill();
                Assert.Fail("bpftool prog loadall did not finish in 60 s");
            }
            bool loaded = process.ExitCode == 0;
            var programs = loaded && Directory.Exists(directory)
                ? Directory.GetFileSystemEntries(directory).Select(p => Path.GetFileName(p)!).ToList()
                : [];
            return new Outcome(loaded, programs, stderr.Result);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            foreach (var pin in byNamePins) File.Delete(pin);
        }
    }

    [GeneratedRegex(@"prog '(\w+)': failed to load")]
    private static partial Regex FailedProgram();
}
