using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;

namespace Sluice.Lab.Traffic;

/// <summary>What a <see cref="TcpClientLoop"/> does: how many connections, to where, from where, how fast.</summary>
public sealed record TcpClientOptions
{
    /// <summary>Creates options for connections to <paramref name="server"/>.</summary>
    public TcpClientOptions(IPEndPoint server)
    {
        ArgumentNullException.ThrowIfNull(server);
        Server = server;
    }

    /// <summary>The server (e.g. a <see cref="TcpEchoServer"/>).</summary>
    public IPEndPoint Server { get; }

    /// <summary>Bind each connection to this local address first (null: the kernel picks by route).</summary>
    public IPAddress? Local { get; init; }

    /// <summary>Connections to make (default 100).</summary>
    public int Connections { get; init; } = 100;

    /// <summary>Bytes sent on each connection and expected back (default 32).</summary>
    public int PayloadLength { get; init; } = 32;

    /// <summary>Give up on one connection after this long (connect, send, receive; default 3 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Stop starting new connections after this long (default 60 s).</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Start at most this many connections per second; 0 = back to back.</summary>
    public int ConnectionsPerSecond { get; init; }
}

/// <summary>The outcome of a <see cref="TcpClientLoop"/>.</summary>
/// <param name="Attempts">Connections tried.</param>
/// <param name="Successes">Connections that connected, echoed the whole payload back and closed within the timeout.</param>
/// <param name="Elapsed">Wall time of the whole loop.</param>
/// <param name="MedianLatency">Median time of one successful connection (connect to close).</param>
/// <param name="P99Latency">99th percentile of the same.</param>
/// <param name="MaxLatency">The slowest successful connection.</param>
/// <param name="Errors">The distinct failure messages with how often each happened.</param>
public sealed record TcpClientResult(int Attempts, int Successes, TimeSpan Elapsed, TimeSpan MedianLatency, TimeSpan P99Latency,
    TimeSpan MaxLatency, IReadOnlyDictionary<string, int> Errors)
{
    /// <summary>Successes / attempts (1 when nothing was attempted).</summary>
    public double SuccessRate => Attempts == 0 ? 1 : (double)Successes / Attempts;
}

/// <summary>
/// A legitimate TCP client: N connections one after another (connect, send a few bytes, read them back, close),
/// each with a timeout, counting successes and latencies. <see cref="Attempts"/> and <see cref="Successes"/> may be
/// read from any thread while it runs.
/// </summary>
public sealed class TcpClientLoop
{
    private int _attempts;
    private int _successes;

    /// <summary>Prepares the loop; nothing happens until <see cref="Run(CancellationToken)"/> or <see cref="Start"/>.</summary>
    public TcpClientLoop(TcpClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The settings.</summary>
    public TcpClientOptions Options { get; }

    /// <summary>Connections tried so far.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Connections that succeeded so far.</summary>
    public int Successes => Volatile.Read(ref _successes);

    /// <summary>Runs every connection from the calling thread's network namespace.</summary>
    public TcpClientResult Run(CancellationToken cancellationToken = default)
    {
        var options = Options;
        var payload = new byte[options.PayloadLength];
        for (int i = 0; i < payload.Length; i++) payload[i] = (byte)('a' + i % 26);
        var echoed = new byte[payload.Length];
        var latencies = new List<TimeSpan>(options.Connections);
        var errors = new Dictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < options.Connections && clock.Elapsed < options.MaxDuration && !cancellationToken.IsCancellationRequested; i++)
        {
            TrafficThread.Pace(clock, i, options.ConnectionsPerSecond);
            Interlocked.Increment(ref _attempts);
            long start = Stopwatch.GetTimestamp();
            string? error = Connect(options, payload, echoed);
            if (error is null)
            {
                latencies.Add(Stopwatch.GetElapsedTime(start));
                Interlocked.Increment(ref _successes);
            }
            else
            {
                errors[error] = errors.GetValueOrDefault(error) + 1;
            }
        }
        latencies.Sort();
        TimeSpan Percentile(double p) => latencies.Count == 0 ? TimeSpan.Zero : latencies[(int)Math.Min(latencies.Count - 1, p * latencies.Count)];
        return new TcpClientResult(Attempts, Successes, clock.Elapsed, Percentile(0.5), Percentile(0.99),
            latencies.Count == 0 ? TimeSpan.Zero : latencies[^1], errors);
    }

    /// <summary>Runs every connection from inside <paramref name="netns"/> (on a dedicated thread); returns when done.</summary>
    public TcpClientResult Run(NetworkNamespace netns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(netns);
        return netns.Run(() => Run(cancellationToken));
    }

    /// <summary>Starts the loop on a dedicated thread, inside <paramref name="netns"/> when given, and returns at once.</summary>
    public Task<TcpClientResult> Start(NetworkNamespace? netns, CancellationToken cancellationToken = default) =>
        TrafficThread.Start(netns, "tcp client", () => Run(cancellationToken));

    /// <summary>One connection; null on success, else what went wrong.</summary>
    private static string? Connect(TcpClientOptions options, byte[] payload, byte[] echoed)
    {
        using var socket = new Socket(options.Server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // Linux applies SO_SNDTIMEO to a blocking connect() as well, so one timeout bounds every step.
        int timeout = (int)options.Timeout.TotalMilliseconds;
        socket.SendTimeout = timeout;
        socket.ReceiveTimeout = timeout;
        socket.NoDelay = true;
        try
        {
            if (options.Local is { } local) socket.Bind(new IPEndPoint(local, 0));
            socket.Connect(options.Server);
            socket.Send(payload);
            int received = 0;
            while (received < echoed.Length)
            {
                int read = socket.Receive(echoed, received, echoed.Length - received, SocketFlags.None);
                if (read == 0) return "closed by the server before the echo was complete";
                received += read;
            }
            if (!echoed.AsSpan().SequenceEqual(payload)) return "echo differs from what was sent";
            socket.Shutdown(SocketShutdown.Both);
            return null;
        }
        catch (SocketException error)
        {
            return error.SocketErrorCode is SocketError.InProgress or SocketError.WouldBlock or SocketError.TimedOut
                ? $"timed out after {options.Timeout.TotalSeconds:0.#} s"
                : error.SocketErrorCode.ToString();
        }
    }
}
