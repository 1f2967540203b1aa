using System.CommandLine;
using System.Text.Json;
using Sluice.Bpf;
using Sluice.Cli.Commands.Guard;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Mirror;
using Sluice.Programs.TcApps;

namespace Sluice.Cli.Commands.TcApps;

/// <summary><c>sluice mirror DEV --to DEV2</c> (= attach), <c>mirror attach|detach|list|stats</c>.</summary>
internal static class MirrorCommands
{
    private const string App = "mirror";

    internal static Command Create()
    {
        var command = new Command("mirror", "Copy an interface's matching packets to another interface (bpf_clone_redirect), with counters");
        var (attachOptions, attachAction) = AttachParts();
        // `sluice mirror DEV --to DEV2` is attach without the word.
        var device = new Argument<string?>("DEV") { Description = "Interface to copy from", Arity = ArgumentArity.ZeroOrOne };
        command.Arguments.Add(device);
        foreach (var option in attachOptions) command.Options.Add(option);
        command.SetAction(result => attachAction(result, device));
        var attach = new Command("attach", "Attach the mirror to DEV (state under /sys/fs/bpf/sluice/mirror/<netns>/<DEV>/)");
        var attachDevice = NetOptions.Device();
        attach.Arguments.Add(attachDevice);
        var (options2, action2) = AttachParts();
        foreach (var option in options2) attach.Options.Add(option);
        attach.SetAction(result => action2(result, attachDevice));
        command.Subcommands.Add(attach);
        command.Subcommands.Add(TcAppCli.Detach(App, "Stop mirroring and remove the pins", MirrorController.Detach));
        command.Subcommands.Add(Show("list", "Where copies go, the matches and the counters"));
        command.Subcommands.Add(Show("stats", "Packets seen, matched, mirrored, failed"));
        command.Subcommands.Add(TcAppServeCommand.Create(App, MirrorController.MetricsSource));
        return command;
    }

    private static (Option[] Options, Func<ParseResult, Argument, int> Action) AttachParts()
    {
        var to = new Option<string?>("--to") { Description = "Interface the copies go out of (same namespace)" };
        var netns = new Option<string?>("--netns") { Description = "Network namespace name of both interfaces" };
        var direction = new Option<string?>("--direction") { Description = "ingress (default) or egress: which packets are copied" };
        var match = new Option<string[]>("--match") { Description = "Copy only matching packets: \"tcp|udp|icmp|proto N src CIDR dst CIDR port N|N-M\"; repeatable", AllowMultipleArgumentsPerToken = false };
        var json = TcAppCli.Json();
        return ([to, netns, direction, match, json], (result, argument) => CommandRunner.Run(() =>
        {
            if (result.GetValue((Argument<string?>)argument) is not { } dev)
                throw new CliError("give the interface to copy from: sluice mirror DEV --to DEV2");
            if (result.GetValue(to) is not { } destination) throw new CliError("--to DEV2 is required: where the copies go");
            var target = MirrorController.TargetFor(dev, GuardNames.CheckNamespace(result.GetValue(netns)));
            var options = new MirrorAttachOptions(destination)
            {
                Direction = TcAppCli.ParseDirection(result.GetValue(direction), TcDirection.Ingress),
                Matches = (result.GetValue(match) ?? []).Select(ClassifierRule.ParseText).ToList(),
            };
            using var controller = MirrorController.Attach(target, options);
            if (result.GetValue(json)) JsonOutput.Write(w => WriteStatus(w, controller.Status(), destination));
            else Console.WriteLine($"mirror: {TcAppCli.Name(options.Direction)} of {target.Describe()} -> {destination}" +
                $"{(options.Matches.Count == 0 ? " (every packet)" : $" ({string.Join("; ", options.Matches)})")}");
            return 0;
        }));
    }

    private static Command Show(string verb, string description)
    {
        var watch = new TcAppWatchOptions();
        var target = new TcAppTargetOptions(App);
        var json = TcAppCli.Json();
        var command = new Command(verb, description) { json };
        watch.AddTo(command);
        target.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            using var controller = MirrorController.Open(target.Resolve(result));
            if (result.GetValue(watch.Prometheus))
            {
                Console.Write(controller.FormatMetrics());
                return 0;
            }
            watch.Show(result, compact => Print(controller, result.GetValue(json), compact));
            return 0;
        }));
        return command;
    }

    private static void Print(MirrorController controller, bool json, bool compact)
    {
        var status = controller.Status();
        if (json)
        {
            if (compact) TcAppCli.WriteCompactLine(w => WriteStatus(w, status, null));
            else JsonOutput.Write(w => WriteStatus(w, status, null));
            return;
        }
        Console.WriteLine($"mirror: {string.Join("+", status.Directions.Select(TcAppCli.Name))} of {status.Target.Describe()} -> ifindex {status.MirrorInterfaceIndex}; " +
            $"{(status.Matches.Count == 0 ? "every packet" : string.Join("; ", status.Matches))}");
        var c = status.Counters;
        Console.WriteLine($"seen {c.Seen}  matched {c.Matched}  mirrored {c.Mirrored} ({c.Bytes} bytes)  failed {c.Failed}");
    }

    private static void WriteStatus(Utf8JsonWriter w, MirrorStatus status, string? to)
    {
        w.WriteStartObject();
        w.WriteString("iface", status.Target.Interface);
        w.WriteString("netns", status.Target.NamespaceLabel);
        if (to is not null) w.WriteString("to", to);
        w.WriteNumber("to_ifindex", status.MirrorInterfaceIndex);
        w.WriteStartArray("directions");
        foreach (var d in status.Directions) w.WriteStringValue(TcAppCli.Name(d));
        w.WriteEndArray();
        w.WriteStartArray("matches");
        foreach (var m in status.Matches) w.WriteStringValue(m.ToString());
        w.WriteEndArray();
        w.WriteNumber("seen", status.Counters.Seen);
        w.WriteNumber("matched", status.Counters.Matched);
        w.WriteNumber("mirrored", status.Counters.Mirrored);
        w.WriteNumber("bytes", status.Counters.Bytes);
        w.WriteNumber("failed", status.Counters.Failed);
        w.WriteEndObject();
    }
}
