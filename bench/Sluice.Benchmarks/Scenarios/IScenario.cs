using Sluice.Benchmarks.Harness;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>An end-to-end comparison: measures Sluice and its baseline in the same run, interleaved.</summary>
public interface IScenario
{
    /// <summary>Name used on the command line (bench/run.sh NAME).</summary>
    string Name { get; }

    /// <summary>One line: what is measured against what.</summary>
    string Description { get; }

    /// <summary>Runs <paramref name="rounds"/> interleaved rounds and returns the median rows.</summary>
    IEnumerable<Measurement> Run(int rounds);
}
