using System.Globalization;
using System.Text.Json;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>How a <see cref="GuardStatus"/> is printed (kept apart: it follows the controller's status record).</summary>
internal static class GuardStatusText
{
    internal static IEnumerable<(string Name, string Value)> Lines(GuardStatus status)
    {
        var c = status.RuleCounts;
        yield return ("guard", status.Target.Describe());
        yield return ("pins", status.Target.PinDirectory);
        yield return ("xdp", status.XdpProgramId == 0 ? "not attached" : $"mode {Mode(status.XdpMode)}, prog {status.XdpProgramId}, link {Id(status.XdpLinkId)}");
        yield return ("tc", status.TcProgramId == 0 ? "off" : $"ingress ({status.TcMethod}), prog {status.TcProgramId}, link {Id(status.TcLinkId)}");
        yield return ("rules", $"{c.Total} ({c.Exact4} exact4, {c.Prefix4} prefix4, {c.Port4} port4, {c.Exact6} exact6, {c.Prefix6} prefix6, {c.Port6} port6)");
        yield return ("config", $"generation {status.Generation}, slot {status.ActiveSlot}, flags {Flags(status.Flags)}");
    }

    internal static string Programs(GuardStatus status) =>
        $"xdp prog {status.XdpProgramId}" + (status.TcProgramId == 0 ? "" : $", tc prog {status.TcProgramId}");

    internal static void WriteJsonFields(Utf8JsonWriter writer, GuardStatus status)
    {
        var c = status.RuleCounts;
        writer.WriteString("interface", status.Target.Interface);
        writer.WriteString("netns", status.Target.NamespaceLabel);
        writer.WriteString("pin_directory", status.Target.PinDirectory);
        if (status.XdpMode is null) writer.WriteNull("xdp_mode"); else writer.WriteString("xdp_mode", Mode(status.XdpMode));
        writer.WriteNumber("xdp_prog_id", status.XdpProgramId);
        writer.WriteNumber("xdp_link_id", status.XdpLinkId);
        writer.WriteBoolean("tc", status.TcProgramId != 0);
        writer.WriteStringOrNull("tc_method", status.TcMethod);
        writer.WriteNumber("tc_prog_id", status.TcProgramId);
        writer.WriteNumber("tc_link_id", status.TcLinkId);
        writer.WriteStartObject("rules");
        writer.WriteNumber("total", c.Total);
        writer.WriteNumber("exact4", c.Exact4);
        writer.WriteNumber("prefix4", c.Prefix4);
        writer.WriteNumber("port4", c.Port4);
        writer.WriteNumber("exact6", c.Exact6);
        writer.WriteNumber("prefix6", c.Prefix6);
        writer.WriteNumber("port6", c.Port6);
        writer.WriteEndObject();
        writer.WriteNumber("generation", status.Generation);
        writer.WriteNumber("active_slot", status.ActiveSlot);
        writer.WriteStartArray("flags");
        foreach (string flag in FlagNames(status.Flags)) writer.WriteStringValue(flag);
        writer.WriteEndArray();
    }

    /// <summary>One line for attach: "xdp native (prog 12), tc ingress tcx (prog 13)".</summary>
    internal static string Attachment(GuardStatus status) =>
        $"xdp {Mode(status.XdpMode)} (prog {status.XdpProgramId})" +
        (status.TcProgramId == 0 ? ", no tc stage" : $", tc ingress {status.TcMethod} (prog {status.TcProgramId})");

    private static string Mode(XdpMode? mode) => mode switch
    {
        null => "none",
        XdpMode.BestAvailable => "best",
        _ => mode.Value.ToString().ToLowerInvariant(),
    };

    private static string Id(uint id) => id == 0 ? "-" : id.ToString(CultureInfo.InvariantCulture);

    private static readonly (GuardConfigFlags Flag, string Name)[] FlagTable =
    [
        (GuardConfigFlags.PortRulesV4, "port_rules_v4"),
        (GuardConfigFlags.PortRulesV6, "port_rules_v6"),
        (GuardConfigFlags.SynCookies, "syncookies"),
        (GuardConfigFlags.Metadata, "metadata"),
        (GuardConfigFlags.TrackSources, "track_sources"),
    ];

    internal static IEnumerable<string> FlagNames(GuardConfigFlags flags) => FlagTable.Where(f => (flags & f.Flag) != 0).Select(f => f.Name);

    private static string Flags(GuardConfigFlags flags) => flags == GuardConfigFlags.None ? "none" : string.Join(',', FlagNames(flags));
}
