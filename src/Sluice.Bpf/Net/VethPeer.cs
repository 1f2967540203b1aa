using System.Runtime.CompilerServices;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Net.Netlink;
using static Sluice.Bpf.Net.Netlink.Rtnl;

namespace Sluice.Bpf;

/// <summary>
/// The other end of a veth pair: its name and index, and the namespace it lives in, as an `ip netns` name
/// (<see cref="NamespaceName"/>) or null when that is the namespace of the process asking.
/// </summary>
/// <param name="Interface">The peer's interface name.</param>
/// <param name="Index">The peer's interface index (in its own namespace).</param>
/// <param name="NamespaceName">The `ip netns` name of the peer's namespace; null for the caller's own namespace.</param>
public sealed record VethPeer(string Interface, int Index, string? NamespaceName)
{
    /// <summary>
    /// The peer of veth <paramref name="interfaceName"/> in <paramref name="netns"/> (null: here). Null when the
    /// interface is not a veth, or when its peer lives in a namespace that is neither the caller's nor named in
    /// /var/run/netns (nothing could reach it by name).
    /// </summary>
    /// <exception cref="BpfAttachException">No such interface (<see cref="AttachFailure.InterfaceNotFound"/>).</exception>
    public static VethPeer? Find(string interfaceName, NetworkNamespace? netns = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        using var socket = NetlinkSocket.Open(netns);
        var link = GetLink(socket, index);
        if (link is null || link.GetNested(IFLA_LINKINFO)?.GetString(IFLA_INFO_KIND) != "veth") return null;
        if (link.GetUInt32(IFLA_LINK) is not { } peerIndex || peerIndex == 0) return null;
        if (link.GetUInt32(IFLA_LINK_NETNSID) is not { } nsid)
        {
            // Same namespace as the veth itself.
            using var peerSocket = NetlinkSocket.Open(netns);
            return Named(GetLink(peerSocket, (int)peerIndex), (int)peerIndex, netns?.Name);
        }
        foreach (var (name, path) in Candidates())
        {
            if (QueryNsid(socket, path) != (int)nsid) continue;
            using var peerNetns = NetworkNamespace.OpenPath(path);
            using var peerSocket = NetlinkSocket.Open(peerNetns);
            return Named(GetLink(peerSocket, (int)peerIndex), (int)peerIndex, name);
        }
        return null;
    }

    private static VethPeer? Named(NetlinkAttributes? link, int index, string? namespaceName) =>
        link?.GetString(IFLA_IFNAME) is { } name ? new VethPeer(name, index, namespaceName) : null;

    /// <summary>The caller's own namespace first (name null), then every named one.</summary>
    private static IEnumerable<(string? Name, string Path)> Candidates()
    {
        yield return (null, "/proc/self/ns/net");
        if (!Directory.Exists(NetworkNamespace.NamedDirectory)) yield break;
        foreach (var path in Directory.GetFiles(NetworkNamespace.NamedDirectory).Order(StringComparer.Ordinal))
            yield return (Path.GetFileName(path), path);
    }

    private static NetlinkAttributes? GetLink(NetlinkSocket socket, int index)
    {
        var request = new NetlinkMessageWriter(RTM_GETLINK, 0);
        request.WriteHeader(new IfInfoMessage { Index = index });
        foreach (var reply in socket.Request(request, "RTM_GETLINK"))
            if (reply.Type == RTM_NEWLINK) return reply.Attributes(Unsafe.SizeOf<IfInfoMessage>());
        return null;
    }

    /// <summary>The id the socket's namespace gives the namespace at <paramref name="path"/> (-1: none yet).</summary>
    private static int? QueryNsid(NetlinkSocket socket, string path)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0) return null;
        try
        {
            var request = new NetlinkMessageWriter(RTM_GETNSID, 0);
            request.WriteHeader(new RtGenMessage());
            request.AddUInt32(NETNSA_FD, (uint)fd);
            foreach (var reply in socket.Request(request, "RTM_GETNSID"))
                if (reply.Type == RTM_NEWNSID && reply.Attributes(Unsafe.SizeOf<RtGenMessage>()).GetUInt32(NETNSA_NSID) is { } id)
                    return (int)id;
            return null;
        }
        catch (NetlinkException)
        {
            return null;
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
