using Sluice.Lab;
using System.Diagnostics;
using Sluice.Benchmarks.Harness;
using Sluice.Bpf;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// Loading a BPF object (every map and program) from its ELF file:
/// in-process, <see cref="BpfCollection.Load(string, CollectionOptions?)"/> against libbpf's
/// bpf_object__open_file + bpf_object__load (bench/c/object_load.c); and as a whole process,
/// the Native AOT `sluice object load FILE --pin DIR` against `bpftool prog loadall FILE DIR`.
/// </summary>
public sealed class ObjectLoadScenario : IScenario
{
    private const int LoadsPerRound = 20;
    private const string ObjectName = "xdp_counter.bpf.o";

    public string Name => "object-load";

    public string Description => $"load {ObjectName}: in-process (libbpf) and whole process (bpftool prog loadall)";

    public IEnumerable<Measurement> Run(int rounds)
    {
        var objectPath = BenchPaths.CArtifact(ObjectName);
        yield return InProcess(objectPath, rounds);
        yield return WholeProcess(objectPath, rounds * 2);
    }

    private static Measurement InProcess(string objectPath, int rounds)
    {
        var loader = BenchPaths.CArtifact("object_load");
        MeasureSluice(objectPath, 5); // warm-up: the first load JITs the reader and the loader
        var (sluice, baseline) = Interleaved.Run(rounds,
            () => MeasureSluice(objectPath, LoadsPerRound),
            () => CBaseline.Run(loader, objectPath, LoadsPerRound.ToString())["load_ms_median"]);
        return new Measurement("object-load-in-process", "ms", Better.Lower, sluice.Median, baseline.Median, "libbpf", null);
    }

    /// <summary>Median milliseconds of BpfCollection.Load + Dispose over <paramref name="loads"/> loads.</summary>
    private static double MeasureSluice(string objectPath, int loads)
    {
        var samples = new Samples();
        for (int i = 0; i < loads; i++)
        {
            long start = Stopwatch.GetTimestamp();
            var collection = BpfCollection.Load(objectPath);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            collection.Dispose();
        }
        return samples.Median;
    }

    private static Measurement WholeProcess(string objectPath, int rounds)
    {
        const string Scenario = "object-load-process";
        string sluice = Path.Combine(BenchPaths.Root, "bench", "bin", "sluice-aot", "sluice");
        if (!File.Exists(sluice))
            return Measurement.Unavailable(Scenario, "ms", Better.Lower, "bpftool", null,
                $"{sluice} not published (bench/run.sh publishes it with Native AOT)");
        string pinRoot = Path.Combine("/sys/fs/bpf", $"sluice-bench-{Environment.ProcessId}");
        var probe = TimeLoad(sluice, ["object", "load", objectPath, "--pin", pinRoot]);
        if (probe.Error is not null)
            return Measurement.Unavailable(Scenario, "ms", Better.Lower, "bpftool", null,
                $"`sluice object load FILE --pin DIR` failed (is the CLI command there yet?): {probe.Error}");

        var (sluiceSamples, bpftoolSamples) = Interleaved.Run(rounds,
            () => Succeeded(TimeLoad(sluice, ["object", "load", objectPath, "--pin", pinRoot])),
            () => Succeeded(TimeLoad("bpftool", ["prog", "loadall", objectPath, pinRoot])));
        return new Measurement(Scenario, "ms", Better.Lower, sluiceSamples.Median, bpftoolSamples.Median, "bpftool", null);
    }

    private static double Succeeded((double Milliseconds, string? Error) run) =>
        run.Error is null ? run.Milliseconds : throw new InvalidOperationException(run.Error);

    /// <summary>Runs one loader process into a fresh pin directory, then removes the pins.</summary>
    private static (double Milliseconds, string? Error) TimeLoad(string file, string[] arguments)
    {
        string pinDir = arguments[^1];
        if (Directory.Exists(pinDir)) Directory.Delete(pinDir, recursive: true);
        try
        {
            var (exitCode, _, error, elapsed) = ShellCommand.Execute(file, arguments, Timeout.InfiniteTimeSpan);
            if (exitCode != 0) return (double.NaN, $"{Path.GetFileName(file)} exited with {exitCode}: {error.Trim()}");
            return (elapsed.TotalMilliseconds, null);
        }
        finally
        {
            if (Directory.Exists(pinDir)) Directory.Delete(pinDir, recursive: true);
        }
    }
}
