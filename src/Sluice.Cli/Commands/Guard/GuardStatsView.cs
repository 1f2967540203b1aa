using System.Globalization;
using System.Net;
using System.Text;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>
/// The live statistics view of <c>guard stats --watch</c> (also used by <c>sluice demo</c>): counters and rates per
/// reason over the last interval, and the top sources. <see cref="Render"/> returns plain text (no escape codes);
/// <see cref="Draw"/> puts it on a terminal, redrawn in place with ANSI cursor movement.
/// </summary>
internal sealed class GuardStatsView
{
    /// <summary>The heading's first words, e.g. "guard on va (netns demo-b)".</summary>
    internal string Title { get; init; } = "sluice guard";

    /// <summary>Show reasons whose counters are all zero too (a steady layout); off: only reasons that counted something.</summary>
    internal bool ShowIdleReasons { get; init; } = true;

    private int _linesDrawn;

    /// <summary>
    /// The view as text: one row per reason with its totals in <paramref name="current"/> and its packet and bit rates
    /// since <paramref name="previous"/> over <paramref name="elapsed"/> (rates are "-" without a previous reading or
    /// a positive interval), then <paramref name="topSources"/> (may be empty). Lines end with '\n'.
    /// </summary>
    internal string Render(GuardStatistics? previous, GuardStatistics current, TimeSpan elapsed, IReadOnlyList<GuardSourceEntry> topSources)
    {
        var text = new StringBuilder();
        bool rates = previous is not null && elapsed > TimeSpan.Zero;
        text.Append(CultureInfo.InvariantCulture, $"{Title}   {DateTime.Now:HH:mm:ss}");
        if (rates) text.Append(CultureInfo.InvariantCulture, $"   rates over {elapsed.TotalSeconds:0.0} s");
        text.Append('\n').Append('\n');

        var rows = new List<string[]>();
        string[] Row(string name, string verdict, GuardCounter now, GuardCounter? before)
        {
            var rate = rates ? GuardStatsRates.Rate(before!.Value, now, elapsed) : default;
            return [name, verdict, GuardText.Count(now.Packets), GuardText.Count(now.Bytes),
                rates ? GuardText.Si(rate.PacketsPerSecond) + "pps" : "-", rates ? GuardText.Si(rate.BitsPerSecond) + "bps" : "-"];
        }
        foreach (var reason in GuardReasons.All)
        {
            if (!ShowIdleReasons && current[reason].Packets == 0) continue;
            rows.Add(Row(GuardReasons.Name(reason), Verdict(reason), current[reason], previous?[reason]));
        }
        rows.Add(Row("total", "", current.XdpTotal, previous?.XdpTotal));
        rows.Add(Row("dropped", "drop", current.Dropped, previous?.Dropped));
        AppendTable(text, ["REASON", "VERDICT", "PACKETS", "BYTES", "RATE", "BANDWIDTH"], rows, rightAligned: [2, 3, 4, 5]);

        text.Append('\n');
        if (topSources.Count == 0)
        {
            text.Append("top sources: none tracked (rate limits off and no source tracking)\n");
        }
        else
        {
            var sources = topSources.Select(s => new[]
            {
                GuardStatsRates.Address(s.Source),
                GuardText.Count(s.Packets), GuardText.Count(s.Bytes), GuardText.Count(s.Dropped), s.Blocked ? "blocked" : "",
            }).ToList();
            AppendTable(text, ["TOP SOURCE", "PACKETS", "BYTES", "DROPPED", "STATE"], sources, rightAligned: [1, 2, 3]);
        }
        return text.ToString();
    }

    /// <summary>
    /// Writes <paramref name="text"/> over the previous frame: the cursor goes back up to the first line drawn, each
    /// line is rewritten and cleared to its end, and whatever the previous frame had below is erased.
    /// </summary>
    internal void Draw(TextWriter terminal, string text)
    {
        var frame = new StringBuilder();
        if (_linesDrawn > 0) frame.Append(CultureInfo.InvariantCulture, $"\x1b[{_linesDrawn}F");
        var lines = text.TrimEnd('\n').Split('\n');
        foreach (string line in lines) frame.Append(line).Append("\x1b[K\n");
        frame.Append("\x1b[J");
        _linesDrawn = lines.Length;
        terminal.Write(frame.ToString());
        terminal.Flush();
    }

    private static string Verdict(GuardReason reason) => reason switch
    {
        GuardReason.Malformed => "config",
        GuardReason.SynCookieSent => "tx",
        _ when GuardReasons.IsDrop(reason) => "drop",
        _ => "pass",
    };

    private static void AppendTable(StringBuilder text, string[] headers, List<string[]> rows, int[] rightAligned)
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in rows)
            for (int i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        void Line(string[] cells)
        {
            var line = new StringBuilder();
            for (int i = 0; i < cells.Length; i++)
            {
                if (i > 0) line.Append("  ");
                line.Append(Array.IndexOf(rightAligned, i) >= 0 ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
            }
            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
        Line(headers);
        foreach (var row in rows) Line(row);
    }
}

/// <summary>Counter deltas and rates between two statistics readings.</summary>
internal static class GuardStatsRates
{
    internal readonly record struct Rates(double PacketsPerSecond, double BitsPerSecond);

    /// <summary>The rate between two readings; a counter that went down (the guard was re-created) counts from zero.</summary>
    internal static Rates Rate(GuardCounter before, GuardCounter after, TimeSpan elapsed)
    {
        if (elapsed <= TimeSpan.Zero) return default;
        ulong packets = after.Packets >= before.Packets ? after.Packets - before.Packets : after.Packets;
        ulong bytes = after.Bytes >= before.Bytes ? after.Bytes - before.Bytes : after.Bytes;
        return new Rates(packets / elapsed.TotalSeconds, bytes * 8.0 / elapsed.TotalSeconds);
    }

    internal static string Address(IPAddress address) => Sluice.Programs.Guard.GuardAddress.Identity(address).ToString();
}
