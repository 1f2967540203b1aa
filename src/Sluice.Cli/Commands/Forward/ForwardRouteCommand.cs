using System.CommandLine;
using System.Net;
using Sluice.Cli.Commands.XdpApps;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Forward;

namespace Sluice.Cli.Commands.Forward;

/// <summary>
/// <c>sluice forward route DST --from PORT [--src ADDR]</c>: what the forwarder does with a datagram to DST arriving on
/// PORT (a test run against the live maps and FIB; no state changes), like `ip route get` for the XDP path.
/// </summary>
internal static class ForwardRouteCommand
{
    internal static Command Create()
    {
        var destination = new Argument<string>("DST") { Description = "Destination address (IPv4 or IPv6)" };
        var from = new Option<string>("--from") { Description = "The port the datagram arrives on", Required = true };
        var source = new Option<string?>("--src") { Description = "Source address (default: unspecified)" };
        var netns = new Option<string?>("--netns") { Description = "Network namespace name of the forwarder" };
        var json = CommonOptions.Json();
        var route = new Command("route", "Show the forwarder's decision for a datagram to DST arriving on --from PORT (verdict, reason, egress port, MACs, TTL)")
        {
            destination, from, source, netns, json,
        };
        route.SetAction(result => CommandRunner.Run(() =>
        {
            var place = ForwardCommands.Resolve(result.GetValue(netns));
            var dst = ParseAddress(result.GetValue(destination)!);
            var src = result.GetValue(source) is { } s ? ParseAddress(s) : null;
            using var forward = ForwardController.Open(place);
            var decision = forward.Probe(result.GetValue(from)!, dst, src);
            if (result.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("destination", dst.ToString());
                    writer.WriteString("verdict", decision.Action.ToString().ToLowerInvariant());
                    writer.WriteString("reason", ForwardText.StatName(decision.Reason));
                    writer.WriteStringOrNull("egress", decision.Egress);
                    writer.WriteStringOrNull("source_mac", decision.SourceMac);
                    writer.WriteStringOrNull("destination_mac", decision.DestinationMac);
                    if (decision.Ttl is { } ttl) writer.WriteNumber("ttl", ttl);
                    else writer.WriteNull("ttl");
                    writer.WriteEndObject();
                });
                return 0;
            }
            string detail = decision.Reason switch
            {
                ForwardStat.Route => $"routed out of {decision.Egress ?? "?"} to {decision.DestinationMac} from {decision.SourceMac}, ttl 64 -> {decision.Ttl}",
                ForwardStat.Redirect => $"redirected out of {decision.Egress ?? "?"}",
                ForwardStat.Flood => "flooded to the port group",
                _ => $"to the stack ({ForwardText.StatName(decision.Reason)})",
            };
            Console.WriteLine($"{dst} via {result.GetValue(from)}: {detail}");
            return 0;
        }));
        return route;
    }

    private static IPAddress ParseAddress(string text) =>
        IPAddress.TryParse(text, out var address) ? address : throw new CliError($"'{text}' is not an IP address");
}
