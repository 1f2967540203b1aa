using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>
/// <see cref="CommandRunner"/> for guard verbs: a <see cref="GuardException"/> is the user's mistake told in one line,
/// printed as it is; Ctrl+C (SIGINT) and SIGTERM cancel <see cref="Cancellation"/> instead of killing the process.
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
            throw new CliError(SystemErrorText.Sentence(error));
        }
    });

    /// <summary>Runs a long-lived body (watch, follow, serve, import) with a token that Ctrl+C or SIGTERM cancels.</summary>
    internal static int RunCancellable(Func<CancellationToken, int> body)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });
        try
        {
            return Run(() => body(cancellation.Token));
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Exit code of a run that Ctrl+C ended early (128 + SIGINT), as shells report it.</summary>
    internal const int Interrupted = 130;
}
