using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;

namespace Sluice.Lab.Traffic;

/// <summary>
/// A paced stream of UDP datagrams from a real (bound, not spoofed) local address, each carrying its sequence number
/// in the first 8 bytes. Bounded by count and duration; <see cref="Sent"/> may be read from any thread.
/// </summary>
public sealed class UdpStream
{
    private long _sent;

    /// <summary>Prepares a stream from <paramref name="local"/> (port 0 picks one) to <paramref name="target"/>.</summary>
    /// <exception cref="ArgumentException">An address outside the test ranges, or a rate that is not positive.</exception>
    public UdpStream(IPEndPoint local, IPEndPoint target, int packetsPerSecond)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(target);
        TestAddresses.Require(target.Address, nameof(target));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(packetsPerSecond);
        Local = local;
        Target = target;
        PacketsPerSecond = packetsPerSecond;
    }

    /// <summary>The sending address.</summary>
    public IPEndPoint Local { get; }

    /// <summary>The destination.</summary>
    public IPEndPoint Target { get; }

    /// <summary>The pace.</summary>
    public int PacketsPerSecond { get; }

    /// <summary>Stop after this many datagrams (default 100,000).</summary>
    public long MaxPackets { get; init; } = 100_000;

    /// <summary>Stop after this long (default 10 s).</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Datagrams sent so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Sends from the calling thread's namespace until a limit or cancellation; returns the datagrams sent.</summary>
    public long Run(CancellationToken cancellationToken = default)
    {
        using var socket = new Socket(Target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(Local);
        var payload = new byte[16];
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < MaxPackets && clock.Elapsed < MaxDuration && !cancellationToken.IsCancellationRequested; i++)
        {
            TrafficThread.Pace(clock, i, PacketsPerSecond);
            BinaryPrimitives.WriteInt64BigEndian(payload, i);
            try
            {
                socket.SendTo(payload, Target);
                Interlocked.Increment(ref _sent);
            }
            catch (SocketException error) when (error.SocketErrorCode is SocketError.NoBufferSpaceAvailable or SocketError.WouldBlock)
            {
                Thread.Sleep(1);
            }
        }
        return Sent;
    }

    /// <summary>Starts the stream on a dedicated thread, inside <paramref name="netns"/> when given.</summary>
    public Task<long> Start(NetworkNamespace? netns, CancellationToken cancellationToken = default) =>
        TrafficThread.Start(netns, "udp stream", () => Run(cancellationToken));
}

/// <summary>
/// A UDP receiver that counts datagrams per source and remembers when the last one arrived (a
/// <see cref="Stopwatch"/> timestamp, comparable with <see cref="Stopwatch.GetTimestamp"/> anywhere in the process).
/// </summary>
public sealed class UdpSink : IDisposable
{
    private readonly Socket _socket;
    private readonly Thread _thread;
    private readonly Dictionary<IPAddress, long> _bySource = [];
    private readonly Lock _lock = new();
    private long _received;
    private long _lastArrival;
    private volatile bool _stopping;

    private UdpSink(Socket socket)
    {
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = "udp sink" };
        _thread.Start();
    }

    /// <summary>Binds <paramref name="endpoint"/> inside <paramref name="netns"/> when given and starts receiving.</summary>
    public static UdpSink Start(IPEndPoint endpoint, NetworkNamespace? netns = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new UdpSink(TrafficThread.OpenSocket(netns, endpoint.AddressFamily, SocketType.Dgram, socket =>
        {
            socket.ReceiveBufferSize = 4 << 20;
            socket.Bind(endpoint);
        }));
    }

    /// <summary>The bound address and port.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Datagrams received so far.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>The <see cref="Stopwatch"/> timestamp of the latest datagram; 0 before the first.</summary>
    public long LastArrival => Interlocked.Read(ref _lastArrival);

    /// <summary>Datagrams received so far from <paramref name="source"/>.</summary>
    public long ReceivedFrom(IPAddress source)
    {
        lock (_lock) return _bySource.GetValueOrDefault(source);
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!_stopping)
        {
            try
            {
                _socket.ReceiveFrom(buffer, ref from);
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Exchange(ref _lastArrival, Stopwatch.GetTimestamp());
            var address = ((IPEndPoint)from).Address;
            lock (_lock) _bySource[address] = _bySource.GetValueOrDefault(address) + 1;
            Interlocked.Increment(ref _received);
        }
    }

    /// <summary>Stops receiving and closes the socket.</summary>
    public void Dispose()
    {
        _stopping = true;
        // shutdown() wakes a recvfrom() blocked in another thread; close() alone would not.
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { }
        _socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
    }
}
