using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;

namespace Sluice.Lab.Traffic;

/// <summary>
/// One TCP connection opened from inside a namespace and held open until disposed, sending nothing: what an idle SSH
/// session looks like in /proc/net/tcp (ESTABLISHED on both ends). Serve it with a <see cref="TcpEchoServer"/> or any
/// listener.
/// </summary>
public sealed class HeldTcpConnection : IDisposable
{
    private readonly Socket _socket;

    private HeldTcpConnection(Socket socket)
    {
        _socket = socket;
        Local = (IPEndPoint)socket.LocalEndPoint!;
        Remote = (IPEndPoint)socket.RemoteEndPoint!;
    }

    /// <summary>The client's address and port.</summary>
    public IPEndPoint Local { get; }

    /// <summary>The server's address and port.</summary>
    public IPEndPoint Remote { get; }

    /// <summary>Connects to <paramref name="server"/> from inside <paramref name="netns"/> (null: here); returns once established.</summary>
    /// <exception cref="SocketException">The connection was refused or timed out.</exception>
    public static HeldTcpConnection Open(IPEndPoint server, NetworkNamespace? netns = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new HeldTcpConnection(TrafficThread.OpenSocket(netns, server.AddressFamily, SocketType.Stream, socket => socket.Connect(server)));
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose() => _socket.Dispose();
}
