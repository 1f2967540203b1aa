using System.Text.Json;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests.TcApps;

/// <summary>
/// `sluice qos|ratelimit|mirror` end to end through the CLI on a veth pair in a throwaway namespace: the verbs work,
/// --json everywhere, bad input is one line with exit 1 (or {"error"} with --json) and changes nothing.
/// </summary>
public sealed class TcAppCommandTests
{
    private static string[] At(TestNamespace ns) => ["--dev", "va", "--netns", ns.Name];

    private static void Cleanup(string app, TestNamespace ns)
    {
        SluiceProcess.Run(app, "detach", "va", "--netns", ns.Name);
        string pins = $"/sys/fs/bpf/sluice/{app}/{ns.Name}";
        if (Directory.Exists(pins)) Directory.Delete(pins, recursive: true);
    }

    [Fact]
    public void QosVerbsAndBadInput()
    {
        Requires.Root();
        using var ns = new TestNamespace();
        try
        {
            var attached = CliAssert.Succeeds("qos", "attach", "va", "--netns", ns.Name, "--qdisc", "htb", "--rate", "100mbit", "--json").Json();
            Assert.True(attached.GetProperty("htb_qdisc").GetBoolean());
            Assert.Contains("htb", VethNamespaces.Nsenter(ns.Name, "tc", "qdisc", "show", "dev", "va"), StringComparison.Ordinal);
            CliAssert.Succeeds(["qos", "preset", "web", .. At(ns)]);
            CliAssert.Succeeds(["qos", "set", "--proto", "udp", "--dst", "198.18.0.0/24", "--port", "5000-5010", "--class", "high", "--dscp", "EF", .. At(ns)]);
            string before = QosRules(ns);
            Assert.Equal(5, before.Split('\n').Length);

            foreach (var arguments in new[]
            {
                new[] { "qos", "set", "--port", "5005", "--class", "low" },                 // overlaps the udp range
                ["qos", "set", "--port", "70000", "--class", "low"],
                ["qos", "set", "--port", "80", "--class", "urgent"],
                ["qos", "set", "--port", "81", "--class", "low", "--dscp", "AF44"],
                ["qos", "set", "--src", "198.18.0.1/16", "--class", "low"],
                ["qos", "set", "--proto", "icmp", "--port", "1", "--class", "low"],
                ["qos", "remove", "--port", "9999"],
            })
            {
                string line = CliAssert.FailsWithOneLine([.. arguments, .. At(ns)]);
                Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
            }
            var json = SluiceProcess.Run(["qos", "set", "--port", "5005", "--class", "low", "--json", .. At(ns)]);
            Assert.Equal(1, json.ExitCode);
            Assert.Contains("overlaps", json.Json().GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Equal(before, QosRules(ns));
            // Attaching again (a restart, an upgrade) loads the program anew over the same pinned rules.
            CliAssert.Succeeds("qos", "attach", "va", "--netns", ns.Name, "--qdisc", "htb", "--rate", "100mbit");
            Assert.Equal(before, QosRules(ns));

            CliAssert.FailsWithOneLine("qos", "attach", "nosuchdev", "--netns", ns.Name);
            CliAssert.FailsWithOneLine("qos", "attach", "va", "--netns", $"nosuchns{Environment.ProcessId}");
            CliAssert.FailsWithOneLine("qos", "attach", "va", "--netns", ns.Name, "--direction", "ingress", "--qdisc", "htb");

            var stats = CliAssert.Succeeds(["qos", "stats", "--json", .. At(ns)]).Json();
            Assert.True(stats.GetProperty("classes").GetArrayLength() >= 3);
            Assert.Contains("sluice_qos_packets_total{iface=\"va\"", CliAssert.Succeeds(["qos", "stats", "--prometheus", .. At(ns)]).Stdout, StringComparison.Ordinal);
            var watched = CliAssert.Succeeds(["qos", "stats", "--watch", "--interval", "0.2", "--seconds", "0.5", "--json", .. At(ns)]).Stdout;
            Assert.All(watched.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => JsonDocument.Parse(line));

            CliAssert.Succeeds(["qos", "remove", "--port", "22", .. At(ns)]);
            CliAssert.Succeeds(["qos", "detach", .. At(ns)]);
            Assert.False(Directory.Exists($"/sys/fs/bpf/sluice/qos/{ns.Name}/va"));
            Assert.DoesNotContain("htb", VethNamespaces.Nsenter(ns.Name, "tc", "qdisc", "show", "dev", "va"), StringComparison.Ordinal);
        }
        finally
        {
            Cleanup("qos", ns);
        }
    }

    [Fact]
    public void RatelimitSaysWhichShaperAndRefusesBadInput()
    {
        Requires.Root();
        using var ns = new TestNamespace();
        try
        {
            var attach = CliAssert.Succeeds("ratelimit", "attach", "va", "--netns", ns.Name, "--json").Json();
            string shaper = attach.GetProperty("shaper").GetString()!;
            Assert.Contains(shaper, new[] { "edt", "htb" });
            // The probe's answer matches what the kernel really does with fq.
            bool fq = ShellCommandSucceeds(ns.Name, "tc", "qdisc", "add", "dev", "vb", "root", "fq");
            Assert.Equal(fq ? "edt" : "htb", shaper);
            CliAssert.Succeeds(["ratelimit", "set", "--dst", "198.18.0.0/24", "--rate", "10mbit", "--mode", "shape", .. At(ns)]);
            CliAssert.Succeeds(["ratelimit", "set", "--port", "80", "--rate", "5kpps", .. At(ns)]);
            CliAssert.Succeeds(["ratelimit", "set", "--src", "fd00::/64", "--rate", "5MB/s", "--burst", "64k", .. At(ns)]);
            string before = Limits(ns);
            var limits = JsonDocument.Parse(CliAssert.Succeeds(["ratelimit", "list", "--json", .. At(ns)]).Stdout).RootElement.GetProperty("limits");
            Assert.Equal(3, limits.GetArrayLength());
            Assert.Contains(limits.EnumerateArray(), l => l.TryGetProperty("bytes_per_second", out var r) && r.GetUInt64() == 1_250_000);
            Assert.Contains(limits.EnumerateArray(), l => l.TryGetProperty("packets_per_second", out var r) && r.GetUInt64() == 5000);

            foreach (var arguments in new[]
            {
                new[] { "ratelimit", "set", "--dst", "198.18.0.0/25", "--rate", "1mbit" },   // nested in an installed prefix
                ["ratelimit", "set", "--port", "81", "--rate", "10xbit"],
                ["ratelimit", "set", "--port", "81", "--rate", "0mbit"],
                ["ratelimit", "set", "--port", "81", "--rate", "1mbit", "--burst", "lots"],
                ["ratelimit", "set", "--port", "81", "--rate", "1mbit", "--mode", "slow"],
                ["ratelimit", "set", "--cgroup", "/sys/fs/cgroup/no-such-cgroup-here", "--rate", "1mbit"],
                ["ratelimit", "set", "--port", "81", "--src", "198.18.0.1", "--rate", "1mbit"],
                ["ratelimit", "remove", "--port", "82"],
            })
                CliAssert.FailsWithOneLine([.. arguments, .. At(ns)]);
            if (shaper == "htb") CliAssert.FailsWithOneLine(["ratelimit", "set", "--port", "81", "--rate", "1kpps", "--mode", "shape", .. At(ns)]);
            Assert.Equal(before, Limits(ns));
            Assert.Contains("sluice_ratelimit_dropped_total", CliAssert.Succeeds(["ratelimit", "stats", "--prometheus", .. At(ns)]).Stdout, StringComparison.Ordinal);
            CliAssert.Succeeds(["ratelimit", "remove", "--dst", "198.18.0.0/24", .. At(ns)]);
            CliAssert.Succeeds(["ratelimit", "detach", .. At(ns)]);
            Assert.False(Directory.Exists($"/sys/fs/bpf/sluice/ratelimit/{ns.Name}/va"));
        }
        finally
        {
            Cleanup("ratelimit", ns);
        }
    }

    [Fact]
    public void MirrorVerbsAndBadInput()
    {
        Requires.Root();
        using var ns = new TestNamespace();
        try
        {
            CliAssert.FailsWithOneLine("mirror", "va", "--to", "nosuchdev", "--netns", ns.Name);
            CliAssert.FailsWithOneLine("mirror", "va", "--to", "va", "--netns", ns.Name);
            CliAssert.FailsWithOneLine("mirror", "va", "--to", "vb", "--netns", ns.Name, "--match", "tcp port 80", "--match", "port 80-90");
            CliAssert.FailsWithOneLine("mirror", "va", "--to", "vb", "--netns", ns.Name, "--match", "tcp prot 80");
            Assert.False(Directory.Exists($"/sys/fs/bpf/sluice/mirror/{ns.Name}/va"));
            var attached = CliAssert.Succeeds("mirror", "va", "--to", "vb", "--netns", ns.Name, "--match", "udp port 53", "--json").Json();
            Assert.Equal("vb", attached.GetProperty("to").GetString());
            var stats = CliAssert.Succeeds(["mirror", "stats", "--json", .. At(ns)]).Json();
            Assert.Equal("udp port 53", stats.GetProperty("matches")[0].GetString());
            CliAssert.Succeeds(["mirror", "detach", .. At(ns)]);
            Assert.False(Directory.Exists($"/sys/fs/bpf/sluice/mirror/{ns.Name}/va"));
        }
        finally
        {
            Cleanup("mirror", ns);
        }
    }

    /// <summary>The installed rules (match, class, DSCP), one per line: what a failed command must not change (counters move with stray traffic).</summary>
    private static string QosRules(TestNamespace ns) => string.Join('\n', CliAssert.Succeeds(["qos", "list", "--json", .. At(ns)]).Json().EnumerateArray()
        .Select(r => $"{r.GetProperty("match").GetString()} {r.GetProperty("class").GetString()} {(r.TryGetProperty("dscp", out var d) ? d.GetInt32() : -1)}"));

    private static string Limits(TestNamespace ns) => string.Join('\n', CliAssert.Succeeds(["ratelimit", "list", "--json", .. At(ns)]).Json().GetProperty("limits").EnumerateArray()
        .Select(l => $"{l.GetProperty("key").GetString()} {l.GetProperty("mode").GetString()} {l.GetProperty("rate").GetString()} {l.GetProperty("burst").GetUInt64()}"));

    private static bool ShellCommandSucceeds(string netns, params string[] command) =>
        ShellCommand.TryRun("nsenter", [$"--net=/var/run/netns/{netns}", "--", .. command], out _, out _) == 0;
}
