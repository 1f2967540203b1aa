using Sluice.Bpf;

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
                // The library's advice names API calls; on the command line the way out is a command.
                string text = OneLine(held.Message);
                int advice = text.IndexOf("; only that link's owner", StringComparison.Ordinal);
                stderr.WriteLine($"error: {(advice < 0 ? text : text[..advice])}; release it with `sluice net detach link {link}`");
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

    /// <summary>Set by --verbose: print full verifier logs.</summary>
    internal static bool Verbose { get; set; }

    private static string OneLine(string message)
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
