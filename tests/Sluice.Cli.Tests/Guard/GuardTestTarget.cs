using System.Text.Json;
using Xunit;

namespace Sluice.Cli.Tests.Guard;

/// <summary>
/// A throwaway namespace with a veth pair and, after <see cref="Attach"/>, the guard on "va" in it. Dispose detaches
/// through the CLI, then removes whatever pins are left (even after a failed test) and deletes the namespace.
/// </summary>
internal sealed class GuardTestTarget : IDisposable
{
    internal const string Interface = "va";
    private const string PinRoot = "/sys/fs/bpf/sluice/guard";
    private readonly TestNamespace _namespace = new();

    internal string Namespace => _namespace.Name;

    /// <summary>/sys/fs/bpf/sluice/guard/NETNS/va.</summary>
    internal string PinDirectory => $"{PinRoot}/{Namespace}/{Interface}";

    /// <summary>The --dev/--netns arguments naming this guard.</summary>
    internal string[] Target => ["--dev", Interface, "--netns", Namespace];

    internal void Attach(params string[] extra) => CliAssert.Succeeds(["guard", "attach", Interface, "--netns", Namespace, .. extra]);

    /// <summary>Runs `sluice guard VERB ... --dev va --netns NS`.</summary>
    internal SluiceProcess.Result Run(string verb, params string[] arguments) => SluiceProcess.Run(["guard", verb, .. arguments, .. Target]);

    internal SluiceProcess.Result Succeeds(string verb, params string[] arguments) => CliAssert.Succeeds(["guard", verb, .. arguments, .. Target]);

    internal string FailsWithOneLine(string verb, params string[] arguments) => CliAssert.FailsWithOneLine(["guard", verb, .. arguments, .. Target]);

    /// <summary>Starts `sluice guard VERB ... --dev va --netns NS` with stdout and stderr redirected, for long-running verbs.</summary>
    internal System.Diagnostics.Process Start(string verb, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "sluice.dll"), "guard", verb }.Concat(arguments).Concat(Target))
            start.ArgumentList.Add(a);
        return System.Diagnostics.Process.Start(start)!;
    }

    internal JsonElement Json(string verb) => Succeeds(verb, "--json").Json();

    /// <summary>The rules as their canonical texts, sorted.</summary>
    internal List<string> RuleTexts() => [.. Json("rules").EnumerateArray().Select(r => r.GetProperty("rule").GetString()!).Order(StringComparer.Ordinal)];

    /// <summary>`status --json` and `rules --json` together: what no failed command may change.</summary>
    internal string Snapshot() => Succeeds("status", "--json").Stdout + Succeeds("rules", "--json").Stdout;

    /// <summary>The frame length of each datagram <see cref="SendUdp"/> sends: 14 Ethernet + 20 IPv4 + 8 UDP + 56 data.</summary>
    internal const int FrameLength = 98;

    /// <summary>
    /// Sends <paramref name="count"/> UDP datagrams 198.18.0.1:40000 -> 198.18.0.2:9 out of vb, across the veth into va
    /// (the guard's side). Nobody owns 198.18.0.2 (a permanent neighbour entry points at va), so each datagram reaches
    /// the guard's XDP program exactly once and nothing answers.
    /// </summary>
    internal void SendUdp(int count)
    {
        if (!_addressed)
        {
            VethNamespaces.Nsenter(Namespace, "ip", "addr", "add", "198.18.0.1/24", "dev", "vb");
            VethNamespaces.Nsenter(Namespace, "ip", "neigh", "replace", "198.18.0.2", "lladdr", Mac("va"), "dev", "vb", "nud", "permanent");
            _addressed = true;
        }
        using var netns = Sluice.Bpf.NetworkNamespace.Open(Namespace);
        using var socket = netns.Run(() =>
        {
            var udp = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            udp.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("198.18.0.1"), 40000));
            return udp;
        });
        var destination = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("198.18.0.2"), 9);
        var payload = new byte[FrameLength - 42];
        for (int i = 0; i < count; i++) socket.SendTo(payload, destination);
    }

    private bool _addressed;

    // ip, not /sys/class/net: nsenter keeps the caller's sysfs, which shows the caller's namespace.
    private string Mac(string device) =>
        System.Text.RegularExpressions.Regex.Match(VethNamespaces.Nsenter(Namespace, "ip", "-o", "link", "show", "dev", device), @"link/ether ([0-9a-f:]{17})").Groups[1].Value;

    public void Dispose()
    {
        try
        {
            foreach (string device in new[] { Interface, "vb" })
                if (Directory.Exists($"{PinRoot}/{Namespace}/{device}")) SluiceProcess.Run(["guard", "detach", device, "--netns", Namespace]);
        }
        finally
        {
            string namespaceDirectory = $"{PinRoot}/{Namespace}";
            if (Directory.Exists(namespaceDirectory)) Directory.Delete(namespaceDirectory, recursive: true);
            _namespace.Dispose();
        }
    }
}
