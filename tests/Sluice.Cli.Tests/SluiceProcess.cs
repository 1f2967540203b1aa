using System.Diagnostics;
using System.Text.Json;

namespace Sluice.Cli.Tests;

/// <summary>Runs the real CLI (sluice.dll next to the tests) as a child process, as scripts do.</summary>
internal static class SluiceProcess
{
    internal sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        internal JsonElement Json() => JsonDocument.Parse(Stdout).RootElement;
    }

    internal static Result Run(params string[] args) => Run(new ProcessStartInfo("dotnet"), args);

    /// <summary>
    /// Runs the CLI under `env -i PATH=...`: an empty environment (no SSH_CONNECTION, SSH_CLIENT, HOME...), as sudo,
    /// su -, cron and systemd give it.
    /// </summary>
    internal static Result RunWithoutEnvironment(params string[] args)
    {
        var start = new ProcessStartInfo("env");
        foreach (string a in new[] { "-i", $"PATH={Environment.GetEnvironmentVariable("PATH")}", "dotnet" }) start.ArgumentList.Add(a);
        return Run(start, args);
    }

    /// <summary>Starts the CLI with stdout and stderr redirected and leaves it running (serve, --watch).</summary>
    internal static Process Start(params string[] args) => Start(new ProcessStartInfo("dotnet"), args);

    private static Result Run(ProcessStartInfo start, string[] args)
    {
        using var process = Start(start, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A hang guard, not a speed limit: the demo on a loaded 2-core machine can take minutes.
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sluice {string.Join(' ', args)} did not finish in 10 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static Process Start(ProcessStartInfo start, string[] args)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sluice.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }
}
