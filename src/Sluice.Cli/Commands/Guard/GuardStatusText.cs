using System.Text.Json;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>How a <see cref="GuardStatus"/> is printed (kept apart: it follows the controller's status record).</summary>
internal static class GuardStatusText
{
    internal static IEnumerable<(string Name, string Value)> Lines(GuardStatus status)
    {
        yield return ("guard", GuardNames.Describe(status.Target));
        yield return ("pins", status.Target.PinDirectory);
        yield return ("xdp", $"mode {status.XdpMode.ToString().ToLowerInvariant()}, prog {status.XdpProgramId}, link {status.XdpLinkId}");
        yield return ("tc", status.TcProgramId is { } tc ? $"ingress, prog {tc}, link {status.TcLinkId}" : "off");
        yield return ("rules", $"{status.Rules4} IPv4, {status.Rules6} IPv6");
        yield return ("generation", status.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    internal static string Programs(GuardStatus status) =>
        $"xdp prog {status.XdpProgramId}" + (status.TcProgramId is { } tc ? $", tc prog {tc}" : "");

    internal static void WriteJsonFields(Utf8JsonWriter writer, GuardStatus status)
    {
        writer.WriteString("interface", status.Target.Interface);
        writer.WriteString("netns", status.Target.NamespaceLabel);
        writer.WriteString("pin_directory", status.Target.PinDirectory);
        writer.WriteString("xdp_mode", status.XdpMode.ToString().ToLowerInvariant());
        writer.WriteNumber("xdp_prog_id", status.XdpProgramId);
        writer.WriteNumber("xdp_link_id", status.XdpLinkId);
        writer.WriteBoolean("tc", status.TcProgramId is not null);
        if (status.TcProgramId is { } tc) writer.WriteNumber("tc_prog_id", tc); else writer.WriteNull("tc_prog_id");
        if (status.TcLinkId is { } link) writer.WriteNumber("tc_link_id", link); else writer.WriteNull("tc_link_id");
        writer.WriteNumber("rules_ipv4", status.Rules4);
        writer.WriteNumber("rules_ipv6", status.Rules6);
        writer.WriteNumber("generation", status.Generation);
    }

    /// <summary>One line for attach: "xdp native (prog 12), tc ingress (prog 13)".</summary>
    internal static string Attachment(GuardStatus status) =>
        $"xdp {status.XdpMode.ToString().ToLowerInvariant()} (prog {status.XdpProgramId})" +
        (status.TcProgramId is { } tc ? $", tc ingress (prog {tc})" : ", no tc stage");
}
