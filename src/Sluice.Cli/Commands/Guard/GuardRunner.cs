using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>
/// <see cref="CommandRunner"/> for guard verbs: a <see cref="GuardException"/> is worded by its kind
/// (<see cref="GuardErrorText"/>); Ctrl+C (SIGINT) and SIGTERM cancel <see cref="Cancellation"/> instead of killing the process.
/// </summary>
internal static class GuardRunner
{
    internal static int Run(Func<int> body) => CommandRunner.Run(() =>
    {
        try
        {
            return body();
        }
        catch (GuardException error)
        {
            throw GuardErrorText.ToCliError(error);
        }
    });

    /// <summary>Runs a long-lived body (watch, follow, serve, import) with a token that Ctrl+C or SIGTERM cancels.</summary>
    internal static int RunCancellable(Func<CancellationToken, int> body) => CancelOnSignal.Run(token => Run(() => body(token)));

    /// <summary>Exit code of a run that Ctrl+C ended early (128 + SIGINT), as shells report it.</summary>
    internal const int Interrupted = 130;
}
