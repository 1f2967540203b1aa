using System.Net.Sockets;
using System.Text;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests.Guard;

public class GuardStatsCommandTests
{
    private static readonly string[] Reasons =
    [
        "passed", "allowed", "not_ip", "denied", "rate_limited", "syn_limited", "blocked", "malformed", "suspicious",
        "syncookie_sent", "default_drop", "tc_passed", "tc_conn_rate", "tc_conn_limit", "tc_suspicious", "block_map_full",
    ];

    [Fact]
    public void Stats_rules_and_events_count_denied_datagrams()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        guard.Attach();
        guard.Succeeds("deny", "198.18.0.1");
        guard.Succeeds("limit", "--sample-rate", "1");
        var before = guard.Json("stats");
        guard.SendUdp(5);

        var stats = guard.Json("stats");
        Assert.Equal("va", stats.GetProperty("interface").GetString());
        Assert.Equal(guard.Namespace, stats.GetProperty("netns").GetString());
        Assert.True(stats.TryGetProperty("time", out _));
        var reasons = stats.GetProperty("reasons");
        Assert.Equal(Reasons, reasons.EnumerateObject().Select(p => p.Name));
        foreach (var reason in reasons.EnumerateObject())
        {
            Assert.Equal(["packets", "bytes"], reason.Value.EnumerateObject().Select(p => p.Name));
        }
        ulong denied = reasons.GetProperty("denied").GetProperty("packets").GetUInt64()
            - before.GetProperty("reasons").GetProperty("denied").GetProperty("packets").GetUInt64();
        Assert.Equal(5UL, denied);
        Assert.True(stats.GetProperty("dropped").GetProperty("packets").GetUInt64() >= 5);

        var rule = Assert.Single(guard.Json("rules").EnumerateArray());
        Assert.Equal(5UL, rule.GetProperty("packets").GetUInt64());
        Assert.Equal(5UL * GuardTestTarget.FrameLength, rule.GetProperty("bytes").GetUInt64());

        var events = guard.Json("events").EnumerateArray().ToList();
        Assert.Equal(5, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal("denied", e.GetProperty("reason").GetString());
            Assert.Equal("198.18.0.1", e.GetProperty("source").GetString());
            Assert.Equal("198.18.0.2", e.GetProperty("destination").GetString());
            Assert.Equal("udp", e.GetProperty("protocol").GetString());
            Assert.Equal(40000, e.GetProperty("source_port").GetInt32());
            Assert.Equal(9, e.GetProperty("destination_port").GetInt32());
            Assert.Equal(GuardTestTarget.FrameLength, e.GetProperty("length").GetInt32());
        });

        var table = guard.Succeeds("stats").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["REASON", "PACKETS", "BYTES"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(table, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["denied", var packets, _] && packets == denied.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Stats_watch_json_prints_one_line_per_interval_with_rates()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        guard.Attach();
        var result = guard.Succeeds("stats", "--watch", "--json", "--interval", "0.2", "--count", "3");
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var first = System.Text.Json.JsonDocument.Parse(lines[0]).RootElement;
        Assert.False(first.TryGetProperty("interval_seconds", out _));
        Assert.True(first.TryGetProperty("top_sources", out _));
        var last = System.Text.Json.JsonDocument.Parse(lines[2]).RootElement;
        Assert.InRange(last.GetProperty("interval_seconds").GetDouble(), 0.15, 5);
        Assert.Equal(0, last.GetProperty("reasons").GetProperty("denied").GetProperty("pps").GetDouble());
    }

    [Fact]
    public async Task Serve_answers_get_metrics_with_prometheus_text_and_404_elsewhere_and_stops_on_sigterm()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        guard.Attach();
        guard.Succeeds("deny", "198.18.0.1");
        guard.SendUdp(3);

        // A bare port binds loopback.
        using var server = guard.Start("serve", "--metrics", "0");
        try
        {
            var stderr = server.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            int port = Port(server, "127\\.0\\.0\\.1", stderr);

            var (status, body) = Get(port, "/metrics");
            Assert.Equal("HTTP/1.1 200 OK", status);
            Assert.Contains("# TYPE", body, StringComparison.Ordinal);
            var denied = body.Split('\n').Where(l => !l.StartsWith('#') && l.Contains("reason=\"denied\"", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(denied);
            Assert.Contains(denied, l => l.Contains("packets", StringComparison.Ordinal) && l.EndsWith(" 3", StringComparison.Ordinal));
            foreach (string reason in Reasons) Assert.Contains($"reason=\"{reason}\"", body, StringComparison.Ordinal);
            // Every family the controller exports, the blocked-sources gauge included (serve adds none of its own).
            Assert.Contains("# TYPE sluice_guard_rules gauge", body, StringComparison.Ordinal);
            Assert.Contains("# TYPE sluice_guard_blocked_sources gauge", body, StringComparison.Ordinal);

            (status, _) = Get(port, "/");
            Assert.Equal("HTTP/1.1 404 Not Found", status);

            Stop(server);
            Assert.Equal("", await stderr); // a loopback bind warns about nothing
        }
        finally
        {
            if (!server.HasExited) server.Kill();
        }
    }

    [Fact]
    public void Serve_on_a_wildcard_address_warns_and_follows_a_detach_and_reattach()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        guard.Attach();
        guard.Succeeds("deny", "198.18.0.1");

        using var server = guard.Start("serve", "--metrics", "0.0.0.0:0", "--interval", "0.1");
        try
        {
            var stderr = new System.Collections.Concurrent.ConcurrentQueue<string>();
            server.ErrorDataReceived += (_, e) => { if (e.Data is not null) stderr.Enqueue(e.Data); };
            server.BeginErrorReadLine();
            int port = Port(server, "0\\.0\\.0\\.0", Task.FromResult(""));
            Assert.True(Wait.Until(() => !stderr.IsEmpty));
            Assert.StartsWith($"warning: 0.0.0.0:{port} ", stderr.First(), StringComparison.Ordinal);
            Assert.Contains("readable from other hosts", stderr.First(), StringComparison.Ordinal);
            Assert.Equal(1, Exact4Rules(Get(port, "/metrics").Body));

            // Detached: the scrape says so (503) instead of serving the old maps; one line on stderr, and serve goes on.
            guard.Succeeds("detach");
            Assert.True(Wait.Until(() => Get(port, "/metrics").Status == "HTTP/1.1 503 Service Unavailable"), "serve kept answering for a detached guard");
            Assert.True(Wait.Until(() => stderr.Any(l => l.StartsWith("collecting metrics failed: no guard on", StringComparison.Ordinal))), string.Join('\n', stderr));

            // Attached again with two rules: the counts come from the new maps.
            guard.Attach();
            guard.Succeeds("deny", "198.18.0.7");
            guard.Succeeds("deny", "198.18.0.8");
            Assert.True(Wait.Until(() => Get(port, "/metrics") is ("HTTP/1.1 200 OK", var body) && Exact4Rules(body) == 2),
                "serve did not follow the re-attached guard");
            Stop(server);
        }
        finally
        {
            if (!server.HasExited) server.Kill();
        }
    }

    /// <summary>The port in serve's banner, which must name <paramref name="address"/> (a regex).</summary>
    internal static int Port(System.Diagnostics.Process server, string address, Task<string> stderr)
    {
        string? banner = server.StandardOutput.ReadLine();
        Assert.True(banner is not null, $"serve printed nothing: {(stderr.IsCompleted ? stderr.Result : "")}");
        var match = System.Text.RegularExpressions.Regex.Match(banner, $@"http://{address}:(\d+)/metrics");
        Assert.True(match.Success, banner);
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// SIGTERM, not SIGINT: a process started from a background job inherits SIGINT ignored (POSIX), and .NET keeps an
    /// inherited SIG_IGN, so SIGINT would test the runner's shell. Both signals cancel the same token.
    /// </summary>
    internal static void Stop(System.Diagnostics.Process server)
    {
        ShellCommand.Run("kill", "-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(server.WaitForExit(TimeSpan.FromMinutes(2)), "serve did not stop on SIGTERM"); // a hang guard: shutdown under load is slow
        Assert.Equal(0, server.ExitCode);
    }

    private static int Exact4Rules(string metrics)
    {
        string line = metrics.Split('\n').Single(l => l.StartsWith("sluice_guard_rules{", StringComparison.Ordinal) && l.Contains("kind=\"exact4\"", StringComparison.Ordinal));
        return int.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static (string Status, string Body) Get(int port, string path)
    {
        using var client = new TcpClient();
        client.Connect("127.0.0.1", port);
        using var stream = client.GetStream();
        stream.ReadTimeout = 10_000;
        stream.Write(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/plain\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string response = reader.ReadToEnd();
        int headEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(headEnd > 0, response);
        string status = response[..response.IndexOf("\r\n", StringComparison.Ordinal)];
        return (status, response[(headEnd + 4)..]);
    }
}
