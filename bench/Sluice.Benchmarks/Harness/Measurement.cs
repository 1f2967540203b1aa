namespace Sluice.Benchmarks.Harness;

/// <summary>
/// Whether a larger figure is better (throughput) or worse (time per operation), or whether the two should agree
/// (a count checked against another count of the same thing; the target is then the tolerance, e.g. 0.01).
/// </summary>
public enum Better
{
    Lower,
    Higher,
    Same,
}

/// <summary>
/// One row of the result table: the median Sluice figure, the median baseline figure measured in the same run,
/// and the target for their ratio (sluice / baseline). A target of null means "reported, no target".
/// </summary>
public sealed record Measurement(
    string Scenario,
    string Unit,
    Better Better,
    double Sluice,
    double Baseline,
    string BaselineName,
    double? TargetRatio,
    string? Note = null)
{
    /// <summary>sluice / baseline.</summary>
    public double Ratio => Baseline == 0 ? double.NaN : Sluice / Baseline;

    /// <summary>True when there is no target or the ratio meets it.</summary>
    public bool? Passed => TargetRatio is not { } target ? null
        : Better switch
        {
            Better.Lower => Ratio <= target,
            Better.Higher => Ratio >= target,
            _ => Math.Abs(Ratio - 1) <= target,
        };

    /// <summary>"&lt;= 1.20x", "&gt;= 0.80x" or "1 +- 1%".</summary>
    public string TargetText => TargetRatio is not { } target ? "-"
        : Better switch
        {
            Better.Lower => "<= " + target.ToString("0.00x"),
            Better.Higher => ">= " + target.ToString("0.00x"),
            _ => "1 +- " + target.ToString("0%"),
        };

    /// <summary>A row that could not be measured, with the reason.</summary>
    public static Measurement Unavailable(string scenario, string unit, Better better, string baselineName, double? target, string why) =>
        new(scenario, unit, better, double.NaN, double.NaN, baselineName, target, why);
}
