using Xunit;

namespace Sluice.Cli.Tests;

/// <summary>Assertions on the CLI's contract: success, or exactly one "error: ..." line and exit code 1.</summary>
internal static class CliAssert
{
    internal static SluiceProcess.Result Succeeds(params string[] args)
    {
        var result = SluiceProcess.Run(args);
        Assert.True(result.ExitCode == 0, $"sluice {string.Join(' ', args)} failed: {result.Stderr}");
        return result;
    }

    /// <summary>Runs a command that must fail and returns its single error line.</summary>
    internal static string FailsWithOneLine(params string[] args)
    {
        var result = SluiceProcess.Run(args);
        Assert.True(result.ExitCode == 1, $"sluice {string.Join(' ', args)} exited {result.ExitCode}: {result.Stdout}{result.Stderr}");
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        return line;
    }
}
