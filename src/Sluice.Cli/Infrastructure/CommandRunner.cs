using Sluice.Bpf;
using Sluice.Programs.TcApps;
using Sluice.Programs.TrafficGen;
using Sluice.Programs.XdpApps;

namespace Sluice.Cli.Infrastructure;

/// <summary>
/// Runs a command body and turns every expected failure into one clear line on stderr and exit code 1
/// (bad input, kernel refusals, verifier rejections, missing privileges). Unexpected exceptions also print
/// one line; SLUICE_DEBUG=1 adds the stack trace for developers.
/// </summary>
internal static class CommandRunner
{
    internal const int Failure = 1;

    internal static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception error)
        {
            return Report(error);
        }
    }

    /// <summary>
    /// <see cref="Run(Func{int})"/> for a command given --json: a failure is <c>{"error": "..."}</c> on stdout (same
    /// wording as the text line) and exit code 1; without --json it is the usual line on stderr.
    /// </summary>
    internal static int Run(bool json, Func<int> body)
    {
        // One JSON error path for every verb: Report writes {"error": ...} on stdout whenever JsonErrors is set.
        if (json) JsonErrors = true;
        return Run(body);
    }

    internal static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Exception error)
        {
            return Report(error);
        }
    }

    internal static int Report(Exception error)
    {
        // The applications' own exceptions carry messages written for the user (guard's are worded by kind in GuardRunner).
        if (error is TcAppException or XdpAppException or TrafficGenException) error = new CliError(error.Message);
        if (JsonErrors)
        {
            // Scripts that asked for JSON parse stdout; the message is the same one line as on a terminal.
            string message = error is CliError or BpfException or BpfNotSupportedException or IOException or UnauthorizedAccessException
                or ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException or BpfVerifierException
                ? OneLine(SystemErrorText.Sentence(error)) : $"{error.GetType().Name}: {OneLine(SystemErrorText.Sentence(error))}";
            JsonOutput.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("error", message);
                writer.WriteEndObject();
            });
            if (Environment.GetEnvironmentVariable("SLUICE_DEBUG") == "1") Console.Error.WriteLine(error.ToString());
            return Failure;
        }
        var stderr = Console.Error;
        switch (error)
        {
            case CliError cli:
                stderr.WriteLine($"error: {cli.Message}");
                if (cli.Detail is { Length: > 0 } detail) stderr.WriteLine(detail.TrimEnd());
                break;
            case BpfVerifierException verifier:
                // The C line, instruction and hint first; --verbose adds the whole log below them.
                stderr.WriteLine($"error: {OneLine(verifier.Message)}");
                stderr.WriteLine(verifier.Diagnostic?.Render() ?? Tail(verifier.Message));
                if (Verbose) stderr.WriteLine($"verifier log:\n{verifier.VerifierLog.TrimEnd()}");
                break;
            case BpfAttachException { Reason: AttachFailure.HeldByLink, HoldingLinkId: { } link } held:
                // Only the link's holder can change the hook; on the command line the way out is a command.
                stderr.WriteLine($"error: {OneLine(held.Message)}; release it with `sluice net detach link {link}`");
                break;
            case BpfException or BpfNotSupportedException or IOException or UnauthorizedAccessException
                or ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException:
                stderr.WriteLine($"error: {OneLine(SystemErrorText.Sentence(error))}");
                break;
            default:
                stderr.WriteLine($"error: {error.GetType().Name}: {OneLine(SystemErrorText.Sentence(error))}");
                break;
        }
        if (Environment.GetEnvironmentVariable("SLUICE_DEBUG") == "1") stderr.WriteLine(error.ToString());
        return Failure;
    }

    /// <summary>Set when the command line has --json: errors go to stdout as {"error": "..."} (exit code still 1).</summary>
    internal static bool JsonErrors { get; set; }

    /// <summary>Set by --verbose: print full verifier logs.</summary>
    internal static bool Verbose { get; set; }

    internal static string OneLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline];
    }

    private static string Tail(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? "" : message[(newline + 1)..];
    }
}
