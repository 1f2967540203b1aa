using System.Runtime.InteropServices;

namespace Sluice.Cli.Infrastructure;

/// <summary>Runs a long-lived body (watch, follow, serve, import) with a token that Ctrl+C (SIGINT) or SIGTERM cancels.</summary>
internal static class CancelOnSignal
{
    internal static int Run(Func<CancellationToken, int> body)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });
        try
        {
            return body(cancellation.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
