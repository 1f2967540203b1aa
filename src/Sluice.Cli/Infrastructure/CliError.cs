namespace Sluice.Cli.Infrastructure;

/// <summary>A user-facing failure: printed as one line on stderr, exit code 1. No stack trace.</summary>
internal sealed class CliError(string message, string? detail = null) : Exception(message)
{
    /// <summary>Extra text printed after the one-line message (e.g. a verifier log).</summary>
    public string? Detail { get; } = detail;
}
