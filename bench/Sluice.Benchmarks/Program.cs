using Sluice.Benchmarks.Harness;
using Sluice.Benchmarks.Micro;
using Sluice.Benchmarks.Scenarios;

namespace Sluice.Benchmarks;

/// <summary>
/// Sluice benchmarks, run on demand (never part of the test suite):
///   run [SCENARIO...] [--rounds N]   end-to-end scenarios against their C baselines, as one table
///   list                             the scenarios
///   micro [BenchmarkDotNet args]     BenchmarkDotNet micro-benchmarks (per-op map lookup/update)
/// </summary>
internal static class Program
{
    private static readonly IScenario[] Scenarios =
    [
        new MapOpsScenario(),
        new BatchUpdateScenario(),
        new RingBufferScenario(),
        new ObjectLoadScenario(),
        new ObjectLoadScenario("core-load", "core_load.bpf.o"),
        new KernelBtfScenario(),
        new GuardCostScenario(),
        new GuardImportScenario(),
        new GuardEndToEndScenario(),
        new XdpApps.XdpForwardCostScenario(),
        new XdpApps.XdpForwardVethScenario(),
        new TrafficGenScenario(),
        new XdpBenchScenario(),
        new QosCostScenario(),
        new TcShapingScenario(),
    ];

    private static int Main(string[] args)
    {
        string command = args.Length > 0 ? args[0] : "run";
        switch (command)
        {
            case "list":
                foreach (var scenario in Scenarios) Console.WriteLine($"{scenario.Name,-14} {scenario.Description}");
                return 0;
            case "micro":
                return MicroRunner.Run(args[1..]);
            case "run":
                return RunScenarios(args[1..]);
            default:
                Console.Error.WriteLine($"unknown command '{command}'; use run [SCENARIO...] [--rounds N], list or micro");
                return 2;
        }
    }

    private static int RunScenarios(string[] args)
    {
        int rounds = 5;
        var names = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--rounds" && i + 1 < args.Length) rounds = int.Parse(args[++i]);
            else names.Add(args[i]);
        }
        var unknown = names.Where(n => Scenarios.All(s => s.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"unknown scenario(s): {string.Join(", ", unknown)}; known: {string.Join(", ", Scenarios.Select(s => s.Name))}");
            return 2;
        }

        var rows = new List<Measurement>();
        foreach (var scenario in Scenarios.Where(s => names.Count == 0 || names.Contains(s.Name)))
        {
            Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {scenario.Name}: {scenario.Description}");
            try
            {
                rows.AddRange(scenario.Run(rounds));
            }
            catch (Exception error)
            {
                rows.Add(Measurement.Unavailable(scenario.Name, "-", Better.Lower, "-", null, error.Message));
            }
        }
        Console.WriteLine();
        Console.WriteLine($"medians of {rounds} interleaved rounds; ratio = sluice / baseline");
        ResultTable.Print(rows, Console.Out);
        return rows.Any(r => r.Passed == false) ? 1 : 0;
    }
}
