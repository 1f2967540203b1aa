using System.Text.Json;
using Sluice.Cli.Commands.XdpApps;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Forward;
using Sluice.Programs.XdpApps;

namespace Sluice.Cli.Commands.Forward;

/// <summary>Tables and JSON of the forwarder's state.</summary>
internal static class ForwardText
{
    internal static string StatName(ForwardStat stat) => stat switch
    {
        ForwardStat.Redirect => "redirected",
        ForwardStat.Flood => "flooded",
        ForwardStat.Route => "routed",
        ForwardStat.Steer => "steered",
        ForwardStat.PassNoPort => "pass_no_egress",
        ForwardStat.PassIcmp => "pass_icmp",
        ForwardStat.PassTtl => "pass_ttl",
        ForwardStat.PassNoNeighbour => "pass_no_neighbour",
        ForwardStat.PassFibMiss => "pass_fib_miss",
        ForwardStat.PassOther => "pass_other",
        _ => "cpu_received",
    };

    internal static void WritePorts(ForwardController forward)
    {
        var table = new TextTable("PORT", "IFINDEX", "EGRESS", "FLOOD", "XDP", "PROGRAM");
        foreach (var port in forward.Ports())
            table.Add(port.Interface, port.Index, port.Egress ?? "-", port.Flood ? "yes" : "no", XdpAppCli.ModeName(port.Mode), port.ProgramId);
        table.Write(Console.Out);
    }

    internal static void WriteStatus(Utf8JsonWriter writer, ForwardController forward, ForwardStatistics? statistics, IReadOnlyList<SetupChange>? changes)
    {
        writer.WriteStartObject();
        writer.WriteStringOrNull("netns", forward.Place.Namespace);
        writer.WriteString("mode", ForwardCommands.ModeName(forward.Mode));
        writer.WriteStartArray("steer_cpus");
        foreach (var cpu in forward.SteeringCpus) writer.WriteNumberValue(cpu);
        writer.WriteEndArray();
        writer.WriteStartArray("ports");
        foreach (var port in forward.Ports())
        {
            writer.WriteStartObject();
            writer.WriteString("interface", port.Interface);
            writer.WriteNumber("ifindex", port.Index);
            writer.WriteStringOrNull("egress", port.Egress);
            writer.WriteBoolean("flood", port.Flood);
            writer.WriteString("xdp_mode", XdpAppCli.ModeName(port.Mode));
            writer.WriteNumber("program_id", port.ProgramId);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        if (changes is not null) XdpAppCli.WriteChanges(writer, changes);
        if (statistics is not null)
        {
            writer.WriteStartObject("counters");
            foreach (var (stat, counter) in statistics.Totals)
            {
                writer.WriteStartObject(StatName(stat));
                writer.WriteNumber("packets", counter.Packets);
                writer.WriteNumber("bytes", counter.Bytes);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
            writer.WriteStartArray("per_cpu");
            foreach (var cpu in statistics.PerCpu)
            {
                writer.WriteStartObject();
                foreach (var (stat, counter) in cpu) writer.WriteNumber(StatName(stat), counter.Packets);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }
}
