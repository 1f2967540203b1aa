using System.CommandLine;
using System.Text.Json;
using Sluice.Cli.Commands.XdpApps;
using Sluice.Cli.Infrastructure;
using Sluice.Programs;
using Sluice.Programs.Echo;
using Sluice.Programs.XdpApps;

namespace Sluice.Cli.Commands.Echo;

/// <summary>
/// <c>sluice echo attach|detach|port|stats</c>: the XDP echo reflector (ICMP, ICMPv6 and UDP echo by XDP_TX). Verbs but
/// attach find the reflector through --dev/--netns, or take the only one attached.
/// </summary>
internal static class EchoCommands
{
    internal static Command Create()
    {
        var command = new Command("echo", "XDP echo reflector: ICMP / ICMPv6 echo and UDP echo ports answered with XDP_TX");
        command.Subcommands.Add(CreateAttach());
        command.Subcommands.Add(CreateDetach());
        var port = new Command("port", "UDP echo ports");
        port.Subcommands.Add(CreatePort("add"));
        port.Subcommands.Add(CreatePort("remove"));
        command.Subcommands.Add(port);
        command.Subcommands.Add(CreateStats());
        return command;
    }

    private static Command CreateAttach()
    {
        var device = new Argument<string>("DEV") { Description = "Interface to answer on" };
        var netns = new Option<string?>("--netns") { Description = "Network namespace name (/var/run/netns/NAME) of the interface" };
        var ports = new Option<string[]>("--udp-port") { Description = "UDP port to echo (repeat for more)" };
        var mode = new Option<string?>("--mode") { Description = "XDP mode: best (default), native, generic or offload" };
        var json = CommonOptions.Json();
        var attach = new Command("attach",
            "Attach the reflector to DEV (state pinned under /sys/fs/bpf/sluice/echo/<netns>/<DEV>/); on a veth in native mode " +
            "it also puts xdp_pass on the peer, turns the peer's GRO on and its TX checksum offload off, and says so")
        {
            device, netns, ports, mode, json,
        };
        attach.SetAction(result => CommandRunner.Run(() =>
        {
            var place = XdpAppCli.Place(EchoNames.DefaultRoot, result.GetValue(netns));
            var options = new EchoAttachOptions
            {
                Mode = NetOptions.ParseXdpMode(result.GetValue(mode)),
                UdpPorts = [.. (result.GetValue(ports) ?? []).Select(XdpAppCli.ParsePort)],
            };
            using var echo = EchoController.Attach(place, result.GetValue(device)!, options);
            var status = echo.Status();
            if (result.GetValue(json))
            {
                JsonOutput.Write(writer => WriteStatus(writer, status, null));
                return 0;
            }
            Console.WriteLine($"echo attached to {place.Describe(echo.Interface)}: XDP {XdpAppCli.ModeName(status.Mode)}, program {status.ProgramId}, " +
                $"UDP ports {(status.UdpPorts.Count == 0 ? "none" : string.Join(",", status.UdpPorts))}");
            XdpAppCli.WriteChanges(status.VethChanges);
            return 0;
        }));
        return attach;
    }

    private static Command CreateDetach()
    {
        var device = new Argument<string?>("DEV") { Description = "Interface of the reflector (default: the only one attached)", Arity = ArgumentArity.ZeroOrOne };
        var netns = new Option<string?>("--netns") { Description = "Network namespace name of the interface" };
        var json = CommonOptions.Json();
        var detach = new Command("detach", "Detach the reflector (and the xdp_pass it put on a veth peer) and remove its pins") { device, netns, json };
        detach.SetAction(result => CommandRunner.Run(() =>
        {
            var (place, dev) = Resolve(result.GetValue(device), result.GetValue(netns));
            if (!EchoController.Detach(place, dev)) throw new CliError($"no echo reflector on {place.Describe(dev)}");
            if (result.GetValue(json)) JsonOutput.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("detached", dev);
                writer.WriteStringOrNull("netns", place.Namespace);
                writer.WriteEndObject();
            });
            else Console.WriteLine($"echo detached from {place.Describe(dev)}");
            return 0;
        }));
        return detach;
    }

    private static Command CreatePort(string action)
    {
        var ports = new Argument<string[]>("PORT") { Description = "UDP port(s)", Arity = ArgumentArity.OneOrMore };
        var instance = new InstanceOptions("reflector");
        var json = CommonOptions.Json();
        var command = new Command(action, action == "add" ? "Echo UDP datagrams to these ports" : "Stop echoing these UDP ports") { ports, json };
        instance.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            var numbers = result.GetValue(ports)!.Select(XdpAppCli.ParsePort).ToList();
            var (place, dev) = Resolve(result.GetValue(instance.Device), result.GetValue(instance.Netns));
            using var echo = EchoController.Open(place, dev);
            var changed = numbers.Where(p => action == "add" ? echo.AddUdpPort(p) : echo.RemoveUdpPort(p)).ToList();
            if (result.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteStartArray(action == "add" ? "added" : "removed");
                    foreach (var port in changed) writer.WriteNumberValue(port);
                    writer.WriteEndArray();
                    writer.WriteStartArray("udp_ports");
                    foreach (var port in echo.UdpPorts) writer.WriteNumberValue(port);
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                });
                return 0;
            }
            Console.WriteLine($"{(action == "add" ? "added" : "removed")} {(changed.Count == 0 ? "nothing" : string.Join(",", changed))}; " +
                $"UDP echo ports now {(echo.UdpPorts.Count == 0 ? "none" : string.Join(",", echo.UdpPorts))}");
            return 0;
        }));
        return command;
    }

    private static Command CreateStats()
    {
        var instance = new InstanceOptions("reflector");
        var json = CommonOptions.Json();
        var command = new Command("stats", "Attachment, UDP ports and counters (answered ICMP / ICMPv6 / UDP, passed)") { json };
        instance.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            var (place, dev) = Resolve(result.GetValue(instance.Device), result.GetValue(instance.Netns));
            using var echo = EchoController.Open(place, dev);
            var status = echo.Status();
            var statistics = echo.Statistics();
            if (result.GetValue(json))
            {
                JsonOutput.Write(writer => WriteStatus(writer, status, statistics));
                return 0;
            }
            Console.WriteLine($"echo on {place.Describe(dev)}: XDP {XdpAppCli.ModeName(status.Mode)}, program {status.ProgramId}, " +
                $"UDP ports {(status.UdpPorts.Count == 0 ? "none" : string.Join(",", status.UdpPorts))}");
            var table = new TextTable("COUNTER", "PACKETS", "BYTES");
            foreach (var (stat, counter) in statistics) table.Add(StatName(stat), counter.Packets.ToString(), counter.Bytes.ToString());
            table.Write(Console.Out);
            return 0;
        }));
        return command;
    }

    /// <summary>The reflector --dev/--netns (or DEV) names; without a device, the only one attached.</summary>
    private static (XdpAppPlace Place, string Device) Resolve(string? device, string? netns)
    {
        if (device is not null) return (XdpAppCli.Place(EchoNames.DefaultRoot, netns, mustExist: false), device);
        var attached = EchoController.ListAttached().Where(a => netns is null || a.Namespace == netns).ToList();
        var only = InstanceOptions.TheOnly(attached, netns is null ? "no echo reflector is attached" : $"no echo reflector is attached in netns {netns}",
            several => $"{several.Count} echo reflectors are attached; choose one with --dev DEV [--netns NAME]");
        return (XdpAppCli.Place(EchoNames.DefaultRoot, only.Namespace, mustExist: false), only.Interface);
    }

    private static string StatName(EchoStat stat) => stat switch
    {
        EchoStat.Icmp4 => "icmp_echo",
        EchoStat.Icmp6 => "icmpv6_echo",
        EchoStat.Udp4 => "udp4_echo",
        EchoStat.Udp6 => "udp6_echo",
        _ => "passed",
    };

    private static void WriteStatus(Utf8JsonWriter writer, EchoStatus status, IReadOnlyDictionary<EchoStat, EchoCounter>? statistics)
    {
        writer.WriteStartObject();
        writer.WriteString("interface", status.Interface);
        writer.WriteStringOrNull("netns", status.Namespace);
        writer.WriteString("xdp_mode", XdpAppCli.ModeName(status.Mode));
        writer.WriteNumber("program_id", status.ProgramId);
        writer.WriteString("pin_directory", status.PinDirectory);
        writer.WriteStartArray("udp_ports");
        foreach (var port in status.UdpPorts) writer.WriteNumberValue(port);
        writer.WriteEndArray();
        XdpAppCli.WriteChanges(writer, status.VethChanges);
        if (statistics is not null)
        {
            writer.WriteStartObject("counters");
            foreach (var (stat, counter) in statistics)
            {
                writer.WriteStartObject(StatName(stat));
                writer.WriteNumber("packets", counter.Packets);
                writer.WriteNumber("bytes", counter.Bytes);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }
}
