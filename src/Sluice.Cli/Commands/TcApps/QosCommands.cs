using System.CommandLine;
using System.Text.Json;
using Sluice.Bpf;
using Sluice.Cli.Commands.Guard;
using Sluice.Cli.Infrastructure;
using Sluice.Programs;
using Sluice.Programs.Qos;
using Sluice.Programs.TcApps;

namespace Sluice.Cli.Commands.TcApps;

/// <summary><c>sluice qos attach|detach|set|remove|list|stats|preset</c>: parsing and printing only.</summary>
internal static class QosCommands
{
    private const string App = "qos";

    internal static Command Create()
    {
        var command = new Command("qos", "TC classification: class (skb->priority, htb classes high/normal/low) and DSCP marking by protocol, prefixes and ports");
        command.Subcommands.Add(Attach());
        command.Subcommands.Add(TcAppCli.Detach(App, "Detach qos, delete the htb qdisc it made and remove its pins", QosController.Detach));
        command.Subcommands.Add(Set());
        command.Subcommands.Add(Remove());
        command.Subcommands.Add(List("list", "Rules with their counters"));
        command.Subcommands.Add(Stats());
        command.Subcommands.Add(TcAppServeCommand.Create(App, QosController.MetricsSource));
        command.Subcommands.Add(Preset());
        return command;
    }

    private static Command Attach()
    {
        var device = NetOptions.Device();
        var netns = new Option<string?>("--netns") { Description = "Network namespace name of the interface" };
        var direction = new Option<string?>("--direction") { Description = "ingress or egress (default egress)" };
        var qdisc = new Option<string?>("--qdisc") { Description = "htb: install an htb root qdisc with classes high 1:10, normal 1:20, low 1:30 (egress)" };
        var rate = new Option<string?>("--rate") { Description = "With --qdisc htb: the link rate the classes share (default 1gbit)" };
        var json = TcAppCli.Json();
        var command = new Command("attach", "Attach qos to DEV (state under /sys/fs/bpf/sluice/qos/<netns>/<DEV>/; attaching again keeps the rules)")
        {
            device, netns, direction, qdisc, rate, json,
        };
        command.SetAction(result => CommandRunner.Run(() =>
        {
            var target = QosController.TargetFor(result.GetValue(device)!, GuardNames.CheckNamespace(result.GetValue(netns)));
            bool htb = result.GetValue(qdisc) switch
            {
                null => false,
                "htb" => true,
                "prio" => throw new TcAppException(TcAppError.Unsupported, "--qdisc prio is not offered: use htb (this kernel has no sch_prio)"),
                var other => throw new CliError($"--qdisc takes htb, not '{other}'"),
            };
            var linkRate = result.GetValue(rate) is { } r ? Rate.Parse(r) : (Rate?)null;
            if (linkRate is not null && !htb) throw new CliError("--rate goes with --qdisc htb");
            var options = new QosAttachOptions { Direction = TcAppCli.ParseDirection(result.GetValue(direction), TcDirection.Egress), HtbQdisc = htb, LinkRate = linkRate };
            using var controller = QosController.Attach(target, options);
            var status = controller.Status();
            if (result.GetValue(json)) JsonOutput.Write(w => WriteStatus(w, status));
            else Console.WriteLine($"qos attached to {target.Describe()} at {TcAppCli.Name(options.Direction)}{(htb ? $" with htb root qdisc (high 1:10, normal 1:20, low 1:30 sharing {linkRate ?? Rate.Parse("1gbit")})" : "")}");
            return 0;
        }));
        return command;
    }

    private sealed class MatchOptions
    {
        internal Option<string?> Protocol { get; } = new("--proto") { Description = "tcp, udp, icmp, icmpv6 or 0..255" };
        internal Option<string?> Source { get; } = new("--src") { Description = "Source CIDR (IPv4 or IPv6)" };
        internal Option<string?> Destination { get; } = new("--dst") { Description = "Destination CIDR" };
        internal Option<string?> Port { get; } = new("--port") { Description = "Destination port N or range N-M" };

        internal void AddTo(Command command)
        {
            command.Options.Add(Protocol);
            command.Options.Add(Source);
            command.Options.Add(Destination);
            command.Options.Add(Port);
        }

        internal ClassifierRule Parse(ParseResult result) =>
            ClassifierRule.Parse(result.GetValue(Protocol), result.GetValue(Source), result.GetValue(Destination), result.GetValue(Port));
    }

    private static Command Set()
    {
        var match = new MatchOptions();
        var cls = new Option<string>("--class") { Description = "high, normal, low, a number or MAJOR:MINOR", Required = true };
        var dscp = new Option<string?>("--dscp") { Description = "EF, AF11..AF43, CS0..CS7 or 0..63" };
        var target = new TcAppTargetOptions(App);
        var json = TcAppCli.Json();
        var command = new Command("set", "Add a rule or change the class/DSCP of the rule with the same match; no match options = the default for unmatched packets") { cls, dscp, json };
        match.AddTo(command);
        target.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            var rule = new QosRule(match.Parse(result), QosClass.Parse(result.GetValue(cls)!), result.GetValue(dscp) is { } d ? Dscp.Parse(d) : null);
            using var controller = QosController.Open(target.Resolve(result));
            controller.Set(rule);
            if (result.GetValue(json)) JsonOutput.Write(w => WriteRule(w, rule, null));
            else Console.WriteLine($"qos on {controller.Target.Describe()}: {Describe(rule)}");
            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var match = new MatchOptions();
        var target = new TcAppTargetOptions(App);
        var json = TcAppCli.Json();
        var command = new Command("remove", "Remove the rule with exactly this match (no match options: the default)") { json };
        match.AddTo(command);
        target.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            var rule = match.Parse(result);
            using var controller = QosController.Open(target.Resolve(result));
            controller.Remove(rule);
            if (result.GetValue(json)) JsonOutput.Write(w => { w.WriteStartObject(); w.WriteString("removed", rule.ToString()); w.WriteEndObject(); });
            else Console.WriteLine($"qos on {controller.Target.Describe()}: removed {(rule.MatchesEverything ? "the default" : rule.ToString())}");
            return 0;
        }));
        return command;
    }

    private static Command Preset()
    {
        var name = new Argument<string>("NAME") { Description = "web: SSH (22) high, HTTP/HTTPS (80, 443) normal, everything else low" };
        var target = new TcAppTargetOptions(App);
        var json = TcAppCli.Json();
        var command = new Command("preset", "Install a set of rules at once") { name, json };
        target.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            using var controller = QosController.Open(target.Resolve(result));
            controller.Preset(result.GetValue(name)!);
            Print(controller, result.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command List(string verb, string description)
    {
        var target = new TcAppTargetOptions(App);
        var json = TcAppCli.Json();
        var command = new Command(verb, description) { json };
        target.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            using var controller = QosController.Open(target.Resolve(result));
            Print(controller, result.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command Stats()
    {
        var watch = new TcAppWatchOptions("Print again every interval (one JSON line each with --json) until Ctrl+C or --seconds");
        var target = new TcAppTargetOptions(App);
        var json = TcAppCli.Json();
        var command = new Command("stats", "Packets, bytes and DSCP rewrites per class and per rule") { json };
        watch.AddTo(command);
        target.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            using var controller = QosController.Open(target.Resolve(result));
            if (result.GetValue(watch.Prometheus))
            {
                Console.Write(controller.FormatMetrics());
                return 0;
            }
            watch.Show(result, compact => PrintStats(controller, result.GetValue(json), compact));
            return 0;
        }));
        return command;
    }

    private static void PrintStats(QosController controller, bool json, bool compact)
    {
        var rules = controller.Rules();
        var classes = rules.GroupBy(r => r.Rule.Class.ToString()).Select(g => (Class: g.Key,
            Packets: g.Sum(r => (decimal)r.Counters.Packets), Bytes: g.Sum(r => (decimal)r.Counters.Bytes), Marked: g.Sum(r => (decimal)r.Counters.Marked))).ToList();
        void Body(Utf8JsonWriter w)
        {
            w.WriteStartObject();
            w.WriteString("iface", controller.Target.Interface);
            w.WriteString("netns", controller.Target.NamespaceLabel);
            w.WriteStartArray("classes");
            foreach (var c in classes)
            {
                w.WriteStartObject();
                w.WriteString("class", c.Class);
                w.WriteNumber("packets", c.Packets);
                w.WriteNumber("bytes", c.Bytes);
                w.WriteNumber("marked", c.Marked);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WritePropertyName("rules");
            WriteRules(w, rules);
            w.WriteEndObject();
        }
        if (json)
        {
            if (compact) TcAppCli.WriteCompactLine(Body);
            else JsonOutput.Write(Body);
            return;
        }
        var table = new TextTable("CLASS", "PACKETS", "BYTES", "MARKED");
        foreach (var c in classes) table.Add(c.Class, c.Packets, c.Bytes, c.Marked);
        table.Write(Console.Out);
    }

    private static void Print(QosController controller, bool json)
    {
        var rules = controller.Rules();
        if (json)
        {
            JsonOutput.Write(w => WriteRules(w, rules));
            return;
        }
        var table = new TextTable("RULE", "CLASS", "DSCP", "PACKETS", "BYTES", "MARKED");
        foreach (var r in rules)
            table.Add(r.IsDefault ? "default" : r.Rule.Match.ToString(), r.Rule.Class.ToString(), r.Rule.Dscp is { } d ? Dscp.Name(d) : "-",
                r.Counters.Packets, r.Counters.Bytes, r.Counters.Marked);
        table.Write(Console.Out);
    }

    private static void WriteRules(Utf8JsonWriter w, IReadOnlyList<QosRuleStatus> rules)
    {
        w.WriteStartArray();
        foreach (var r in rules) WriteRule(w, r.Rule, r);
        w.WriteEndArray();
    }

    private static void WriteRule(Utf8JsonWriter w, QosRule rule, QosRuleStatus? status)
    {
        w.WriteStartObject();
        w.WriteString("match", status?.IsDefault == true || rule.Match.MatchesEverything ? "default" : rule.Match.ToString());
        if (rule.Match.Protocol is { } p) w.WriteNumber("proto", p);
        if (rule.Match.Source is { } s) w.WriteString("src", s.ToString());
        if (rule.Match.Destination is { } d) w.WriteString("dst", d.ToString());
        if (rule.Match.Ports is { } ports) w.WriteString("port", ports.Low == ports.High ? $"{ports.Low}" : $"{ports.Low}-{ports.High}");
        w.WriteString("class", rule.Class.ToString());
        w.WriteNumber("priority", rule.Class.Priority);
        if (rule.Dscp is { } dscp) w.WriteNumber("dscp", dscp);
        if (status is not null)
        {
            w.WriteNumber("packets", status.Counters.Packets);
            w.WriteNumber("bytes", status.Counters.Bytes);
            w.WriteNumber("marked", status.Counters.Marked);
            w.WriteNumber("errors", status.Counters.Errors);
        }
        w.WriteEndObject();
    }

    private static void WriteStatus(Utf8JsonWriter w, QosStatus status)
    {
        w.WriteStartObject();
        w.WriteString("iface", status.Target.Interface);
        w.WriteString("netns", status.Target.NamespaceLabel);
        w.WriteStartArray("directions");
        foreach (var d in status.Directions) w.WriteStringValue(TcAppCli.Name(d));
        w.WriteEndArray();
        w.WriteBoolean("htb_qdisc", status.HtbQdisc);
        w.WriteNumber("rules", status.RuleCount);
        w.WriteString("pin_dir", status.Target.PinDirectory);
        w.WriteEndObject();
    }

    private static string Describe(QosRule rule) =>
        $"{(rule.Match.MatchesEverything ? "default" : rule.Match.ToString())} -> class {rule.Class}{(rule.Dscp is { } d ? $", dscp {Dscp.Name(d)}" : "")}";
}
