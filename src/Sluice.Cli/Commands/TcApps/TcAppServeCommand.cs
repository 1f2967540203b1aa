using System.CommandLine;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Metrics;
using Sluice.Programs.TcApps;

namespace Sluice.Cli.Commands.TcApps;

/// <summary>
/// <c>sluice qos|ratelimit|mirror serve [--dev DEV] [--netns NAME] [--metrics ADDR:PORT] [--interval S]</c>: the
/// instance's counters in the Prometheus text format on GET /metrics, the guard's way (<see cref="MetricsServeOptions"/>):
/// read every --interval, not per scrape, and read again from the pins after a detach and re-attach. Ctrl+C or SIGTERM stops.
/// </summary>
internal static class TcAppServeCommand
{
    internal static Command Create<T>(string application, Func<TcAppTarget, ReopeningMetricsSource<T>> source)
        where T : class, IDisposable
    {
        var serving = new MetricsServeOptions();
        var target = new TcAppTargetOptions(application);
        var json = TcAppCli.Json();
        var command = new Command("serve", $"Serve the {application} counters to Prometheus (text format on /metrics) until Ctrl+C") { json };
        serving.AddTo(command);
        target.AddTo(command);
        command.SetAction(result => CommandRunner.Run(result.GetValue(json), () => CancelOnSignal.Run(cancellation =>
        {
            var instance = target.Resolve(result);
            using var metrics = source(instance);
            return serving.Serve(result, metrics.Collect, $"{application} on {instance.Describe()}", cancellation);
        })));
        return command;
    }
}
