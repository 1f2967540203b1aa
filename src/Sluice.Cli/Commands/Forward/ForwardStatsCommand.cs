using System.CommandLine;
using Sluice.Cli.Commands.XdpApps;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Forward;

namespace Sluice.Cli.Commands.Forward;

/// <summary><c>sluice forward stats</c>: mode, ports, steering and counters (per CPU with --per-cpu).</summary>
internal static class ForwardStatsCommand
{
    internal static Command Create()
    {
        var netns = new Option<string?>("--netns") { Description = "Network namespace name of the forwarder" };
        var perCpu = new Option<bool>("--per-cpu") { Description = "Also show the counters of every CPU" };
        var json = CommonOptions.Json();
        var stats = new Command("stats", "Mode, ports, steering and counters (redirected, flooded, routed, steered, passed by reason)") { netns, perCpu, json };
        stats.SetAction(result => CommandRunner.Run(() =>
        {
            var place = ForwardCommands.Resolve(result.GetValue(netns));
            using var forward = ForwardController.Open(place);
            var statistics = forward.Statistics();
            if (result.GetValue(json))
            {
                JsonOutput.Write(writer => ForwardText.WriteStatus(writer, forward, statistics, null));
                return 0;
            }
            var cpus = forward.SteeringCpus;
            Console.WriteLine($"forwarder in {ForwardCommands.Where(place)}: mode {ForwardCommands.ModeName(forward.Mode)}, " +
                $"steering {(cpus.Count == 0 ? "off" : "CPUs " + string.Join(",", cpus))}");
            ForwardText.WritePorts(forward);
            var headers = new List<string> { "COUNTER", "PACKETS", "BYTES" };
            if (result.GetValue(perCpu)) headers.AddRange(Enumerable.Range(0, statistics.PerCpu.Count).Select(c => $"CPU{c}"));
            var table = new TextTable([.. headers]);
            foreach (var (stat, counter) in statistics.Totals)
            {
                var row = new List<object?> { ForwardText.StatName(stat), counter.Packets, counter.Bytes };
                if (result.GetValue(perCpu)) row.AddRange(statistics.PerCpu.Select(c => (object?)c[stat].Packets));
                table.Add([.. row]);
            }
            table.Write(Console.Out);
            return 0;
        }));
        return stats;
    }
}
