using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>
/// <c>sluice guard stats</c>: counters per reason once (table or one JSON document), or with --watch a live view
/// redrawn in place every interval (rates per reason, top sources) or one JSON line per interval; Ctrl+C stops.
/// </summary>
internal static class GuardStatsCommand
{
    internal static Command Create()
    {
        var watch = new Option<bool>("--watch") { Description = "Keep showing: a live view redrawn every interval (rates per reason and top sources) until Ctrl+C" };
        var interval = new Option<string?>("--interval") { Description = "Seconds between --watch updates (default 1)" };
        var top = new Option<string?>("--top") { Description = "Top sources shown by --watch (default 10; 0 = none)" };
        var count = new Option<string?>("--count") { Description = "With --watch: stop after this many updates (default: until Ctrl+C)" };
        var json = new Option<bool>("--json") { Description = "One JSON document; with --watch one JSON line per interval (with rates)" };
        var target = new GuardTargetOptions();
        var command = new Command("stats", "Packets and bytes per reason (passed, denied, rate_limited, malformed, ...); --watch for live rates and top sources")
        {
            watch, interval, top, count, json,
        };
        target.AddTo(command);
        command.SetAction(result => GuardRunner.RunCancellable(cancellation =>
        {
            var every = result.GetValue(interval) is { } i ? GuardText.ParseSeconds(i, "--interval", 3600) : TimeSpan.FromSeconds(1);
            if (every < TimeSpan.FromMilliseconds(10)) throw new CliError("--interval must be at least 0.01 seconds");
            int topCount = (int)(result.GetValue(top) is { } t ? GuardText.ParseCount(t, "--top", 1000) : 10);
            uint? updates = result.GetValue(count) is { } c ? GuardText.ParseCount(c, "--count") : null;
            if (updates is not null && !result.GetValue(watch)) throw new CliError("--count needs --watch");
            var guard = target.Resolve(result);
            using var controller = GuardController.Open(guard);
            if (!result.GetValue(watch))
            {
                var statistics = controller.ReadStatistics();
                if (result.GetValue(json)) JsonOutput.Write(writer => WriteJson(writer, guard, null, statistics, TimeSpan.Zero, null));
                else WriteTable(statistics);
                return 0;
            }
            Watch(controller, guard, every, topCount, updates, result.GetValue(json), cancellation);
            return 0;
        }));
        return command;
    }

    private static void Watch(GuardController controller, GuardTarget guard, TimeSpan every, int topCount, uint? updates, bool json, CancellationToken cancellation)
    {
        bool terminal = !json && !Console.IsOutputRedirected;
        var view = new GuardStatsView { Title = $"sluice guard on {guard.Describe()}   (Ctrl+C to stop)" };
        var clock = Stopwatch.StartNew();
        GuardStatistics? previous = null;
        var previousAt = TimeSpan.Zero;
        if (terminal) Console.Out.Write("\x1b[?25l");
        try
        {
            for (uint shown = 0; updates is null || shown < updates; shown++)
            {
                if (shown > 0 && cancellation.WaitHandle.WaitOne(every)) break;
                var current = controller.ReadStatistics();
                var now = clock.Elapsed;
                var sources = topCount > 0 ? controller.TopSources(topCount) : [];
                var elapsed = previous is null ? TimeSpan.Zero : now - previousAt;
                if (json)
                {
                    GuardJson.WriteLine(writer => WriteJson(writer, guard, previous, current, elapsed, sources));
                }
                else
                {
                    string text = view.Render(previous, current, elapsed, sources);
                    if (terminal) view.Draw(Console.Out, text);
                    else Console.Out.Write(text + "\n");
                }
                previous = current;
                previousAt = now;
                if (cancellation.IsCancellationRequested) break;
            }
        }
        finally
        {
            if (terminal) Console.Out.Write("\x1b[?25h");
        }
    }

    private static void WriteTable(GuardStatistics statistics)
    {
        var table = new TextTable("REASON", "PACKETS", "BYTES");
        foreach (var reason in GuardReasons.All)
        {
            table.Add(GuardReasons.Name(reason), statistics[reason].Packets, statistics[reason].Bytes);
        }
        table.Write(Console.Out);
    }

    /// <summary>
    /// {"interface", "netns", "time", "interval_seconds"?, "reasons": {name: {packets, bytes, pps?, bps?}}, "dropped": {packets, bytes},
    /// "top_sources"?: [{source, packets, bytes, dropped, blocked}]}. Rates only with a previous reading.
    /// </summary>
    private static void WriteJson(Utf8JsonWriter writer, GuardTarget guard, GuardStatistics? previous, GuardStatistics current, TimeSpan elapsed,
        IReadOnlyList<GuardSourceEntry>? sources)
    {
        bool rates = previous is not null && elapsed > TimeSpan.Zero;
        writer.WriteStartObject();
        writer.WriteString("interface", guard.Interface);
        writer.WriteString("netns", guard.NamespaceLabel);
        writer.WriteString("time", DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        if (rates) writer.WriteNumber("interval_seconds", Math.Round(elapsed.TotalSeconds, 3));
        writer.WriteStartObject("reasons");
        foreach (var reason in GuardReasons.All)
        {
            var counter = current[reason];
            writer.WriteStartObject(GuardReasons.Name(reason));
            writer.WriteNumber("packets", counter.Packets);
            writer.WriteNumber("bytes", counter.Bytes);
            if (rates)
            {
                var rate = GuardStatsRates.Rate(previous![reason], counter, elapsed);
                writer.WriteNumber("pps", Math.Round(rate.PacketsPerSecond, 1));
                writer.WriteNumber("bps", Math.Round(rate.BitsPerSecond, 1));
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteStartObject("dropped");
        writer.WriteNumber("packets", current.Dropped.Packets);
        writer.WriteNumber("bytes", current.Dropped.Bytes);
        writer.WriteEndObject();
        if (sources is not null)
        {
            writer.WriteStartArray("top_sources");
            foreach (var s in sources)
            {
                writer.WriteStartObject();
                writer.WriteString("source", GuardStatsRates.Address(s.Source));
                writer.WriteNumber("packets", s.Packets);
                writer.WriteNumber("bytes", s.Bytes);
                writer.WriteNumber("dropped", s.Dropped);
                writer.WriteBoolean("blocked", s.Blocked);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }
}
