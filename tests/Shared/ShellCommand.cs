using System.Diagnostics;

namespace Sluice.Tests;

/// <summary>Runs a system tool (ip, nsenter, bpftool) for test setup, bounded in time, failing with its stderr.</summary>
public static class ShellCommand
{
    /// <summary>Runs <paramref name="program"/> and returns its stdout; throws with stderr on a non-zero exit.</summary>
    public static string Run(string program, params string[] arguments) =>
        TryRun(program, arguments, out string output, out string error) == 0
            ? output
            : throw new InvalidOperationException($"`{program} {string.Join(' ', arguments)}` failed: {error.Trim()}");

    /// <summary>Runs <paramref name="program"/>; returns its exit code (-1 on timeout).</summary>
    public static int TryRun(string program, string[] arguments, out string output, out string error)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            output = "";
            error = $"timed out after 30 s";
            return -1;
        }
        output = stdout.GetAwaiter().GetResult();
        error = stderr.GetAwaiter().GetResult();
        return process.ExitCode;
    }
}
