using System.Globalization;
using Sluice.Lab;

namespace Sluice.Benchmarks.Harness;

/// <summary>The C baselines (bench/c): each prints "name value" lines that the scenarios compare against.</summary>
public static class CBaseline
{
    /// <summary>Runs a C baseline to completion and parses its "name value" lines; throws with its stderr on failure.</summary>
    public static Dictionary<string, double> Run(string binary, params string[] arguments)
    {
        var result = ShellCommand.Execute(binary, arguments, Timeout.InfiniteTimeSpan);
        if (!result.Succeeded)
            throw new InvalidOperationException($"{Path.GetFileName(binary)} exited with {result.ExitCode}: {result.Error.Trim()}");
        var figures = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 2);
            if (parts.Length == 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                figures[parts[0]] = value;
        }
        return figures;
    }
}
