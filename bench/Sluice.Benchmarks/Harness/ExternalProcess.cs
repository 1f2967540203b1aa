using System.Diagnostics;
using System.Globalization;

namespace Sluice.Benchmarks.Harness;

/// <summary>Runs the C baselines and other tools as child processes.</summary>
public static class ExternalProcess
{
    /// <summary>Runs <paramref name="file"/>; returns its exit code, stdout and the wall time of the whole process.</summary>
    public static (int ExitCode, string Output, string Error, TimeSpan Elapsed) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        clock.Stop();
        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult(), clock.Elapsed);
    }

    /// <summary>Runs a C baseline and parses its "name value" lines; throws with its stderr on failure.</summary>
    public static Dictionary<string, double> RunBaseline(string binary, params string[] arguments)
    {
        var (exitCode, output, error, _) = Run(binary, arguments);
        if (exitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(binary)} exited with {exitCode}: {error.Trim()}");
        var figures = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 2);
            if (parts.Length == 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                figures[parts[0]] = value;
        }
        return figures;
    }
}
