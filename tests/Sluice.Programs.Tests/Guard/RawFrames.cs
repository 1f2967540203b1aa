using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;

namespace Sluice.Programs.Tests.Guard;

/// <summary>
/// Sends whole Ethernet frames (any source address, VLAN tags and all) out of an interface through an AF_PACKET
/// socket, which the kernel hands to the device as they are: how the tests play an attacker on the wire.
/// </summary>
internal static class RawFrames
{
    /// <summary>Sends <paramref name="frames"/> out of <paramref name="device"/> in <paramref name="netns"/>.</summary>
    internal static void Send(NetworkNamespace netns, string device, IEnumerable<byte[]> frames)
    {
        int index = netns.GetInterfaceIndex(device);
        using var socket = netns.Run(() => new Socket(AddressFamily.Packet, SocketType.Raw, ProtocolType.Raw));
        socket.Bind(new LinkLayerEndPoint(index));
        foreach (var frame in frames) socket.Send(frame);
    }

    /// <summary>struct sockaddr_ll naming an interface (protocol ETH_P_ALL), for binding an AF_PACKET socket.</summary>
    private sealed class LinkLayerEndPoint(int interfaceIndex) : EndPoint
    {
        public override AddressFamily AddressFamily => AddressFamily.Packet;

        public override SocketAddress Serialize()
        {
            var address = new SocketAddress(AddressFamily.Packet, 20);
            address[3] = 3; // sll_protocol: htons(ETH_P_ALL)
            BinaryPrimitives.WriteInt32LittleEndian(address.Buffer.Span[4..], interfaceIndex);
            return address;
        }

        public override EndPoint Create(SocketAddress socketAddress) => this;
    }
}
