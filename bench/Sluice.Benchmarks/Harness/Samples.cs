namespace Sluice.Benchmarks.Harness;

/// <summary>Repeated figures of one configuration; the VM is noisy, so results are medians.</summary>
public sealed class Samples
{
    private readonly List<double> _values = [];

    public void Add(double value) => _values.Add(value);

    public int Count => _values.Count;

    public double Median
    {
        get
        {
            if (_values.Count == 0) return double.NaN;
            var sorted = _values.Order().ToArray();
            int middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    /// <summary>Relative spread (max - min) / median, printed so a noisy result can be recognised.</summary>
    public double Spread => _values.Count == 0 ? double.NaN : (_values.Max() - _values.Min()) / Median;
}
