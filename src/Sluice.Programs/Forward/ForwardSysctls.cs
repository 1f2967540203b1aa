using Sluice.Programs.XdpApps;

namespace Sluice.Programs.Forward;

/// <summary>
/// The router needs forwarding on in its namespace: bpf_fib_lookup answers "forwarding disabled" otherwise, and the
/// stack, which takes every frame the router passes (ICMP, unresolved neighbours), would not forward either.
/// </summary>
internal static class ForwardSysctls
{
    private static readonly (string Name, string Path)[] Settings =
    [
        ("net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward"),
        ("net.ipv6.conf.all.forwarding", "/proc/sys/net/ipv6/conf/all/forwarding"),
    ];

    /// <summary>Turns both on in <paramref name="place"/>'s namespace; returns what changed.</summary>
    internal static IReadOnlyList<SetupChange> EnableForwarding(XdpAppPlace place)
    {
        using var netns = place.OpenNamespace();
        // /proc/sys/net shows the namespace of the thread that opens the file.
        Func<List<SetupChange>> enable = () =>
        {
            var changes = new List<SetupChange>();
            foreach (var (name, path) in Settings)
            {
                if (!File.Exists(path) || File.ReadAllText(path).Trim() == "1") continue;
                File.WriteAllText(path, "1");
                changes.Add(new SetupChange(name, "1", null, place.Namespace));
            }
            return changes;
        };
        return netns is null ? enable() : netns.Run(enable);
    }
}
