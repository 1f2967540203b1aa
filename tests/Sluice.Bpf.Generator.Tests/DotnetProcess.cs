using System.Diagnostics;

namespace Sluice.Bpf.Generator.Tests;

/// <summary>Runs the dotnet CLI (or a built app) and captures its output, with a time limit.</summary>
internal static class DotnetProcess
{
    internal sealed record Result(int ExitCode, string Output);

    internal static Result Run(string workingDirectory, TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // A child build must not reuse this process's MSBuild node or inherit test-host variables.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} took longer than {limit}");
        }
        return new Result(process.ExitCode, stdout.Result + stderr.Result);
    }
}
