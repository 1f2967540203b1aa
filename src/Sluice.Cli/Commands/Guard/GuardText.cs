using System.Globalization;
using System.Text.Json;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>Names and number formats shared by the guard verbs (text and JSON).</summary>
internal static class GuardText
{
    internal static string Protocol(byte protocol) => protocol switch
    {
        GuardRule.Icmp => "icmp",
        GuardRule.Tcp => "tcp",
        GuardRule.Udp => "udp",
        GuardRule.Icmpv6 => "icmpv6",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    internal static string Scope(GuardScope scope) => scope switch
    {
        GuardScope.Any => "any",
        GuardScope.Protocol => "protocol",
        GuardScope.Port => "port",
        _ => ((byte)scope).ToString(CultureInfo.InvariantCulture),
    };

    internal static string Verdict(GuardVerdict verdict) => verdict == GuardVerdict.Drop ? "drop" : "pass";

    internal static GuardVerdict ParseVerdict(string text, string option) => text.Trim().ToLowerInvariant() switch
    {
        "drop" => GuardVerdict.Drop,
        "pass" => GuardVerdict.Pass,
        _ => throw new CliError($"{option}: '{text}' is not a verdict; use pass or drop"),
    };

    internal static string Marks(GuardMarks marks) => GuardMarkNames.Format(marks);

    /// <summary>A comma-separated list of marks, or "none".</summary>
    internal static GuardMarks ParseMarks(string text, string option)
    {
        var marks = GuardMarks.None;
        foreach (string word in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (word.Equals("none", StringComparison.OrdinalIgnoreCase)) continue;
            if (!GuardMarkNames.TryParse(word, out var mark))
                throw new CliError($"{option}: unknown mark '{word}'; use {string.Join(", ", GuardMarkNames.All)} or none");
            marks |= mark;
        }
        return marks;
    }

    internal static bool ParseSwitch(string text, string option) => text.Trim().ToLowerInvariant() switch
    {
        "on" or "yes" or "true" or "1" => true,
        "off" or "no" or "false" or "0" => false,
        _ => throw new CliError($"{option}: '{text}' is neither on nor off"),
    };

    internal static uint ParseCount(string text, string option, uint max = uint.MaxValue)
    {
        if (!ulong.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out ulong value) || value > max)
            throw new CliError($"{option}: '{text}' is not a whole number 0..{max.ToString("N0", CultureInfo.InvariantCulture)}");
        return (uint)value;
    }

    internal static TimeSpan ParseSeconds(string text, string option, double max = 86_400 * 365)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || !double.IsFinite(seconds) || seconds < 0 || seconds > max)
            throw new CliError($"{option}: '{text}' is not a number of seconds 0..{max.ToString(CultureInfo.InvariantCulture)}");
        return TimeSpan.FromSeconds(seconds);
    }

    internal static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    /// <summary>1234567 -> "1.23 M" (SI, for rates in the live view).</summary>
    internal static string Si(double value)
    {
        double magnitude = Math.Abs(value);
        return magnitude switch
        {
            >= 1e9 => (value / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " G",
            >= 1e6 => (value / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " M",
            >= 1e3 => (value / 1e3).ToString("0.00", CultureInfo.InvariantCulture) + " k",
            _ => value.ToString("0", CultureInfo.InvariantCulture) + " ",
        };
    }

    internal static string Count(ulong value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Every setting as (name, value) lines, for `guard limit` and `guard status`.</summary>
    internal static IEnumerable<(string Name, string Value)> Settings(GuardSettings settings)
    {
        var l = settings.Limits;
        yield return ("pps", Limit(l.PacketsPerSecond));
        yield return ("syn-pps", Limit(l.SynPerSecond));
        yield return ("burst", Limit(l.Burst));
        yield return ("syn-burst", Limit(l.SynBurst));
        yield return ("block-time", l.BlockTime == TimeSpan.Zero ? "off" : Seconds(l.BlockTime));
        yield return ("conn-rate", Limit(l.ConnectionsPerSecond));
        yield return ("conn-burst", Limit(l.ConnectionBurst));
        yield return ("conn-max", Limit(l.MaxConcurrentConnections));
        yield return ("malformed", Verdict(settings.Malformed));
        yield return ("default", Verdict(settings.Default));
        yield return ("sample-rate", settings.SampleRate == 0 ? "off" : $"1 in {settings.SampleRate}");
        yield return ("syncookies", settings.SynCookies ? "on" : "off");
        yield return ("metadata", settings.Metadata ? "on" : "off");
        yield return ("track-sources", settings.TrackSources ? "on" : "off");
        yield return ("suspicious", Marks(settings.Suspicious));
        yield return ("tc-drop", Marks(settings.TcDrop));
    }

    private static string Limit(uint value) => value == 0 ? "off" : Count(value);

    internal static void WriteSettings(GuardSettings settings, TextWriter writer)
    {
        var lines = Settings(settings).ToList();
        int width = lines.Max(l => l.Name.Length);
        foreach (var (name, value) in lines) writer.WriteLine($"  {name.PadRight(width)}  {value}");
    }

    internal static void WriteSettingsJson(Utf8JsonWriter writer, string name, GuardSettings settings)
    {
        var l = settings.Limits;
        writer.WriteStartObject(name);
        writer.WriteNumber("pps", l.PacketsPerSecond);
        writer.WriteNumber("syn_pps", l.SynPerSecond);
        writer.WriteNumber("burst", l.Burst);
        writer.WriteNumber("syn_burst", l.SynBurst);
        writer.WriteNumber("block_seconds", l.BlockTime.TotalSeconds);
        writer.WriteNumber("conn_rate", l.ConnectionsPerSecond);
        writer.WriteNumber("conn_burst", l.ConnectionBurst);
        writer.WriteNumber("conn_max", l.MaxConcurrentConnections);
        writer.WriteString("malformed", Verdict(settings.Malformed));
        writer.WriteString("default", Verdict(settings.Default));
        writer.WriteNumber("sample_rate", settings.SampleRate);
        writer.WriteBoolean("syncookies", settings.SynCookies);
        writer.WriteBoolean("metadata", settings.Metadata);
        writer.WriteBoolean("track_sources", settings.TrackSources);
        writer.WriteStartArray("suspicious");
        foreach (string mark in GuardMarkNames.Names(settings.Suspicious)) writer.WriteStringValue(mark);
        writer.WriteEndArray();
        writer.WriteStartArray("tc_drop");
        foreach (string mark in GuardMarkNames.Names(settings.TcDrop)) writer.WriteStringValue(mark);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    internal static void WritePlan(GuardPlan plan, TextWriter writer)
    {
        foreach (string line in plan.Lines()) writer.WriteLine(line);
    }
}
