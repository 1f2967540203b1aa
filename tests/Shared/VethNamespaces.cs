using System.Globalization;

namespace Sluice.Tests;

/// <summary>
/// Two throwaway network namespaces joined by a veth pair, for kernel tests that need real packets:
/// <list type="bullet">
/// <item>namespace <see cref="SenderNamespace"/> with interface <see cref="SenderInterface"/> (02:00:00:00:00:01),
/// addresses 198.18.0.1/24 and 198.18.0.3/24 (a second source) and fd00::1/64;</item>
/// <item>namespace <see cref="ReceiverNamespace"/> with interface <see cref="ReceiverInterface"/> (02:00:00:00:00:02),
/// addresses 198.18.0.2/24 and fd00::2/64.</item>
/// </list>
/// Neighbour entries are permanent, so no ARP or neighbour discovery races the first packets. Names are unique per
/// process and instance; <see cref="Dispose"/> deletes both namespaces (which destroys the veth pair and every
/// attachment on it) even after a failed setup, and construction sweeps namespaces left by crashed test processes.
/// Tools run through nsenter, not `ip netns exec`, which would remount /sys and hide bpffs pins.
/// </summary>
public sealed class VethNamespaces : IDisposable
{
    /// <summary>Prefix of every namespace these fixtures create.</summary>
    public const string Prefix = "sluice-t";

    /// <summary>The sender's primary address.</summary>
    public const string SenderAddress = "198.18.0.1";
    /// <summary>The sender's second address, used as a second packet source.</summary>
    public const string SenderSecondAddress = "198.18.0.3";
    /// <summary>The receiver's address.</summary>
    public const string ReceiverAddress = "198.18.0.2";
    /// <summary>The sender's IPv6 address.</summary>
    public const string SenderAddress6 = "fd00::1";
    /// <summary>The receiver's IPv6 address.</summary>
    public const string ReceiverAddress6 = "fd00::2";
    /// <summary>The sender's MAC address.</summary>
    public const string SenderMac = "02:00:00:00:00:01";
    /// <summary>The receiver's MAC address.</summary>
    public const string ReceiverMac = "02:00:00:00:00:02";

    private static int _instances;

    /// <summary>Creates the namespaces and the veth pair; cleans up everything if any step fails.</summary>
    public VethNamespaces()
    {
        SweepOrphans();
        int instance = Interlocked.Increment(ref _instances);
        string stem = $"{Prefix}{Environment.ProcessId}-{instance}";
        SenderNamespace = stem + "a";
        ReceiverNamespace = stem + "b";
        try
        {
            ShellCommand.Run("ip", "netns", "add", SenderNamespace);
            ShellCommand.Run("ip", "netns", "add", ReceiverNamespace);
            InSender("ip", "link", "add", SenderInterface, "address", SenderMac, "type", "veth",
                "peer", "name", ReceiverInterface, "address", ReceiverMac, "netns", ReceiverNamespace);
            InSender("ip", "addr", "add", SenderAddress + "/24", "dev", SenderInterface);
            InSender("ip", "addr", "add", SenderSecondAddress + "/24", "dev", SenderInterface);
            InSender("ip", "-6", "addr", "add", SenderAddress6 + "/64", "dev", SenderInterface, "nodad");
            InReceiver("ip", "addr", "add", ReceiverAddress + "/24", "dev", ReceiverInterface);
            InReceiver("ip", "-6", "addr", "add", ReceiverAddress6 + "/64", "dev", ReceiverInterface, "nodad");
            InSender("ip", "link", "set", "lo", "up");
            InSender("ip", "link", "set", SenderInterface, "up");
            InReceiver("ip", "link", "set", "lo", "up");
            InReceiver("ip", "link", "set", ReceiverInterface, "up");
            InSender("ip", "neigh", "replace", ReceiverAddress, "lladdr", ReceiverMac, "dev", SenderInterface, "nud", "permanent");
            InSender("ip", "-6", "neigh", "replace", ReceiverAddress6, "lladdr", ReceiverMac, "dev", SenderInterface, "nud", "permanent");
            InReceiver("ip", "neigh", "replace", SenderAddress, "lladdr", SenderMac, "dev", ReceiverInterface, "nud", "permanent");
            InReceiver("ip", "neigh", "replace", SenderSecondAddress, "lladdr", SenderMac, "dev", ReceiverInterface, "nud", "permanent");
            InReceiver("ip", "-6", "neigh", "replace", SenderAddress6, "lladdr", SenderMac, "dev", ReceiverInterface, "nud", "permanent");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The sending side's namespace name (/var/run/netns/NAME).</summary>
    public string SenderNamespace { get; }

    /// <summary>The receiving side's namespace name.</summary>
    public string ReceiverNamespace { get; }

    /// <summary>The veth end in the sender namespace.</summary>
    public string SenderInterface => "sl-send";

    /// <summary>The veth end in the receiver namespace.</summary>
    public string ReceiverInterface => "sl-recv";

    /// <summary>Runs a tool inside the sender namespace.</summary>
    public string InSender(params string[] command) => Nsenter(SenderNamespace, command);

    /// <summary>Runs a tool inside the receiver namespace.</summary>
    public string InReceiver(params string[] command) => Nsenter(ReceiverNamespace, command);

    /// <summary>Runs <paramref name="command"/> in namespace <paramref name="name"/> without remounting /sys.</summary>
    public static string Nsenter(string name, params string[] command) =>
        ShellCommand.Run("nsenter", [$"--net=/var/run/netns/{name}", "--", .. command]);

    /// <summary>Deletes both namespaces (and with them the veth pair and its attachments).</summary>
    public void Dispose()
    {
        foreach (var name in new[] { SenderNamespace, ReceiverNamespace })
            if (name is not null && File.Exists($"/var/run/netns/{name}"))
                ShellCommand.TryRun("ip", ["netns", "delete", name], out _, out _);
    }

    /// <summary>True when namespace <paramref name="name"/> still exists.</summary>
    public static bool Exists(string name) => File.Exists($"/var/run/netns/{name}");

    /// <summary>Deletes fixture namespaces whose creating process is gone (a crashed or killed test run).</summary>
    private static void SweepOrphans()
    {
        if (!Directory.Exists("/var/run/netns")) return;
        foreach (var path in Directory.GetFiles("/var/run/netns", Prefix + "*"))
        {
            string name = Path.GetFileName(path);
            string digits = new([.. name[Prefix.Length..].TakeWhile(char.IsAsciiDigit)]);
            if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || Directory.Exists($"/proc/{pid}")) continue;
            ShellCommand.TryRun("ip", ["netns", "delete", name], out _, out _);
        }
    }
}
