using System.Diagnostics;

namespace Sluice.Lab;

/// <summary>What one run of an external program did.</summary>
/// <param name="ExitCode">The exit code; -1 when the run timed out and the process was killed.</param>
/// <param name="Output">Everything it wrote to stdout (empty after a timeout).</param>
/// <param name="Error">Everything it wrote to stderr, or why the run ended early.</param>
/// <param name="Elapsed">Wall time from start to exit (the whole process, start-up included).</param>
public sealed record CommandResult(int ExitCode, string Output, string Error, TimeSpan Elapsed)
{
    /// <summary>True when the program exited with 0.</summary>
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// The one way the lab, the tests, the demo and the benchmarks run an external program (ip, nsenter, tc, bpftool,
/// the C baselines): arguments passed as a list (no shell, no quoting), stdout and stderr captured, bounded in time.
/// </summary>
public static class ShellCommand
{
    /// <summary>How long <see cref="Run"/> and <see cref="TryRun"/> wait before killing the program.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="program"/> and returns its stdout; throws with its stderr on a non-zero exit.</summary>
    /// <exception cref="InvalidOperationException">The program failed, timed out or could not be started.</exception>
    public static string Run(string program, params string[] arguments)
    {
        var result = Execute(program, arguments, DefaultTimeout);
        return result.Succeeded
            ? result.Output
            : throw new InvalidOperationException($"`{program} {string.Join(' ', arguments)}` failed: {result.Error.Trim()}");
    }

    /// <summary>Runs <paramref name="program"/>; returns its exit code (-1 on timeout) with stdout and stderr.</summary>
    public static int TryRun(string program, string[] arguments, out string output, out string error)
    {
        var result = Execute(program, arguments, DefaultTimeout);
        output = result.Output;
        error = result.Error;
        return result.ExitCode;
    }

    /// <summary>
    /// Runs <paramref name="program"/> to completion or until <paramref name="timeout"/> passes
    /// (<see cref="Timeout.InfiniteTimeSpan"/>: no limit, for benchmark baselines that run as long as they need).
    /// </summary>
    /// <exception cref="InvalidOperationException">The program could not be started.</exception>
    public static CommandResult Execute(string program, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        // Read both pipes concurrently: a program that fills one while we wait on the other would never exit.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new CommandResult(-1, "", $"timed out after {timeout.TotalSeconds:0} s", clock.Elapsed);
        }
        process.WaitForExit(); // flushes the redirected streams
        clock.Stop();
        return new CommandResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult(), clock.Elapsed);
    }
}
