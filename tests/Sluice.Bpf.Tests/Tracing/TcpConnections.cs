using System.Net;
using System.Net.Sockets;
using Sluice.Bpf.Tests.Links;
using Sluice.Tests;

namespace Sluice.Bpf.Tests.Tracing;

/// <summary>Makes TCP connections from the sender namespace of a <see cref="TestBed"/> to a listener in the receiver's.</summary>
internal static class TcpConnections
{
    /// <summary>
    /// Connects <paramref name="count"/> times from one thread in the sender namespace, after <paramref name="before"/>
    /// has been given that thread's kernel id (so programs can count exactly this thread's connects).
    /// </summary>
    internal static void Make(TestBed bed, int count, Action<uint> before)
    {
        int port = 20000 + Environment.ProcessId % 20000;
        using var listener = bed.Receiver.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), port));
            socket.Listen(count + 8);
            return socket;
        });
        bed.Sender.Run(() =>
        {
            before(ThreadId.Current);
            for (int i = 0; i < count; i++)
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                client.Connect(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), port));
            }
        });
    }
}
