using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sluice.Bpf;
using Sluice.Cli.Commands.Guard;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.TcApps;

namespace Sluice.Cli.Commands.TcApps;

/// <summary>
/// What the qos, ratelimit and mirror verbs share: --json on every verb (errors then are {"error": "..."} on stdout,
/// exit 1, through <see cref="CommandRunner"/> like every verb), the --dev/--netns pair that finds an instance, and the --watch loop.
/// </summary>
internal static class TcAppCli
{
    internal static Option<bool> Json() => new("--json") { Description = "Print JSON (errors too: {\"error\": \"...\"})" };

    /// <summary>
    /// The detach verb of every TC application: DEV (or --dev/--netns, or the only one attached), the application's own
    /// teardown, then "APP detached from ..." or {"detached": DEV, "netns": ...}.
    /// </summary>
    internal static Command Detach(string application, string description, Func<TcAppTarget, bool> detach)
    {
        var device = new Argument<string?>("DEV") { Description = "Interface (default: the only one attached)", Arity = ArgumentArity.ZeroOrOne };
        var target = new TcAppTargetOptions(application);
        var json = Json();
        var command = new Command("detach", description) { device, json };
        target.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            var instance = target.Resolve(result, device);
            if (!detach(instance)) throw new TcAppException(TcAppError.NotAttached, $"{application} is not attached to {instance.Describe()}");
            if (result.GetValue(json)) JsonOutput.Write(w => { w.WriteStartObject(); w.WriteString("detached", instance.Interface); w.WriteString("netns", instance.NamespaceLabel); w.WriteEndObject(); });
            else Console.WriteLine($"{application} detached from {instance.Describe()}");
            return 0;
        }));
        return command;
    }

    internal static TcDirection ParseDirection(string? text, TcDirection fallback) =>
        text is null ? fallback : text.ToLowerInvariant() switch
        {
            "ingress" => TcDirection.Ingress,
            "egress" => TcDirection.Egress,
            _ => throw new CliError($"--direction must be ingress or egress, not '{text}'"),
        };

    internal static string Name(TcDirection direction) => direction == TcDirection.Egress ? "egress" : "ingress";

    /// <summary>--interval S for --watch (default 1), and --seconds S to stop after S seconds (default: Ctrl+C).</summary>
    internal static void Watch(ParseResult result, Option<string?> interval, Option<string?> seconds, Action<bool> show)
    {
        var every = result.GetValue(interval) is { } i ? ParseSeconds(i, "--interval") : TimeSpan.FromSeconds(1);
        TimeSpan? total = result.GetValue(seconds) is { } s ? ParseSeconds(s, "--seconds") : null;
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var wait = every;
                bool last = false;
                if (total is { } limit && limit - clock.Elapsed <= every)
                {
                    var remaining = limit - clock.Elapsed;
                    (wait, last) = (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, true);
                }
                if (cancellation.Token.WaitHandle.WaitOne(wait)) break;
                show(last);
                if (last) break;
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    internal static TimeSpan ParseSeconds(string text, string option)
    {
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value < 0.01 || value > 86400)
            throw new CliError($"{option} takes seconds (0.01 .. 86400), not '{text}'");
        return TimeSpan.FromSeconds(value);
    }

    internal static void WriteCompactLine(Action<Utf8JsonWriter> body) => GuardJson.WriteLine(body);
}

/// <summary>--watch, --interval, --seconds and --prometheus of the stats and list verbs.</summary>
internal sealed class TcAppWatchOptions(string watchDescription = "Print again every interval until Ctrl+C or --seconds")
{
    internal Option<bool> Watch { get; } = new("--watch") { Description = watchDescription };

    internal Option<string?> Interval { get; } = new("--interval") { Description = "Seconds between --watch updates (default 1)" };

    internal Option<string?> Seconds { get; } = new("--seconds") { Description = "With --watch: stop after this many seconds" };

    internal Option<bool> Prometheus { get; } = new("--prometheus") { Description = "Prometheus text exposition format" };

    internal void AddTo(Command command)
    {
        command.Options.Add(Watch);
        command.Options.Add(Interval);
        command.Options.Add(Seconds);
        command.Options.Add(Prometheus);
    }

    /// <summary>Prints once (compact: false), or with --watch every interval (compact: true, one JSON line each).</summary>
    internal void Show(ParseResult result, Action<bool> print)
    {
        if (result.GetValue(Watch)) TcAppCli.Watch(result, Interval, Seconds, _ => print(true));
        else print(false);
    }
}

/// <summary>The --dev/--netns pair of every verb but attach: without --dev, the only instance attached (in --netns when given).</summary>
internal sealed class TcAppTargetOptions(string application)
{
    private readonly InstanceOptions _options = new($"{application} instance");

    internal Option<string?> Device => _options.Device;

    internal Option<string?> Netns => _options.Netns;

    internal void AddTo(Command command) => _options.AddTo(command);

    internal TcAppTarget Resolve(ParseResult result, Argument<string?>? positional = null)
    {
        string? netns = GuardNames.CheckNamespace(result.GetValue(Netns));
        string? dev = result.GetValue(Device);
        if (positional is not null && result.GetValue(positional) is { } given)
        {
            if (dev is not null && dev != given) throw new CliError($"two interfaces given ({given} and --dev {dev}); give one");
            dev = given;
        }
        if (dev is not null) return new TcAppTarget(application, dev, netns);
        var attached = TcAppTarget.ListAttached(application).Where(t => netns is null || t.Namespace == netns).ToList();
        return InstanceOptions.TheOnly(attached,
            netns is null
                ? $"{application} is not attached anywhere; run `sluice {application} attach DEV` first"
                : $"{application} is not attached in netns {netns}; run `sluice {application} attach DEV --netns {netns}` first",
            several => $"{application} is attached to {several.Count} interfaces ({string.Join(", ", several.Select(t => t.Describe()))}); choose one with --dev DEV [--netns NAME]");
    }
}
