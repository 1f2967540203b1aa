using System.Globalization;
using System.Text;
using Sluice.Programs.Guard;

namespace Sluice.Programs.TcApps;

/// <summary>One sample: a metric family, its help and type, the instance and extra labels ("class=\"high\"").</summary>
/// <param name="Name">e.g. sluice_qos_packets_total.</param>
/// <param name="Help">The family's HELP text.</param>
/// <param name="Type">counter or gauge.</param>
/// <param name="Target">The instance (labels iface and netns).</param>
/// <param name="Labels">Extra labels as name/value pairs.</param>
/// <param name="Value">The value.</param>
public sealed record TcAppSample(string Name, string Help, string Type, TcAppTarget Target, IReadOnlyList<(string Name, string Value)> Labels, ulong Value);

/// <summary>Samples in the Prometheus text exposition format (0.0.4), each family once with HELP and TYPE, like the guard's.</summary>
public static class TcAppMetrics
{
    /// <summary>The Content-Type of the output.</summary>
    public const string ContentType = GuardMetrics.ContentType;

    /// <summary>Formats the samples, grouped by family in first-seen order.</summary>
    public static string Format(IEnumerable<TcAppSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var text = new StringBuilder();
        foreach (var family in samples.GroupBy(s => s.Name))
        {
            var first = family.First();
            text.Append("# HELP ").Append(first.Name).Append(' ').Append(first.Help).Append('\n')
                .Append("# TYPE ").Append(first.Name).Append(' ').Append(first.Type).Append('\n');
            foreach (var sample in family)
            {
                text.Append(sample.Name).Append("{iface=\"").Append(GuardMetrics.Escape(sample.Target.Interface))
                    .Append("\",netns=\"").Append(GuardMetrics.Escape(sample.Target.NamespaceLabel)).Append('"');
                foreach (var (name, value) in sample.Labels) text.Append(',').Append(name).Append("=\"").Append(GuardMetrics.Escape(value)).Append('"');
                text.Append("} ").Append(sample.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        return text.ToString();
    }
}
