namespace Sluice.Programs.Forward;

/// <summary>The forwarder's counters: totals per <see cref="ForwardStat"/>, and per CPU.</summary>
/// <param name="Totals">Summed over CPUs.</param>
/// <param name="PerCpu">For each possible CPU, its counters per stat.</param>
public sealed record ForwardStatistics(IReadOnlyDictionary<ForwardStat, ForwardCounter> Totals, IReadOnlyList<IReadOnlyDictionary<ForwardStat, ForwardCounter>> PerCpu);

public sealed partial class ForwardController
{
    /// <summary>Reads every counter.</summary>
    public ForwardStatistics Statistics()
    {
        var totals = new Dictionary<ForwardStat, ForwardCounter>();
        var perCpu = Enumerable.Range(0, _stats.CpuCount).Select(_ => new Dictionary<ForwardStat, ForwardCounter>()).ToList();
        var values = new ForwardCounter[_stats.CpuCount];
        foreach (var stat in Enum.GetValues<ForwardStat>())
        {
            if (!_stats.TryLookup((uint)stat, values)) Array.Clear(values);
            var sum = default(ForwardCounter);
            for (int cpu = 0; cpu < values.Length; cpu++)
            {
                perCpu[cpu][stat] = values[cpu];
                sum.Packets += values[cpu].Packets;
                sum.Bytes += values[cpu].Bytes;
            }
            totals[stat] = sum;
        }
        return new ForwardStatistics(totals, perCpu);
    }
}
