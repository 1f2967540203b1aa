using System.CommandLine;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>
/// <c>sluice guard serve [--metrics ADDRESS:PORT]</c>: the guard's counters in Prometheus text format on GET /metrics,
/// read from the pinned maps every --interval (not per scrape), following a detach and re-attach. Ctrl+C stops.
/// </summary>
internal static class GuardServeCommand
{
    internal static Command Create()
    {
        var serving = new MetricsServeOptions();
        var target = new GuardTargetOptions();
        var command = new Command("serve", "Serve the guard's counters to Prometheus (text format on /metrics) until Ctrl+C");
        serving.AddTo(command);
        target.AddTo(command);
        command.SetAction(result => GuardRunner.RunCancellable(cancellation =>
        {
            var guard = target.Resolve(result);
            // The controller's own exposition (every family, blocked sources included), from whichever guard is pinned now.
            using var source = GuardController.MetricsSource(guard);
            return serving.Serve(result, source.Collect, $"the guard on {guard.Describe()}", cancellation);
        }));
        return command;
    }
}
