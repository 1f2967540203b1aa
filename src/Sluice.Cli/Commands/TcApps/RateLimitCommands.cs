using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Bpf;
using Sluice.Cli.Commands.Guard;
using Sluice.Cli.Infrastructure;
using Sluice.Programs;
using Sluice.Programs.RateLimit;
using Sluice.Programs.TcApps;

namespace Sluice.Cli.Commands.TcApps;

/// <summary><c>sluice ratelimit attach|detach|set|remove|list|stats</c>: parsing and printing only.</summary>
internal static class RateLimitCommands
{
    private const string App = "ratelimit";

    internal static Command Create()
    {
        var command = new Command("ratelimit", "Per-key rate limits at TC: police (token bucket) or shape (EDT with fq, else htb classes)");
        command.Subcommands.Add(Attach());
        command.Subcommands.Add(TcAppCli.Detach(App, "Detach ratelimit, delete its qdisc and remove its pins", RateLimitController.Detach));
        command.Subcommands.Add(Set());
        command.Subcommands.Add(Remove());
        command.Subcommands.Add(Show("list", "Limits with their counters", watchable: false));
        command.Subcommands.Add(Show("stats", "Packets, bytes, drops and delays per limit", watchable: true));
        command.Subcommands.Add(TcAppServeCommand.Create(App, RateLimitController.MetricsSource));
        return command;
    }

    private static Command Attach()
    {
        var device = NetOptions.Device();
        var netns = new Option<string?>("--netns") { Description = "Network namespace name of the interface" };
        var direction = new Option<string?>("--direction") { Description = "egress (default: shape and police) or ingress (police)" };
        var shaper = new Option<string?>("--shaper") { Description = "auto (default: edt when the kernel has sch_fq, else htb), edt or htb" };
        var json = TcAppCli.Json();
        var command = new Command("attach", "Attach ratelimit to DEV; at egress it installs the shaping qdisc it picked and says which") { device, netns, direction, shaper, json };
        command.SetAction(result => CommandRunner.Run(() =>
        {
            var target = RateLimitController.TargetFor(result.GetValue(device)!, GuardNames.CheckNamespace(result.GetValue(netns)));
            var options = new RateLimitAttachOptions
            {
                Direction = TcAppCli.ParseDirection(result.GetValue(direction), TcDirection.Egress),
                Shaper = result.GetValue(shaper)?.ToLowerInvariant() switch
                {
                    null or "auto" => null,
                    "edt" => ShapeBackend.Edt,
                    "htb" => ShapeBackend.Htb,
                    var other => throw new CliError($"--shaper takes auto, edt or htb, not '{other}'"),
                },
            };
            using var controller = RateLimitController.Attach(target, options);
            string how = ShaperText(controller.Shaper);
            if (result.GetValue(json))
                JsonOutput.Write(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("iface", target.Interface);
                    w.WriteString("netns", target.NamespaceLabel);
                    w.WriteString("direction", TcAppCli.Name(options.Direction));
                    w.WriteString("shaper", controller.Shaper.ToString().ToLowerInvariant());
                    w.WriteString("pin_dir", target.PinDirectory);
                    w.WriteEndObject();
                });
            else Console.WriteLine($"ratelimit attached to {target.Describe()} at {TcAppCli.Name(options.Direction)}; {how}");
            return 0;
        }));
        return command;
    }

    private static string ShaperText(ShapeBackend shaper) => shaper switch
    {
        ShapeBackend.Edt => "shaping: EDT (skb->tstamp) paced by the fq qdisc",
        ShapeBackend.Htb => "shaping: htb classes per limit (this kernel has no sch_fq for EDT pacing)",
        _ => "policing only (shaping needs egress)",
    };

    private sealed class KeyOptions
    {
        internal Option<string?> Source { get; } = new("--src") { Description = "Source address or CIDR (the whole prefix shares the limit)" };
        internal Option<string?> Destination { get; } = new("--dst") { Description = "Destination address or CIDR" };
        internal Option<string?> Port { get; } = new("--port") { Description = "TCP/UDP destination port" };
        internal Option<string?> Cgroup { get; } = new("--cgroup") { Description = "cgroup v2 directory of the sending sockets (egress)" };

        internal void AddTo(Command command)
        {
            command.Options.Add(Source);
            command.Options.Add(Destination);
            command.Options.Add(Port);
            command.Options.Add(Cgroup);
        }

        internal RateLimitKey Parse(ParseResult result)
        {
            var given = new[] { (Source, "--src"), (Destination, "--dst"), (Port, "--port"), (Cgroup, "--cgroup") }
                .Where(o => result.GetValue(o.Item1) is not null).ToList();
            if (given.Count != 1) throw new CliError("give exactly one key: --src CIDR, --dst CIDR, --port N or --cgroup PATH");
            string value = result.GetValue(given[0].Item1)!;
            return given[0].Item2 switch
            {
                "--src" => new RateLimitKey(RateLimitKeyKind.Source, ClassifierRule.ParseNetwork(value)),
                "--dst" => new RateLimitKey(RateLimitKeyKind.Destination, ClassifierRule.ParseNetwork(value)),
                "--port" => new RateLimitKey(RateLimitKeyKind.Port, Port: ClassifierRule.ParsePorts(value) is var (low, high) && low == high
                    ? low : throw new CliError("--port takes one port, not a range")),
                _ => CgroupKey(value),
            };
        }

        private static RateLimitKey CgroupKey(string path)
        {
            try
            {
                return new RateLimitKey(RateLimitKeyKind.Cgroup, CgroupId: CgroupIds.Get(path), CgroupPath: path);
            }
            catch (DirectoryNotFoundException)
            {
                throw new CliError($"cgroup '{path}' does not exist");
            }
        }
    }

    private static Command Set()
    {
        var key = new KeyOptions();
        var rate = new Option<string>("--rate") { Description = "10mbit, 1gbit, 5MB/s, 5kpps, ...", Required = true };
        var burst = new Option<string?>("--burst") { Description = "Bucket depth: bytes (1500, 32k, 1m) or packets for pps rates (default 20 ms at the rate)" };
        var mode = new Option<string?>("--mode") { Description = "police (default: drop above the rate) or shape (delay)" };
        var horizon = new Option<string?>("--horizon") { Description = "EDT shaping: seconds a packet may wait before it is dropped instead (default 2)" };
        var target = new TcAppTargetOptions(App);
        var json = TcAppCli.Json();
        var command = new Command("set", "Add a limit or change the limit with the same key") { rate, burst, mode, horizon, json };
        key.AddTo(command);
        target.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            var rule = new RateLimitRule(key.Parse(result), Rate.Parse(result.GetValue(rate)!),
                result.GetValue(burst) is { } b ? Rate.ParseSize(b) : null,
                result.GetValue(mode)?.ToLowerInvariant() switch
                {
                    null or "police" => RateLimitMode.Police,
                    "shape" => RateLimitMode.Shape,
                    var other => throw new CliError($"--mode takes police or shape, not '{other}'"),
                },
                result.GetValue(horizon) is { } h ? TcAppCli.ParseSeconds(h, "--horizon") : null);
            using var controller = RateLimitController.Open(target.Resolve(result));
            controller.Set(rule);
            if (result.GetValue(json)) JsonOutput.Write(w => WriteLimit(w, new RateLimitStatus(-1, rule, default), controller.Shaper, counters: false));
            else Console.WriteLine($"ratelimit on {controller.Target.Describe()}: {rule.Key} {ModeText(rule.Mode, controller.Shaper)} at {rule.Rate} (burst {rule.EffectiveBurst})");
            return 0;
        }));
        return command;
    }

    private static string ModeText(RateLimitMode mode, ShapeBackend shaper) =>
        mode == RateLimitMode.Police ? "police" : shaper == ShapeBackend.Edt ? "shape (edt)" : "shape (htb)";

    private static Command Remove()
    {
        var key = new KeyOptions();
        var target = new TcAppTargetOptions(App);
        var json = TcAppCli.Json();
        var command = new Command("remove", "Remove the limit with this key") { json };
        key.AddTo(command);
        target.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            var limitKey = key.Parse(result);
            using var controller = RateLimitController.Open(target.Resolve(result));
            controller.Remove(limitKey);
            if (result.GetValue(json)) JsonOutput.Write(w => { w.WriteStartObject(); w.WriteString("removed", limitKey.ToString()); w.WriteEndObject(); });
            else Console.WriteLine($"ratelimit on {controller.Target.Describe()}: removed {limitKey}");
            return 0;
        }));
        return command;
    }

    private static Command Show(string verb, string description, bool watchable)
    {
        var watch = new TcAppWatchOptions();
        var target = new TcAppTargetOptions(App);
        var json = TcAppCli.Json();
        var command = new Command(verb, description) { json };
        if (watchable) watch.AddTo(command);
        target.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            using var controller = RateLimitController.Open(target.Resolve(result));
            if (watchable && result.GetValue(watch.Prometheus))
            {
                Console.Write(controller.FormatMetrics());
                return 0;
            }
            if (watchable) watch.Show(result, compact => Print(controller, result.GetValue(json), compact));
            else Print(controller, result.GetValue(json), compact: false);
            return 0;
        }));
        return command;
    }

    private static void Print(RateLimitController controller, bool json, bool compact)
    {
        var limits = controller.Limits();
        void Body(Utf8JsonWriter w)
        {
            w.WriteStartObject();
            w.WriteString("iface", controller.Target.Interface);
            w.WriteString("netns", controller.Target.NamespaceLabel);
            w.WriteString("shaper", controller.Shaper.ToString().ToLowerInvariant());
            w.WriteStartArray("limits");
            foreach (var limit in limits) WriteLimit(w, limit, controller.Shaper, counters: true);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        if (json)
        {
            if (compact) TcAppCli.WriteCompactLine(Body);
            else JsonOutput.Write(Body);
            return;
        }
        var table = new TextTable("KEY", "MODE", "RATE", "BURST", "PACKETS", "BYTES", "DROPPED", "DELAYED");
        foreach (var l in limits)
            table.Add(l.Rule.Key.ToString(), ModeText(l.Rule.Mode, controller.Shaper), l.Rule.Rate.ToString(), l.Rule.EffectiveBurst,
                l.Counters.Packets, l.Counters.Bytes, l.Counters.Dropped, l.Counters.Delayed);
        table.Write(Console.Out);
    }

    private static void WriteLimit(Utf8JsonWriter w, RateLimitStatus limit, ShapeBackend shaper, bool counters)
    {
        var rule = limit.Rule;
        w.WriteStartObject();
        w.WriteString("key", rule.Key.ToString());
        w.WriteString("kind", rule.Key.Kind.ToString().ToLowerInvariant());
        w.WriteString("mode", rule.Mode == RateLimitMode.Police ? "police" : "shape");
        if (rule.Mode == RateLimitMode.Shape) w.WriteString("shaper", shaper.ToString().ToLowerInvariant());
        w.WriteString("rate", rule.Rate.ToString());
        w.WriteNumber(rule.Rate.Unit == RateUnit.Packets ? "packets_per_second" : "bytes_per_second", rule.Rate.PerSecond);
        w.WriteNumber("burst", rule.EffectiveBurst);
        if (counters)
        {
            w.WriteNumber("packets", limit.Counters.Packets);
            w.WriteNumber("bytes", limit.Counters.Bytes);
            w.WriteNumber("dropped", limit.Counters.Dropped);
            w.WriteNumber("delayed", limit.Counters.Delayed);
        }
        w.WriteEndObject();
    }
}
