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
        $"{Interface ?? "namespace"}{(Namespace is null ? "" : $" (netns {Namespace})")}: {Setting} {Value}";
}

/// <summary>
/// What native XDP on a veth needs from the other end (KERNEL-LAB.md): frames redirected to a veth are dropped unless the
/// receiving veth runs NAPI (GRO on, or an XDP program); frames sent back with XDP_TX are only flushed into a peer that
/// runs an XDP program; and packets the peer's stack sends with TX checksum offload carry a partial checksum that
/// becomes a wrong one once XDP turns them around or forwards them.
/// </summary>
internal static class VethPreparation
{
    /// <summary>The pass-through program attached to a peer (bpf/xdp_pass.bpf.c).</summary>
    internal const string PassObject = "xdp_pass.bpf.o";

    /// <summary>
    /// For a veth <paramref name="interfaceName"/> running XDP in native mode: turns GRO on and TX checksum offload off
    /// on its peer and, when <paramref name="peerLinkPath"/> is given (XDP_TX), attaches xdp_pass natively to the peer
    /// through a link pinned there unless the peer already runs a native program. Returns what changed (nothing for
    /// other drivers, for generic mode, or when already so).
    /// </summary>
    internal static IReadOnlyList<SetupChange> Prepare(string interfaceName, NetworkNamespace? netns, XdpMode runningMode, string? peerLinkPath = null)
    {
        var peer = VethPeer.Find(interfaceName, netns);
        if (peer is null || runningMode != XdpMode.Native) return [];
        var changes = new List<SetupChange>();
        using var peerNetns = peer.NamespaceName is null ? null : NetworkNamespace.Open(peer.NamespaceName);
        if (InterfaceOffloads.Set(peer.Interface, InterfaceOffload.Gro, true, peerNetns))
            changes.Add(new SetupChange("gro", "on", peer.Interface, peer.NamespaceName));
        if (InterfaceOffloads.Set(peer.Interface, InterfaceOffload.TxChecksum, false, peerNetns))
            changes.Add(new SetupChange("tx-checksumming", "off", peer.Interface, peer.NamespaceName));
        if (peerLinkPath is not null && PinnedXdp.LinkedProgram(peerLinkPath) == 0 && Xdp.Query(peer.Interface, peerNetns).NativeProgramId is null)
        {
            using var collection = BpfCollection.Load(EmbeddedObjects.Read(PassObject));
            PinnedXdp.AttachLink(collection.Program("xdp_pass"), peer.Interface, peer.Index, XdpMode.Native, peerNetns, peerLinkPath);
            changes.Add(new SetupChange("xdp", "xdp_pass (native)", peer.Interface, peer.NamespaceName));
        }
        return changes;
    }
}
