using System.Globalization;
using System.Text;

namespace Sluice.Programs.Guard;

/// <summary>One guard's numbers for <see cref="GuardMetrics.Format(IReadOnlyList{GuardMetricsSample})"/>.</summary>
/// <param name="Target">The guard.</param>
/// <param name="Statistics">Its counters.</param>
/// <param name="RuleCounts">Installed rules (null: not exported).</param>
/// <param name="BlockedSources">Sources blocked right now (null: not exported).</param>
public sealed record GuardMetricsSample(GuardTarget Target, GuardStatistics Statistics, GuardRuleCounts? RuleCounts = null, int? BlockedSources = null);

/// <summary>The guard's counters in the Prometheus text exposition format (version 0.0.4).</summary>
public static class GuardMetrics
{
    /// <summary>The Content-Type of the output.</summary>
    public const string ContentType = Metrics.MetricsServer.PrometheusContentType;

    /// <summary>One guard's metrics; see <see cref="Format(IReadOnlyList{GuardMetricsSample})"/>.</summary>
    public static string Format(GuardTarget target, GuardStatistics stats, GuardRuleCounts? ruleCounts = null, int? blockedSources = null) =>
        Format([new GuardMetricsSample(target, stats, ruleCounts, blockedSources)]);

    /// <summary>
    /// Metrics of every sample: sluice_guard_packets_total and sluice_guard_bytes_total per reason (labels iface, netns,
    /// reason), sluice_guard_rules per map kind, sluice_guard_blocked_sources; each family once with HELP and TYPE.
    /// </summary>
    public static string Format(IReadOnlyList<GuardMetricsSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var text = new StringBuilder();
        Family(text, "sluice_guard_packets_total", "counter", "Packets judged by the guard, by the reason of their verdict.");
        foreach (var sample in samples)
            foreach (var reason in GuardReasons.All)
                Line(text, "sluice_guard_packets_total", sample.Target, $",reason=\"{GuardReasons.Name(reason)}\"", sample.Statistics[reason].Packets);
        Family(text, "sluice_guard_bytes_total", "counter", "Bytes judged by the guard, by the reason of their verdict.");
        foreach (var sample in samples)
            foreach (var reason in GuardReasons.All)
                Line(text, "sluice_guard_bytes_total", sample.Target, $",reason=\"{GuardReasons.Name(reason)}\"", sample.Statistics[reason].Bytes);
        if (samples.Any(s => s.RuleCounts is not null))
        {
            Family(text, "sluice_guard_rules", "gauge", "Installed rules, by map kind.");
            foreach (var sample in samples.Where(s => s.RuleCounts is not null))
            {
                var counts = sample.RuleCounts!;
                foreach (var (kind, count) in new[] { ("exact4", counts.Exact4), ("exact6", counts.Exact6), ("prefix4", counts.Prefix4),
                    ("prefix6", counts.Prefix6), ("port4", counts.Port4), ("port6", counts.Port6) })
                    Line(text, "sluice_guard_rules", sample.Target, $",kind=\"{kind}\"", (ulong)count);
            }
        }
        if (samples.Any(s => s.BlockedSources is not null))
        {
            Family(text, "sluice_guard_blocked_sources", "gauge", "Sources temporarily blocked after exceeding a rate limit.");
            foreach (var sample in samples.Where(s => s.BlockedSources is not null))
                Line(text, "sluice_guard_blocked_sources", sample.Target, "", (ulong)sample.BlockedSources!.Value);
        }
        return text.ToString();
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Line(StringBuilder text, string name, GuardTarget target, string extraLabels, ulong value) =>
        text.Append(name).Append("{iface=\"").Append(Escape(target.Interface)).Append("\",netns=\"").Append(Escape(target.NamespaceLabel))
            .Append('"').Append(extraLabels).Append("} ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    /// <summary>Escapes a label value (backslash, double quote, newline).</summary>
    public static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
