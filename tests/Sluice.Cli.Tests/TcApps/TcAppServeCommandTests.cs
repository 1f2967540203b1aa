using Sluice.Cli.Tests.Guard;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests.TcApps;

/// <summary>
/// `sluice qos|ratelimit|mirror serve`: Prometheus text on GET /metrics from the instance's counters, 503 while it is
/// detached, the new maps after a re-attach, exit 0 on SIGTERM. The HTTP side is the guard's server (its own tests).
/// </summary>
public sealed class TcAppServeCommandTests
{
    private static string[] At(TestNamespace ns) => ["--dev", "va", "--netns", ns.Name];

    [Fact]
    public void QosServeFollowsADetachAndReattach()
    {
        Requires.Root();
        using var ns = new TestNamespace();
        using var server = Attached(ns, "qos", () => CliAssert.Succeeds(["qos", "set", "--port", "22", "--class", "high", .. At(ns)]));
        try
        {
            int port = GuardStatsCommandTests.Port(server, "127\\.0\\.0\\.1", Task.FromResult(""));
            var (status, body) = GuardStatsCommandTests.Get(port, "/metrics");
            Assert.Equal("HTTP/1.1 200 OK", status);
            Assert.Contains("# TYPE sluice_qos_packets_total counter", body, StringComparison.Ordinal);
            Assert.Contains($"sluice_qos_packets_total{{iface=\"va\",netns=\"{ns.Name}\",class=\"high\"}} 0", body, StringComparison.Ordinal);

            CliAssert.Succeeds("qos", "detach", "va", "--netns", ns.Name);
            Assert.True(Wait.Until(() => GuardStatsCommandTests.Get(port, "/metrics").Status == "HTTP/1.1 503 Service Unavailable"),
                "serve kept answering for a detached qos");
            CliAssert.Succeeds("qos", "attach", "va", "--netns", ns.Name);
            CliAssert.Succeeds(["qos", "set", "--port", "80", "--class", "normal", .. At(ns)]);
            Assert.True(Wait.Until(() => GuardStatsCommandTests.Get(port, "/metrics") is ("HTTP/1.1 200 OK", var now) &&
                now.Contains("class=\"normal\"", StringComparison.Ordinal) && !now.Contains("class=\"high\"", StringComparison.Ordinal)),
                "serve did not follow the re-attached qos");
            GuardStatsCommandTests.Stop(server);
        }
        finally
        {
            Stop(server, "qos", ns);
        }
    }

    [Fact]
    public void RateLimitAndMirrorServeTheirCounters()
    {
        Requires.Root();
        using var ns = new TestNamespace();
        foreach (var (app, family, setup) in new (string, string, Action)[]
        {
            ("ratelimit", "sluice_ratelimit_dropped_total", () => CliAssert.Succeeds(["ratelimit", "set", "--port", "80", "--rate", "5kpps", .. At(ns)])),
            ("mirror", "sluice_mirror_mirrored_total", () => { }),
        })
        {
            using var server = Attached(ns, app, setup);
            try
            {
                int port = GuardStatsCommandTests.Port(server, "127\\.0\\.0\\.1", Task.FromResult(""));
                var (status, body) = GuardStatsCommandTests.Get(port, "/metrics");
                Assert.Equal("HTTP/1.1 200 OK", status);
                Assert.Contains($"# TYPE {family} counter", body, StringComparison.Ordinal);
                Assert.Contains($"{family}{{iface=\"va\",netns=\"{ns.Name}\"", body, StringComparison.Ordinal);
                GuardStatsCommandTests.Stop(server);
            }
            finally
            {
                Stop(server, app, ns);
            }
        }
    }

    [Fact]
    public void ServeWithoutAnInstanceIsOneLine()
    {
        Requires.Root();
        using var ns = new TestNamespace();
        foreach (string app in new[] { "qos", "ratelimit", "mirror" })
        {
            string line = CliAssert.FailsWithOneLine([app, "serve", "--metrics", "0", .. At(ns)]);
            Assert.Contains("not attached", line, StringComparison.Ordinal);
        }
    }

    /// <summary>Attaches the application on va (mirror: copies to vb), runs <paramref name="setup"/>, starts serve.</summary>
    private static System.Diagnostics.Process Attached(TestNamespace ns, string app, Action setup)
    {
        if (app == "mirror") CliAssert.Succeeds("mirror", "va", "--to", "vb", "--netns", ns.Name);
        else CliAssert.Succeeds(app, "attach", "va", "--netns", ns.Name);
        setup();
        return SluiceProcess.Start([app, "serve", "--metrics", "0", "--interval", "0.1", .. At(ns)]);
    }

    private static void Stop(System.Diagnostics.Process server, string app, TestNamespace ns)
    {
        if (!server.HasExited) server.Kill();
        SluiceProcess.Run(app, "detach", "va", "--netns", ns.Name);
        string pins = $"/sys/fs/bpf/sluice/{app}/{ns.Name}";
        if (Directory.Exists(pins)) Directory.Delete(pins, recursive: true);
    }
}
