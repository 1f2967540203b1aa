using System.Globalization;

namespace Sluice.Benchmarks.Harness;

/// <summary>Prints the measurements as one aligned table.</summary>
public static class ResultTable
{
    public static void Print(IReadOnlyList<Measurement> rows, TextWriter output)
    {
        string[] header = ["scenario", "unit", "sluice", "baseline", "ratio", "target", "result"];
        var lines = rows.Select(row => new[]
        {
            row.Scenario,
            row.Unit,
            Figure(row.Sluice),
            double.IsNaN(row.Baseline) ? "-" : $"{Figure(row.Baseline)} ({row.BaselineName})",
            double.IsNaN(row.Ratio) ? "-" : row.Ratio.ToString("0.00x", CultureInfo.InvariantCulture),
            row.TargetText,
            double.IsNaN(row.Ratio) ? "n/a" : row.Passed switch { true => "pass", false => "FAIL", null => "info" },
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, lines.Count == 0 ? 0 : lines.Max(l => l[i].Length))).ToArray();
        output.WriteLine(Format(header, widths));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var line in lines) output.WriteLine(Format(line, widths));
        foreach (var row in rows.Where(r => r.Note is not null)) output.WriteLine($"  {row.Scenario}: {row.Note}");
    }

    private static string Format(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();

    private static string Figure(double value) => double.IsNaN(value) ? "-"
        : Math.Abs(value) >= 100_000 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 100 ? value.ToString("0.0", CultureInfo.InvariantCulture)
        : value.ToString("0.000", CultureInfo.InvariantCulture);
}
