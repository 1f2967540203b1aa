namespace Sluice.Benchmarks.Harness;

/// <summary>
/// Runs two configurations in alternation, swapping which goes first every round, so drift in the machine's
/// speed (other tenants, frequency, page cache) hits both alike.
/// </summary>
public static class Interleaved
{
    public static (Samples Sluice, Samples Baseline) Run(int rounds, Func<double> sluice, Func<double> baseline)
    {
        var sluiceSamples = new Samples();
        var baselineSamples = new Samples();
        for (int round = 0; round < rounds; round++)
        {
            if (round % 2 == 0)
            {
                baselineSamples.Add(baseline());
                sluiceSamples.Add(sluice());
            }
            else
            {
                sluiceSamples.Add(sluice());
                baselineSamples.Add(baseline());
            }
        }
        return (sluiceSamples, baselineSamples);
    }
}
