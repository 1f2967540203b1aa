using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Sluice.Lab;

/// <summary>What one iperf3 TCP run measured.</summary>
/// <param name="ReceivedBitsPerSecond">Goodput at the receiver (iperf3's sum_received).</param>
/// <param name="SentBitsPerSecond">What the sender pushed (sum_sent).</param>
/// <param name="Retransmits">TCP retransmissions of the sender.</param>
/// <param name="SenderCpuPercent">The sender's host CPU utilisation (iperf3's cpu_utilization_percent.host_total).</param>
/// <param name="ReceiverCpuPercent">The receiver's (remote_total).</param>
/// <param name="Seconds">Run length.</param>
public sealed record Iperf3Result(double ReceivedBitsPerSecond, double SentBitsPerSecond, long Retransmits, double SenderCpuPercent, double ReceiverCpuPercent, double Seconds)
{
    /// <summary>Ethernet (14) + IPv4 (20) + TCP (20) + the timestamp option Linux sends by default (12).</summary>
    private const int FrameOverhead = 14 + 20 + 20 + 12;

    /// <summary>
    /// The goodput as the rate on the wire, which is what a limiter (htb, tbf, a policer) counts: each full-size segment
    /// of an IPv4 TCP flow over an interface of <paramref name="mtu"/> carries mtu - 52 payload bytes in an Ethernet frame
    /// of mtu + 14 bytes (1448 in 1514 at 1500), so wire = goodput * (mtu + 14) / (mtu - 52). The flow's own acks go the
    /// other way and do not count.
    /// </summary>
    public double WireBitsPerSecond(int mtu = 1500) => ReceivedBitsPerSecond * (mtu + 14) / (mtu + 14 - FrameOverhead);
}

/// <summary>
/// Debian's iperf3 between two lab namespaces: a one-off server (-1) in one, a client in the other, JSON parsed.
/// Bounded: the client runs the given seconds, both are killed on timeout.
/// </summary>
public static class Iperf3
{
    /// <summary>Runs a TCP test from <paramref name="clientNamespace"/> to <paramref name="serverAddress"/>:<paramref name="port"/> served in <paramref name="serverNamespace"/>.</summary>
    /// <exception cref="InvalidOperationException">iperf3 failed (its message included).</exception>
    public static Iperf3Result Run(string serverNamespace, string clientNamespace, string serverAddress, int port, double seconds, params string[] clientArguments) =>
        Run(serverNamespace, clientNamespace, serverAddress, port, seconds, null, clientArguments);

    /// <summary>The same, with the client process in <paramref name="clientCgroup"/> (its sockets then belong to that cgroup).</summary>
    public static Iperf3Result Run(string serverNamespace, string clientNamespace, string serverAddress, int port, double seconds, LabCgroup? clientCgroup,
        params string[] clientArguments)
    {
        string portText = port.ToString(CultureInfo.InvariantCulture);
        using var server = Start(serverNamespace, ["iperf3", "-s", "-1", "-p", portText]);
        try
        {
            WaitListening(serverNamespace, port);
            string[] client = ["nsenter", $"--net=/var/run/netns/{clientNamespace}", "--", "iperf3", "-c", serverAddress, "-p", portText,
                "-t", seconds.ToString(CultureInfo.InvariantCulture), "-J", .. clientArguments];
            if (clientCgroup is not null) client = clientCgroup.Inside(client);
            var result = ShellCommand.Execute(client[0], client[1..], TimeSpan.FromSeconds(seconds + 20));
            using var json = JsonDocument.Parse(result.Output.Length > 0 ? result.Output : "{}");
            var root = json.RootElement;
            if (root.TryGetProperty("error", out var error)) throw new InvalidOperationException($"iperf3: {error.GetString()}");
            if (!result.Succeeded || !root.TryGetProperty("end", out var end)) throw new InvalidOperationException($"iperf3 failed: {result.Error}");
            var received = end.GetProperty("sum_received");
            var sent = end.GetProperty("sum_sent");
            var cpu = end.GetProperty("cpu_utilization_percent");
            return new Iperf3Result(received.GetProperty("bits_per_second").GetDouble(), sent.GetProperty("bits_per_second").GetDouble(),
                sent.TryGetProperty("retransmits", out var retransmits) ? retransmits.GetInt64() : 0,
                cpu.GetProperty("host_total").GetDouble(), cpu.GetProperty("remote_total").GetDouble(), received.GetProperty("seconds").GetDouble());
        }
        finally
        {
            if (!server.WaitForExit(TimeSpan.FromSeconds(2))) server.Kill();
        }
    }

    /// <summary>Starts a long-running tool in a namespace (the caller ends it).</summary>
    public static Process Start(string netns, IReadOnlyList<string> command)
    {
        var start = new ProcessStartInfo("nsenter") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add($"--net=/var/run/netns/{netns}");
        start.ArgumentList.Add("--");
        foreach (var part in command) start.ArgumentList.Add(part);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{command[0]} did not start");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits (up to 10 s) until a TCP socket listens on <paramref name="port"/> in the namespace.</summary>
    public static void WaitListening(string netns, int port)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (LabNamespace.Nsenter(netns, "ss", "-Htln", $"sport = :{port}").Trim().Length > 0) return;
            Thread.Sleep(20);
        }
        throw new TimeoutException($"nothing listens on port {port} in {netns} after 10 s");
    }
}
