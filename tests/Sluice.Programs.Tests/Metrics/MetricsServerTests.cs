using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.Programs.Metrics;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Metrics;

/// <summary>The metrics server and refresher over loopback (no privileges needed).</summary>
public sealed class MetricsServerTests
{
    private static readonly IPEndPoint AnyLoopbackPort = new(IPAddress.Loopback, 0);

    [Fact]
    public async Task Twenty_concurrent_scrapes_are_answered_while_an_idle_client_holds_its_connection()
    {
        var cancellation = TestContext.Current.CancellationToken;
        // A request timeout far beyond the test: the idle client stays open throughout, so a server that served one
        // connection at a time could answer none of the scrapes below; answering them at all proves the design.
        using var server = MetricsServer.Start(AnyLoopbackPort, () => "sluice_test_total 1\n",
            new MetricsServerOptions { RequestTimeout = TimeSpan.FromMinutes(10) });
        await Scrape(server, "/metrics", cancellation); // warm up (JIT), so the timing below is the server's

        using var idle = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await idle.ConnectAsync(server.LocalEndpoint, cancellation);
        await idle.SendAsync("GET /metr"u8.ToArray(), SocketFlags.None, cancellation); // half a request, then nothing
        Assert.True(Wait.Until(() => server.ActiveConnections == 1), "the idle connection was not accepted");

        var clock = Stopwatch.StartNew();
        var scrapes = Enumerable.Range(0, 20).Select(_ => Scrape(server, "/metrics", cancellation)).ToArray();
        var answers = await Within(Task.WhenAll(scrapes), "scrapes were not answered while an idle client held a connection");
        var elapsed = clock.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"20 concurrent scrapes beside an idle connection: {elapsed.TotalMilliseconds:0} ms");
        Assert.All(answers, r =>
        {
            Assert.Equal("HTTP/1.1 200 OK", r.Status);
            Assert.Equal("sluice_test_total 1\n", r.Body);
        });
        // The idle one is still open (the scrapes' own connections are counted down just after their last byte).
        Assert.True(Wait.Until(() => server.ActiveConnections == 1), $"{server.ActiveConnections} connections open");
        Assert.True(idle.Connected);
        // The target. The bound above is what proves the design; this one measures it on a shared machine,
        // where 20 loopback requests of a cached string take milliseconds.
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"20 concurrent scrapes took {elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task A_client_that_sends_nothing_is_closed_after_the_request_timeout_and_logged()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var log = new LogLines();
        using var server = MetricsServer.Start(AnyLoopbackPort, () => "x 1\n",
            new MetricsServerOptions { RequestTimeout = TimeSpan.FromMilliseconds(200), Log = log.Add });
        using var idle = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await idle.ConnectAsync(server.LocalEndpoint, cancellation);
        var buffer = new byte[64];
        Assert.Equal(0, await Within(idle.ReceiveAsync(buffer, SocketFlags.None, cancellation).AsTask(), "the idle connection was never closed"));
        Assert.True(Wait.Until(() => log.Count == 1));
        Assert.Contains("no complete request within 0.2 s", log.Lines[0], StringComparison.Ordinal);
        Assert.Equal("HTTP/1.1 200 OK", (await Scrape(server, "/metrics", cancellation)).Status);
    }

    [Fact]
    public async Task A_throwing_provider_costs_one_scrape_and_one_log_line_and_the_server_keeps_serving()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var log = new LogLines();
        int calls = 0;
        using var server = MetricsServer.Start(AnyLoopbackPort, () => Interlocked.Increment(ref calls) switch
        {
            1 => throw new InvalidOperationException("boom"),
            2 => throw new MetricsUnavailableException("no guard on va"),
            _ => "x 3\n",
        }, new MetricsServerOptions { Log = log.Add });

        var failed = await Scrape(server, "/metrics", cancellation);
        Assert.Equal("HTTP/1.1 500 Internal Server Error", failed.Status);
        Assert.Equal(["the metrics provider failed: InvalidOperationException: boom"], log.Lines);

        var unavailable = await Scrape(server, "/metrics", cancellation);
        Assert.Equal("HTTP/1.1 503 Service Unavailable", unavailable.Status);
        Assert.Equal("metrics unavailable: no guard on va\n", unavailable.Body);
        Assert.Single(log.Lines); // the refresher logs its own failures once; the server adds none per scrape

        Assert.Equal(("HTTP/1.1 200 OK", "x 3\n"), await Scrape(server, "/metrics", cancellation));
        Assert.False(server.Completion.IsCompleted);
    }

    [Fact]
    public async Task Resets_garbage_and_wrong_paths_do_not_stop_the_server()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var server = MetricsServer.Start(AnyLoopbackPort, () => "x 1\n");
        using (var reset = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await reset.ConnectAsync(server.LocalEndpoint, cancellation);
            reset.LingerState = new LingerOption(true, 0); // close with RST
        }
        Assert.Equal("HTTP/1.1 400 Bad Request", (await Send(server, "NONSENSE\r\n\r\n", cancellation)).Status);
        Assert.Equal("HTTP/1.1 404 Not Found", (await Scrape(server, "/", cancellation)).Status);
        var post = await Send(server, "POST /metrics HTTP/1.1\r\n\r\n", cancellation);
        Assert.Equal("HTTP/1.1 405 Method Not Allowed", post.Status);
        var head = await Send(server, "HEAD /metrics?x=1 HTTP/1.1\r\n\r\n", cancellation);
        Assert.Equal(("HTTP/1.1 200 OK", ""), head);
        Assert.Equal(("HTTP/1.1 200 OK", "x 1\n"), await Scrape(server, "/metrics", cancellation));
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_closed_and_the_rest_still_served()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var server = MetricsServer.Start(AnyLoopbackPort, () => "x 1\n",
            new MetricsServerOptions { MaxConnections = 2, RequestTimeout = TimeSpan.FromMinutes(10) });
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await first.ConnectAsync(server.LocalEndpoint, cancellation);
        await second.ConnectAsync(server.LocalEndpoint, cancellation);
        Assert.True(Wait.Until(() => server.ActiveConnections == 2));
        using (var third = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await third.ConnectAsync(server.LocalEndpoint, cancellation);
            Assert.Equal(0, await Within(third.ReceiveAsync(new byte[16], SocketFlags.None, cancellation).AsTask(), "the connection over the limit was kept"));
        }
        first.Dispose();
        Assert.True(Wait.Until(() => server.ActiveConnections == 1));
        Assert.Equal("HTTP/1.1 200 OK", (await Scrape(server, "/metrics", cancellation)).Status);
    }

    [Fact]
    public void Wildcard_addresses_are_told_apart_from_loopback_and_specific_ones()
    {
        Assert.True(MetricsServer.IsWildcard(IPAddress.Any));
        Assert.True(MetricsServer.IsWildcard(IPAddress.IPv6Any));
        Assert.False(MetricsServer.IsWildcard(IPAddress.Loopback));
        Assert.False(MetricsServer.IsWildcard(IPAddress.IPv6Loopback));
        Assert.False(MetricsServer.IsWildcard(IPAddress.Parse("198.18.0.1")));
    }

    [Fact]
    public async Task Scrapes_read_the_cached_text_and_the_refresher_collects_on_its_interval()
    {
        var cancellation = TestContext.Current.CancellationToken;
        int collections = 0;
        using var refresher = new MetricsRefresher(() => $"x {Interlocked.Increment(ref collections)}\n", TimeSpan.FromHours(1));
        refresher.Start();
        using var server = MetricsServer.Start(AnyLoopbackPort, () => refresher.Current);
        for (int i = 0; i < 10; i++) Assert.Equal("x 1\n", (await Scrape(server, "/metrics", cancellation)).Body);
        Assert.Equal(1, collections); // ten scrapes, one read of the state

        using var fast = new MetricsRefresher(() => $"y {Interlocked.Increment(ref collections)}\n", TimeSpan.FromMilliseconds(20));
        fast.Start();
        Assert.True(Wait.Until(() => fast.Collections >= 3), "the refresher does not collect on its interval");
    }

    [Fact]
    public void A_failing_collection_makes_current_unavailable_logs_once_and_recovers()
    {
        var log = new LogLines();
        bool fail = false;
        using var refresher = new MetricsRefresher(() => fail ? throw new IOException("map gone") : "x 1\n", TimeSpan.FromHours(1), log.Add);
        refresher.Start();
        Assert.Equal("x 1\n", refresher.Current);
        fail = true;
        refresher.Refresh();
        refresher.Refresh();
        var error = Assert.Throws<MetricsUnavailableException>(() => refresher.Current);
        Assert.Equal("map gone", error.Message);
        Assert.Equal(["collecting metrics failed: map gone"], log.Lines);
        fail = false;
        refresher.Refresh();
        Assert.Equal("x 1\n", refresher.Current);
        Assert.Equal("collecting metrics works again", log.Lines[^1]);

        using var never = new MetricsRefresher(() => throw new IOException("nothing attached"), TimeSpan.FromHours(1));
        Assert.Throws<IOException>(never.Start); // the first collection's failure is the caller's
    }

    /// <summary>Awaits <paramref name="task"/> within <see cref="Wait.Generous"/>; past it the test fails with <paramref name="what"/>.</summary>
    private static async Task<T> Within<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Wait.Generous, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail(what);
            throw;
        }
    }

    internal static Task<(string Status, string Body)> Scrape(MetricsServer server, string path, CancellationToken cancellation) =>
        Send(server, $"GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept: text/plain\r\n\r\n", cancellation);

    private static async Task<(string Status, string Body)> Send(MetricsServer server, string request, CancellationToken cancellation)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.LocalEndpoint, cancellation);
        using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellation);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string response = await reader.ReadToEndAsync(cancellation);
        int headEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(headEnd > 0, response);
        return (response[..response.IndexOf("\r\n", StringComparison.Ordinal)], response[(headEnd + 4)..]);
    }

    private sealed class LogLines
    {
        private readonly List<string> _lines = [];

        internal void Add(string line)
        {
            lock (_lines) _lines.Add(line);
        }

        internal int Count
        {
            get
            {
                lock (_lines) return _lines.Count;
            }
        }

        internal List<string> Lines
        {
            get
            {
                lock (_lines) return [.. _lines];
            }
        }
    }
}
