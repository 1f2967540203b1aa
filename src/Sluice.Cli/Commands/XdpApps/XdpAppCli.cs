using System.Globalization;
using System.Text.Json;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.XdpApps;

namespace Sluice.Cli.Commands.XdpApps;

/// <summary>What the echo and forward verbs share: --netns checking, setup-change output.</summary>
internal static class XdpAppCli
{
    /// <summary>The place (pin root + namespace) for --netns; the namespace must exist in /var/run/netns.</summary>
    internal static XdpAppPlace Place(string root, string? netns, bool mustExist = true)
    {
        if (netns is not null)
        {
            if (netns.Length == 0 || netns.Contains('/', StringComparison.Ordinal) || netns is "." or "..")
                throw new CliError($"--netns takes a namespace name from /var/run/netns, not '{netns}'");
            if (mustExist && !File.Exists(Path.Combine("/var/run/netns", netns)))
                throw new CliError($"network namespace '{netns}' not found (no /var/run/netns/{netns})");
        }
        return new XdpAppPlace(root, netns);
    }

    /// <summary>"note: ..." lines for what an attach changed outside its programs.</summary>
    internal static void WriteChanges(IReadOnlyList<SetupChange> changes)
    {
        foreach (var change in changes) Console.WriteLine($"  set up for XDP: {change}");
    }

    internal static void WriteChanges(Utf8JsonWriter writer, IReadOnlyList<SetupChange> changes)
    {
        writer.WriteStartArray("setup");
        foreach (var change in changes)
        {
            writer.WriteStartObject();
            writer.WriteString("setting", change.Setting);
            writer.WriteString("value", change.Value);
            writer.WriteStringOrNull("interface", change.Interface);
            writer.WriteStringOrNull("netns", change.Namespace);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>A port number 1..65535.</summary>
    internal static ushort ParsePort(string text) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0
            ? port : throw new CliError($"'{text}' is not a UDP port (1-65535)");

    internal static string ModeName(Sluice.Bpf.XdpMode? mode) => mode switch
    {
        Sluice.Bpf.XdpMode.Native => "native",
        Sluice.Bpf.XdpMode.Generic => "generic",
        Sluice.Bpf.XdpMode.Offload => "offload",
        null => "defunct",
        _ => "best",
    };
}
