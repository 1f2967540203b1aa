using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Cli.Commands.XdpApps;
using Sluice.Cli.Infrastructure;
using Sluice.Programs;
using Sluice.Programs.Forward;
using Sluice.Programs.XdpApps;

namespace Sluice.Cli.Commands.Forward;

/// <summary>
/// <c>sluice forward attach|detach|port|steer|route|stats</c>: the XDP forwarding plane of one network namespace (L2 port
/// forwarding and flooding through DEVMAPs, a FIB router, CPUMAP steering). --netns picks the namespace (default: the
/// caller's; for verbs but attach, the only forwarder attached when there is one).
/// </summary>
internal static class ForwardCommands
{
    internal static Command Create()
    {
        var command = new Command("forward", "XDP forwarding: L2 port forwarding + flooding (DEVMAP), FIB router, CPUMAP steering");
        command.Subcommands.Add(CreateAttach());
        command.Subcommands.Add(CreateDetach());
        command.Subcommands.Add(ForwardPortCommands.Create());
        command.Subcommands.Add(CreateSteer());
        command.Subcommands.Add(ForwardRouteCommand.Create());
        command.Subcommands.Add(ForwardStatsCommand.Create());
        return command;
    }

    private static Command CreateAttach()
    {
        var devices = new Argument<string[]>("DEV") { Description = "Ports (interfaces in the namespace)", Arity = ArgumentArity.OneOrMore };
        var netns = new Option<string?>("--netns") { Description = "Network namespace name (/var/run/netns/NAME) of the ports" };
        var mode = new Option<string?>("--mode") { Description = "l2 (default: each port to its egress port, group addresses flooded) or router (FIB lookup)" };
        var xdpMode = new Option<string?>("--xdp-mode") { Description = "XDP mode: best (default), native or generic" };
        var steer = new Option<string?>("--steer-cpus") { Description = "Spread flows over these CPUs by hash first (CPUMAP), e.g. 0,1; 'off' to stop" };
        var noFlood = new Option<bool>("--no-flood") { Description = "Keep these ports out of the flood group" };
        var json = CommonOptions.Json();
        var attach = new Command("attach",
            "Make DEV... ports of the namespace's forwarder (state pinned under /sys/fs/bpf/sluice/forward/<netns>/); two ports in l2 mode " +
            "are paired both ways. On veth in native mode it turns GRO on and TX checksum offload off on the peers; the router " +
            "turns IPv4/IPv6 forwarding on; both are printed")
        {
            devices, netns, mode, xdpMode, steer, noFlood, json,
        };
        attach.SetAction(result => CommandRunner.Run(() =>
        {
            var place = XdpAppCli.Place(ForwardNames.DefaultRoot, result.GetValue(netns));
            var options = new ForwardAttachOptions
            {
                Mode = ParseMode(result.GetValue(mode)),
                XdpMode = NetOptions.ParseXdpMode(result.GetValue(xdpMode)),
                Flood = !result.GetValue(noFlood),
                SteerCpus = result.GetValue(steer) is { } cpus ? ParseCpus(cpus) : null,
            };
            using var forward = ForwardController.Attach(place, result.GetValue(devices)!, options);
            if (result.GetValue(json))
            {
                JsonOutput.Write(writer => ForwardText.WriteStatus(writer, forward, null, forward.SetupChanges));
                return 0;
            }
            Console.WriteLine($"forwarder attached in {Where(place)}: mode {ModeName(forward.Mode)}");
            ForwardText.WritePorts(forward);
            XdpAppCli.WriteChanges(forward.SetupChanges);
            return 0;
        }));
        return attach;
    }

    private static Command CreateDetach()
    {
        var netns = new Option<string?>("--netns") { Description = "Network namespace name of the forwarder" };
        var json = CommonOptions.Json();
        var detach = new Command("detach", "Detach every port and remove the forwarder's pins (veth and sysctl settings stay)") { netns, json };
        detach.SetAction(result => CommandRunner.Run(() =>
        {
            var place = Resolve(result.GetValue(netns));
            if (!ForwardController.Detach(place)) throw new CliError($"no forwarder in {Where(place)}");
            if (result.GetValue(json)) JsonOutput.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteBoolean("detached", true);
                writer.WriteStringOrNull("netns", place.Namespace);
                writer.WriteEndObject();
            });
            else Console.WriteLine($"forwarder detached from {Where(place)}");
            return 0;
        }));
        return detach;
    }

    private static Command CreateSteer()
    {
        var cpus = new Argument<string>("CPUS") { Description = "CPU list (0,1 or 0-3) or 'off'" };
        var netns = new Option<string?>("--netns") { Description = "Network namespace name of the forwarder" };
        var json = CommonOptions.Json();
        var steer = new Command("steer", "Spread flows over CPUS by hash (CPUMAP; the CPU forwards the frame), or 'off'") { cpus, netns, json };
        steer.SetAction(result => CommandRunner.Run(() =>
        {
            var list = ParseCpus(result.GetValue(cpus)!);
            using var forward = ForwardController.Open(Resolve(result.GetValue(netns)));
            forward.SetSteering(list);
            if (result.GetValue(json)) JsonOutput.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("steer_cpus");
                foreach (var cpu in forward.SteeringCpus) writer.WriteNumberValue(cpu);
                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            else Console.WriteLine(list.Count == 0 ? "steering off" : $"steering flows over CPUs {string.Join(",", forward.SteeringCpus)}");
            return 0;
        }));
        return steer;
    }

    /// <summary>The forwarder --netns names; without it, the only one attached (else the caller's namespace).</summary>
    internal static XdpAppPlace Resolve(string? netns)
    {
        if (netns is not null) return XdpAppCli.Place(ForwardNames.DefaultRoot, netns, mustExist: false);
        var attached = ForwardController.ListAttached();
        return attached.Count switch
        {
            1 => XdpAppCli.Place(ForwardNames.DefaultRoot, attached[0], mustExist: false),
            0 => throw new CliError("no forwarder is attached"),
            _ => attached.Contains(null) ? XdpAppCli.Place(ForwardNames.DefaultRoot, null)
                : throw new CliError($"{attached.Count} forwarders are attached ({string.Join(", ", attached)}); choose one with --netns NAME"),
        };
    }

    internal static string Where(XdpAppPlace place) => place.Namespace is null ? "this namespace" : $"netns {place.Namespace}";

    internal static string ModeName(ForwardMode mode) => mode == ForwardMode.Router ? "router" : "l2";

    private static ForwardMode ParseMode(string? text) => text?.ToLowerInvariant() switch
    {
        null or "l2" => ForwardMode.L2,
        "router" or "route" or "l3" => ForwardMode.Router,
        _ => throw new CliError($"unknown forwarding mode '{text}'; use l2 or router"),
    };

    /// <summary>"0,1", "0-3", "1" or "off"/"none" (empty).</summary>
    internal static List<int> ParseCpus(string text)
    {
        if (text is "off" or "none") return [];
        var cpus = new List<int>();
        foreach (var part in text.Split(','))
        {
            var range = part.Split('-');
            if (range.Length > 2 || !range.All(r => int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                throw new CliError($"'{text}' is not a CPU list (e.g. 0,1 or 0-3, or off)");
            int first = int.Parse(range[0], CultureInfo.InvariantCulture), last = int.Parse(range[^1], CultureInfo.InvariantCulture);
            if (last < first || last - first > 1024) throw new CliError($"'{part}' is not a CPU range");
            for (int cpu = first; cpu <= last; cpu++) cpus.Add(cpu);
        }
        return cpus;
    }
}
