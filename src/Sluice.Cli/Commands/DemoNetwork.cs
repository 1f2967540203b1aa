using System.Diagnostics;
using System.Globalization;

namespace Sluice.Cli.Commands;

/// <summary>
/// The demo's throwaway network: namespace "sluice-demo-PID-srv" (the server, interface demo-srv, 198.18.0.2/24) and
/// "sluice-demo-PID-net" (the internet: the legitimate client 198.18.0.1, a noisy host 198.18.0.100 and an attacker
/// spoofing 198.19.0.0/16), joined by a veth pair. Dispose deletes both namespaces, which destroys the veth pair and
/// every attachment on it; creation first sweeps namespaces left by demos that were killed.
/// </summary>
internal sealed class DemoNetwork : IDisposable
{
    internal const string Prefix = "sluice-demo-";
    internal const string ServerInterface = "demo-srv";
    internal const string ClientInterface = "demo-cli";
    internal const string ServerAddress = "198.18.0.2";
    internal const string ClientAddress = "198.18.0.1";
    internal const string NoisyAddress = "198.18.0.100";
    private const string ServerMac = "02:00:00:00:de:02";
    private const string ClientMac = "02:00:00:00:de:01";

    private DemoNetwork(string stem)
    {
        ServerNamespace = stem + "srv";
        ClientNamespace = stem + "net";
    }

    /// <summary>The server's namespace (the guarded interface lives here).</summary>
    internal string ServerNamespace { get; }

    /// <summary>The namespace of the client, the noisy host and the attacker.</summary>
    internal string ClientNamespace { get; }

    internal static DemoNetwork Create()
    {
        SweepOrphans();
        var network = new DemoNetwork($"{Prefix}{Environment.ProcessId}-");
        try
        {
            network.Build();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private void Build()
    {
        Run("ip", "netns", "add", ServerNamespace);
        Run("ip", "netns", "add", ClientNamespace);
        InClient("ip", "link", "add", ClientInterface, "address", ClientMac, "type", "veth",
            "peer", "name", ServerInterface, "address", ServerMac, "netns", ServerNamespace);
        InClient("ip", "addr", "add", ClientAddress + "/24", "dev", ClientInterface);
        InClient("ip", "addr", "add", NoisyAddress + "/24", "dev", ClientInterface);
        InServer("ip", "addr", "add", ServerAddress + "/24", "dev", ServerInterface);
        foreach (var (inside, device) in new[] { (ClientNamespace, ClientInterface), (ServerNamespace, ServerInterface) })
        {
            Nsenter(inside, "ip", "link", "set", "lo", "up");
            Nsenter(inside, "ip", "link", "set", device, "up");
        }
        // Permanent neighbours: no ARP races the first packets, and the guard's counters show only the demo's traffic.
        InClient("ip", "neigh", "replace", ServerAddress, "lladdr", ServerMac, "dev", ClientInterface, "nud", "permanent");
        InServer("ip", "neigh", "replace", ClientAddress, "lladdr", ClientMac, "dev", ServerInterface, "nud", "permanent");
        InServer("ip", "neigh", "replace", NoisyAddress, "lladdr", ClientMac, "dev", ServerInterface, "nud", "permanent");
    }

    private void InClient(params string[] command) => Nsenter(ClientNamespace, command);

    private void InServer(params string[] command) => Nsenter(ServerNamespace, command);

    // nsenter, not `ip netns exec`: the latter remounts /sys and would hide the guard's bpffs pins.
    private static void Nsenter(string name, params string[] command) => Run("nsenter", [$"--net=/var/run/netns/{name}", "--", .. command]);

    private static void Run(string program, params string[] arguments)
    {
        if (TryRun(program, arguments, out string error) != 0)
            throw new InvalidOperationException($"demo setup: `{program} {string.Join(' ', arguments)}` failed: {error.Trim()}");
    }

    private static int TryRun(string program, string[] arguments, out string error)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill(entireProcessTree: true);
            error = "timed out after 20 s";
            return -1;
        }
        _ = stdout.GetAwaiter().GetResult();
        error = stderr.GetAwaiter().GetResult();
        return process.ExitCode;
    }

    /// <summary>Deletes both namespaces (and with them the veth pair and the guard's attachments).</summary>
    public void Dispose()
    {
        foreach (var name in new[] { ServerNamespace, ClientNamespace })
            if (File.Exists($"/var/run/netns/{name}")) TryRun("ip", ["netns", "delete", name], out _);
    }

    /// <summary>Namespaces of demos whose process is gone (killed with SIGKILL, so no finally ran).</summary>
    private static void SweepOrphans()
    {
        if (!Directory.Exists("/var/run/netns")) return;
        foreach (var path in Directory.GetFiles("/var/run/netns", Prefix + "*"))
        {
            string name = Path.GetFileName(path);
            string digits = new([.. name[Prefix.Length..].TakeWhile(char.IsAsciiDigit)]);
            if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || Directory.Exists($"/proc/{pid}")) continue;
            TryRun("ip", ["netns", "delete", name], out _);
        }
    }

    /// <summary>Every namespace name the demo uses starts with <see cref="Prefix"/>.</summary>
    internal static IEnumerable<string> Leftovers() =>
        Directory.Exists("/var/run/netns") ? Directory.GetFiles("/var/run/netns", Prefix + "*").Select(Path.GetFileName).OfType<string>() : [];
}
