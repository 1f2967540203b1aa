using BenchmarkDotNet.Running;
using Sluice.Benchmarks.Harness;

namespace Sluice.Benchmarks.Micro;

/// <summary>
/// Runs the BenchmarkDotNet micro-benchmarks, then sets their medians against libbpf's map_ops measured right before
/// and right after (so the baseline brackets the BenchmarkDotNet run on the same machine state).
/// </summary>
internal static class MicroRunner
{
    private const int BaselineOperations = 200_000;

    public static int Run(string[] args)
    {
        var baselineBinary = BenchPaths.CArtifact("map_ops");
        var lookup = new Samples();
        var update = new Samples();
        void MeasureBaseline()
        {
            var figures = CBaseline.Run(baselineBinary, BaselineOperations.ToString(), "1024");
            lookup.Add(figures["lookup_ns_per_op"]);
            update.Add(figures["update_ns_per_op"]);
        }

        MeasureBaseline();
        var summaries = BenchmarkSwitcher.FromTypes([typeof(MapOperationBenchmarks)]).Run(args, MicroConfig.Create()).ToList();
        MeasureBaseline();

        var rows = new List<Measurement>();
        foreach (var report in summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is not null))
        {
            string method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            var baseline = method.Contains("Update", StringComparison.Ordinal) ? update : lookup;
            rows.Add(new Measurement($"micro-{method}", "ns/op", Better.Lower, report.ResultStatistics!.Median, baseline.Median, "libbpf", 1.2));
        }
        Console.WriteLine();
        Console.WriteLine("BenchmarkDotNet medians against libbpf map_ops (run before and after); ratio = sluice / baseline");
        ResultTable.Print(rows, Console.Out);
        return rows.Any(r => r.Passed == false) ? 1 : 0;
    }
}
