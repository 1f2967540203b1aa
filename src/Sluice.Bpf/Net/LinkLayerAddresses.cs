using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Sluice.Bpf.Net.Netlink;
using static Sluice.Bpf.Net.Netlink.Rtnl;

namespace Sluice.Bpf;

/// <summary>
/// Link-layer (MAC) addresses from the kernel over route netlink: an interface's own address (RTM_GETLINK) and the
/// neighbour table's entry for an IP address (RTM_GETNEIGH), in any network namespace.
/// </summary>
public static class LinkLayerAddresses
{
    /// <summary>The hardware address of <paramref name="interfaceName"/> in <paramref name="netns"/> (null: here); empty for devices without one.</summary>
    /// <exception cref="BpfAttachException">No such interface (<see cref="AttachFailure.InterfaceNotFound"/>).</exception>
    public static PhysicalAddress OfInterface(string interfaceName, NetworkNamespace? netns = null) =>
        OfInterface(InterfaceResolver.ResolveIn(interfaceName, netns), netns);

    /// <summary>The hardware address of interface <paramref name="interfaceIndex"/> in <paramref name="netns"/> (null: here); empty for devices without one.</summary>
    /// <exception cref="BpfAttachException">No such interface (<see cref="AttachFailure.InterfaceNotFound"/>).</exception>
    public static PhysicalAddress OfInterface(int interfaceIndex, NetworkNamespace? netns = null)
    {
        using var socket = NetlinkSocket.Open(netns);
        var request = new NetlinkMessageWriter(RTM_GETLINK, 0);
        request.WriteHeader(new IfInfoMessage { Index = interfaceIndex });
        List<NetlinkMessage> replies;
        try
        {
            replies = socket.Request(request, "RTM_GETLINK");
        }
        catch (NetlinkException error) when (error.Errno == Interop.Libc.ENODEV)
        {
            replies = [];
        }
        foreach (var reply in replies.Where(r => r.Type == RTM_NEWLINK))
            return new PhysicalAddress(reply.Attributes(Unsafe.SizeOf<IfInfoMessage>()).Find(IFLA_ADDRESS) ?? []);
        throw new BpfAttachException(AttachFailure.InterfaceNotFound, Interop.Libc.ENODEV, $"interface index {interfaceIndex} does not exist");
    }

    /// <summary>
    /// The neighbour table's link-layer address for <paramref name="address"/> on interface
    /// <paramref name="interfaceIndex"/>, or null when there is no usable entry (none, still resolving, or failed).
    /// </summary>
    public static PhysicalAddress? FindNeighbour(int interfaceIndex, IPAddress address, NetworkNamespace? netns = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var socket = NetlinkSocket.Open(netns);
        var request = new NetlinkMessageWriter(RTM_GETNEIGH, 0);
        byte family = (byte)(address.AddressFamily == AddressFamily.InterNetworkV6 ? 10 : 2);
        request.WriteHeader(new NeighbourMessage { Family = family });
        byte[] wanted = address.GetAddressBytes();
        foreach (var reply in socket.Dump(request, "RTM_GETNEIGH"))
        {
            if (reply.Type != RTM_NEWNEIGH) continue;
            var header = reply.ReadHeader<NeighbourMessage>();
            if (header.InterfaceIndex != interfaceIndex || (header.State & (NUD_INCOMPLETE | NUD_FAILED)) != 0) continue;
            var attributes = reply.Attributes(Unsafe.SizeOf<NeighbourMessage>());
            if (attributes.Find(NDA_DST) is { } destination && destination.AsSpan().SequenceEqual(wanted) &&
                attributes.Find(NDA_LLADDR) is { Length: > 0 } mac)
                return new PhysicalAddress(mac);
        }
        return null;
    }
}
