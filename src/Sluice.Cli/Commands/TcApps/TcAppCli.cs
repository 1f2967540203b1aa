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
/// exit 1), the --dev/--netns pair that finds an instance, and the --watch loop.
/// </summary>
internal static class TcAppCli
{
    internal static Option<bool> Json() => new("--json") { Description = "Print JSON (errors too: {\"error\": \"...\"})" };

    /// <summary>Runs a verb: a <see cref="TcAppException"/> or any other expected failure is one line, exit 1.</summary>
    internal static int Run(ParseResult result, Option<bool> json, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception error) when (result.GetValue(json))
        {
            string message = error is TcAppException or CliError ? error.Message : error.Message.Split('\n')[0];
            JsonOutput.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("error", message);
                writer.WriteEndObject();
            });
            if (Environment.GetEnvironmentVariable("SLUICE_DEBUG") == "1") Console.Error.WriteLine(error.ToString());
            return CommandRunner.Failure;
        }
        catch (TcAppException error)
        {
            return CommandRunner.Report(new CliError(error.Message));
        }
        catch (Exception error)
        {
            return CommandRunner.Report(error);
        }
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

/// <summary>The --dev/--netns pair of every verb but attach: without --dev, the only instance attached (in --netns when given).</summary>
internal sealed class TcAppTargetOptions(string application)
{
    internal Option<string?> Device { get; } = new("--dev") { Description = $"Interface of the {application} instance (default: the only one attached)" };

    internal Option<string?> Netns { get; } = new("--netns") { Description = "Network namespace name (/var/run/netns/NAME) of the interface" };

    internal void AddTo(Command command)
    {
        command.Options.Add(Device);
        command.Options.Add(Netns);
    }

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
        return attached.Count switch
        {
            1 => attached[0],
            0 => throw new CliError(netns is null
                ? $"{application} is not attached anywhere; run `sluice {application} attach DEV` first"
                : $"{application} is not attached in netns {netns}; run `sluice {application} attach DEV --netns {netns}` first"),
            _ => throw new CliError($"{application} is attached to {attached.Count} interfaces ({string.Join(", ", attached.Select(t => t.Describe()))}); choose one with --dev DEV [--netns NAME]"),
        };
    }
}
