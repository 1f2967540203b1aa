using System.Runtime.CompilerServices;
using Sluice.Bpf.Net.Netlink;
using static Sluice.Bpf.Net.Netlink.Rtnl;

namespace Sluice.Bpf;

/// <summary>Link-layer facts of an interface, read over rtnetlink (RTM_GETLINK).</summary>
public static class InterfaceAddresses
{
    /// <summary>The hardware (MAC) address of <paramref name="interfaceName"/> in <paramref name="netns"/> (null: here); null when it has none.</summary>
    /// <exception cref="BpfAttachException">No such interface (<see cref="AttachFailure.InterfaceNotFound"/>).</exception>
    public static byte[]? Mac(string interfaceName, NetworkNamespace? netns = null)
    {
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        using var socket = NetlinkSocket.Open(netns);
        var request = new NetlinkMessageWriter(RTM_GETLINK, 0);
        request.WriteHeader(new IfInfoMessage { Index = index });
        foreach (var reply in socket.Request(request, "RTM_GETLINK"))
            if (reply.Type == RTM_NEWLINK) return reply.Attributes(Unsafe.SizeOf<IfInfoMessage>()).Find(IFLA_ADDRESS);
        return null;
    }
}
