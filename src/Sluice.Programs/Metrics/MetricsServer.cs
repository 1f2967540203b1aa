using System.Net;
using System.Net.Sockets;

namespace Sluice.Programs.Metrics;

/// <summary>
/// A small HTTP/1.1 server for Prometheus scrapes: GET (or HEAD) on <see cref="MetricsServerOptions.Path"/> gets the text
/// the provider returns, other paths 404, other methods 405, an unreadable request 400. Application-neutral: the guard
/// and the TC applications each supply their own text (usually <see cref="MetricsRefresher.Current"/>, so a scrape never
/// reads maps itself).
/// </summary>
/// <remarks>
/// Every connection is served on its own asynchronous task with its own deadline, so an idle or slow client holds
/// nothing but its socket and never delays another scrape; connections beyond <see cref="MetricsServerOptions.MaxConnections"/>
/// are closed at once. Any failure of one request (a provider exception, a reset, a timeout) is answered or dropped,
/// logged as one line, and the server keeps serving. Each response closes its connection (Connection: close).
/// </remarks>
public sealed class MetricsServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<string> _metrics;
    private readonly MetricsServerOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private int _connections;
    private int _disposed;

    /// <summary>The Content-Type of the Prometheus text exposition format (0.0.4).</summary>
    public const string PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

    private MetricsServer(TcpListener listener, Func<string> metrics, MetricsServerOptions options)
    {
        _listener = listener;
        _metrics = metrics;
        _options = options;
        LocalEndpoint = (IPEndPoint)listener.LocalEndpoint;
        Completion = Task.Run(AcceptLoop);
    }

    /// <summary>The address and port listened on (the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndpoint { get; }

    /// <summary>Completes when the server has stopped accepting (after <see cref="Dispose"/>).</summary>
    public Task Completion { get; }

    /// <summary>Connections being served right now.</summary>
    public int ActiveConnections => Volatile.Read(ref _connections);

    /// <summary>
    /// Listens on <paramref name="endpoint"/> and serves <paramref name="metrics"/> until disposed. The provider is called
    /// once per scrape, concurrently from several connections: it should be cheap and thread-safe (a cached text).
    /// </summary>
    /// <exception cref="SocketException">The address cannot be bound (in use, not local, no permission).</exception>
    public static MetricsServer Start(IPEndPoint endpoint, Func<string> metrics, MetricsServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(metrics);
        options ??= new MetricsServerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnections, 1, nameof(options));
        var listener = new TcpListener(endpoint);
        try
        {
            listener.Start(backlog: 128);
            return new MetricsServer(listener, metrics, options);
        }
        catch
        {
            listener.Stop();
            throw;
        }
    }

    /// <summary>
    /// True when <paramref name="address"/> listens on every interface (0.0.0.0 or ::): the counters are then readable
    /// from other hosts, which callers should warn about. Loopback and specific addresses are not wildcards.
    /// </summary>
    public static bool IsWildcard(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
    }

    private async Task AcceptLoop()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(token).ConfigureAwait(false);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException error)
            {
                // EMFILE and the like: say so, give the system a moment, keep listening.
                Log($"accepting a connection failed: {error.Message}");
                await Pause(token).ConfigureAwait(false);
                continue;
            }
            if (Interlocked.Increment(ref _connections) > _options.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                Log($"more than {_options.MaxConnections} connections at once: closed one from {client.RemoteEndPoint}");
                client.Dispose();
                continue;
            }
            // Not awaited, and off the accept loop: each connection runs on its own, so a client that never sends its
            // request (or a slow provider) holds up nobody.
            _ = Task.Run(() => ServeConnection(client, token), CancellationToken.None);
        }
    }

    private static async Task Pause(CancellationToken token)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task ServeConnection(Socket client, CancellationToken stopping)
    {
        try
        {
            using (client)
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                deadline.CancelAfter(_options.RequestTimeout);
                var request = await MetricsHttp.ReadRequest(client, deadline.Token).ConfigureAwait(false);
                var response = Respond(request);
                await MetricsHttp.Send(client, response, request?.Method == "HEAD", deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The server stops: in-flight connections are cut.
        }
        catch (OperationCanceledException)
        {
            Log($"a client sent no complete request within {_options.RequestTimeout.TotalSeconds:0.###} s: closed");
        }
        catch (Exception error) when (error is SocketException or IOException or ObjectDisposedException)
        {
            // A client that resets or goes away costs its own connection only.
        }
        catch (Exception error)
        {
            // Whatever else goes wrong with one request must not end the server.
            Log($"serving a scrape failed: {error.GetType().Name}: {error.Message}");
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    private MetricsHttp.Response Respond(MetricsHttp.Request? request)
    {
        if (request is null) return MetricsHttp.Response.Text(400, "Bad Request", "bad request\n");
        if (request.Method is not ("GET" or "HEAD"))
            return MetricsHttp.Response.Text(405, "Method Not Allowed", "only GET and HEAD\n") with { Allow = "GET, HEAD" };
        if (request.Path != _options.Path)
            return MetricsHttp.Response.Text(404, "Not Found", $"not found; metrics are at {_options.Path}\n");
        try
        {
            return new MetricsHttp.Response(200, "OK", _options.ContentType, _metrics());
        }
        catch (MetricsUnavailableException error)
        {
            // Already logged where it happened (the refresher); the scrape fails so Prometheus marks the target down.
            return MetricsHttp.Response.Text(503, "Service Unavailable", $"metrics unavailable: {error.Message}\n");
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            Log($"the metrics provider failed: {error.GetType().Name}: {error.Message}");
            return MetricsHttp.Response.Text(500, "Internal Server Error", $"metrics unavailable: {error.Message}\n");
        }
    }

    private void Log(string line)
    {
        try
        {
            _options.Log?.Invoke(line);
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
            // A closed log (stderr gone) must not stop serving.
        }
    }

    /// <summary>Stops accepting and cuts connections still being served.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _listener.Stop();
        try
        {
            Completion.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // The accept loop catches everything it expects; anything else already ended it.
        }
        _stop.Dispose();
    }
}

/// <summary>Settings of a <see cref="MetricsServer"/>.</summary>
public sealed record MetricsServerOptions
{
    /// <summary>The path scrapes ask for (default /metrics).</summary>
    public string Path { get; init; } = "/metrics";

    /// <summary>The Content-Type of a 200 response (default: Prometheus text format 0.0.4).</summary>
    public string ContentType { get; init; } = MetricsServer.PrometheusContentType;

    /// <summary>How long one connection may take from accept to the last byte sent (default 5 s); then it is closed.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Connections served at once (default 64); more are closed on accept, so a flood of them cannot exhaust fds.</summary>
    public int MaxConnections { get; init; } = 64;

    /// <summary>Receives one line per problem (a provider failure, a timed-out client); null: silent.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>The metrics cannot be read right now (e.g. the application was detached); a scrape gets 503 with the message.</summary>
public sealed class MetricsUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MetricsUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MetricsUnavailableException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MetricsUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
