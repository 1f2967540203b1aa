using Sluice.Bpf;

namespace Sluice.Programs.XdpApps;

/// <summary>One setting an XDP application changed outside its own programs so that its frames get through.</summary>
/// <param name="Setting">What: "gro", "tx-checksumming" (ethtool's names) or a sysctl such as "net.ipv4.ip_forward".</param>
/// <param name="Value">The new value: "on", "off", or the sysctl's value.</param>
/// <param name="Interface">The interface changed, or null for a namespace-wide setting.</param>
/// <param name="Namespace">The `ip netns` name where it was changed, or null for the caller's namespace.</param>
public sealed record SetupChange(string Setting, string Value, string? Interface, string? Namespace)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Setting} {Value}{(Interface is null ? "" : $" on {Interface}")}{(Namespace is null ? "" : $" (netns {Namespace})")}";
}

/// <summary>
/// What native XDP on a veth needs from the other end (KERNEL-LAB.md): frames sent to a veth by XDP_TX or a redirect
/// are dropped unless the receiving veth runs NAPI (an XDP program, or GRO on), and packets its stack sends with TX
/// checksum offload carry a partial checksum that becomes a wrong one once XDP turns them around or forwards them.
/// </summary>
internal static class VethPreparation
{
    /// <summary>
    /// For a veth <paramref name="interfaceName"/> running XDP in native mode: turns GRO on and TX checksum offload off
    /// on its peer. Returns what changed (nothing for other drivers, for generic mode, or when already so), and the peer
    /// (null when not a veth or out of reach).
    /// </summary>
    internal static (IReadOnlyList<SetupChange> Changes, VethPeer? Peer) Prepare(string interfaceName, NetworkNamespace? netns, XdpMode runningMode)
    {
        var peer = VethPeer.Find(interfaceName, netns);
        if (peer is null || runningMode != XdpMode.Native) return ([], peer);
        var changes = new List<SetupChange>();
        using var peerNetns = peer.NamespaceName is null ? null : NetworkNamespace.Open(peer.NamespaceName);
        if (InterfaceOffloads.Set(peer.Interface, InterfaceOffload.Gro, true, peerNetns))
            changes.Add(new SetupChange("gro", "on", peer.Interface, peer.NamespaceName));
        if (InterfaceOffloads.Set(peer.Interface, InterfaceOffload.TxChecksum, false, peerNetns))
            changes.Add(new SetupChange("tx-checksumming", "off", peer.Interface, peer.NamespaceName));
        return (changes, peer);
    }
}
