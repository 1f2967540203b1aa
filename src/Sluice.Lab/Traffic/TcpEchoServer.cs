using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;

namespace Sluice.Lab.Traffic;

/// <summary>
/// A tiny TCP echo server: every byte a client sends comes back, until the client closes. The listening socket is
/// opened inside a network namespace (and stays there); connections are served on the thread pool.
/// </summary>
public sealed class TcpEchoServer : IDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private long _connections;
    private long _bytes;

    private TcpEchoServer(Socket listener)
    {
        _listener = listener;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Listens on <paramref name="endpoint"/> (port 0 picks one) inside <paramref name="netns"/> when given.</summary>
    /// <exception cref="SocketException">The address is not local there, or the port is taken.</exception>
    public static TcpEchoServer Start(IPEndPoint endpoint, NetworkNamespace? netns = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new TcpEchoServer(TrafficThread.OpenSocket(netns, endpoint.AddressFamily, SocketType.Stream, socket =>
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint);
            socket.Listen(1024);
        }));
    }

    /// <summary>The address and port the server listens on.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections accepted so far.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Bytes echoed so far.</summary>
    public long BytesEchoed => Interlocked.Read(ref _bytes);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _ = EchoAsync(connection);
        }
    }

    private async Task EchoAsync(Socket connection)
    {
        using (connection)
        {
            var buffer = new byte[4096];
            try
            {
                int read;
                while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false)) > 0)
                {
                    await connection.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                    Interlocked.Add(ref _bytes, read);
                }
            }
            catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // A reset client or a stopping server: nothing to echo any more.
            }
        }
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _listener.Dispose();
        // Connections still being served see the cancellation and close themselves; the token source is left to the
        // collector because they may still read its token.
        _ = _acceptLoop.ContinueWith(static _ => { }, TaskScheduler.Default);
    }
}
