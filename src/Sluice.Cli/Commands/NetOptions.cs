using System.CommandLine;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary>
/// Options shared by `net attach` and `net detach`. Choice-like values are parsed here rather than with
/// AcceptOnlyFromAmong, so a bad value is one error line (exit 1) like every other failure, not a parse error plus help.
/// </summary>
internal static class NetOptions
{
    internal static Argument<string> Device() => new("DEV") { Description = "Interface name" };

    internal static Option<string?> Netns() => new("--netns") { Description = "Network namespace name (/var/run/netns/NAME) or path" };

    internal static Option<string> Program() => new("--prog") { Description = "Program: pinned path or id", Required = true };

    internal static Option<string?> PinLink() => new("--pin-link") { Description = "Attach through a bpf_link and pin it at this bpffs path" };

    internal static Option<string> Direction() => new("--direction") { Description = "ingress or egress", Required = true };

    internal static Option<bool> AttachJson() => new("--json") { Description = "Print what was attached as JSON" };

    internal static Option<string?> XdpMode(string description) => new("--mode") { Description = description };

    internal static TcDirection ParseDirection(string text) => text.ToLowerInvariant() switch
    {
        "ingress" => TcDirection.Ingress,
        "egress" => TcDirection.Egress,
        _ => throw new CliError($"unknown direction '{text}'; use ingress or egress"),
    };

    internal static XdpMode ParseXdpMode(string? text) => text?.ToLowerInvariant() switch
    {
        null or "best" => Bpf.XdpMode.BestAvailable,
        "native" or "drv" or "driver" => Bpf.XdpMode.Native,
        "generic" or "skb" => Bpf.XdpMode.Generic,
        "offload" or "hw" => Bpf.XdpMode.Offload,
        _ => throw new CliError($"unknown XDP mode '{text}'; use best, native, generic or offload"),
    };

    /// <summary>A bpffs path that is free, so a failed pin cannot leave the attachment half made (checked before attaching).</summary>
    internal static string CheckPinPath(string path)
    {
        if (File.Exists(path) || Directory.Exists(path)) throw new CliError($"{path} already exists; choose another --pin-link path or unpin it first");
        string? parent = Path.GetDirectoryName(Path.GetFullPath(path));
        if (parent is null || !Directory.Exists(parent)) throw new CliError($"cannot pin at {path}: directory {parent} does not exist");
        return path;
    }
}
