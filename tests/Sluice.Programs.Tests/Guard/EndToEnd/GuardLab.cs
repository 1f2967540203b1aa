using System.Globalization;
using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;

namespace Sluice.Programs.Tests.Guard.EndToEnd;

/// <summary>
/// A guarded server for end-to-end tests: the controller tests' <see cref="Controller.GuardTestBed"/> (veth pair,
/// target with private pins) with the guard attached to the receiver's veth end, and handles on both namespaces.
/// Dispose detaches the guard, removes every pin and deletes the namespaces, also after a failed setup.
/// </summary>
internal sealed class GuardLab : IDisposable
{
    /// <summary>The attacker's spoofed source range (denied by the tests).</summary>
    public static readonly IPNetwork AttackerRange = IPNetwork.Parse("198.19.0.0/16");

    /// <summary>The legitimate clients' range (allowed by the tests).</summary>
    public static readonly IPNetwork ClientRange = IPNetwork.Parse("198.18.0.0/24");

    private readonly Controller.GuardTestBed _bed;

    public GuardLab(XdpMode mode)
    {
        _bed = new Controller.GuardTestBed();
        try
        {
            Sender = NetworkNamespace.Open(Veth.SenderNamespace);
            Receiver = NetworkNamespace.Open(Veth.ReceiverNamespace);
            Guard = GuardController.Attach(Target, new GuardAttachOptions { Mode = mode });
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public VethNamespaces Veth => _bed.Veth;
    public NetworkNamespace Sender { get; } = null!;
    public NetworkNamespace Receiver { get; } = null!;
    public GuardTarget Target => _bed.Target;
    public GuardController Guard { get; } = null!;

    public static IPAddress ServerAddress { get; } = IPAddress.Parse(VethNamespaces.ReceiverAddress);
    public static IPAddress ClientAddress { get; } = IPAddress.Parse(VethNamespaces.SenderAddress);
    public static IPAddress SecondClientAddress { get; } = IPAddress.Parse(VethNamespaces.SenderSecondAddress);

    /// <summary>Packets a device dropped (rx_dropped + tx_dropped of /proc/net/dev) in one of the namespaces.</summary>
    public long DeviceDrops(string netns, string device)
    {
        string text = VethNamespaces.Nsenter(netns, "cat", "/proc/net/dev");
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(':', 2);
            if (parts.Length != 2 || parts[0].Trim() != device) continue;
            var fields = parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // receive: bytes packets errs drop ...(8 fields), transmit: bytes packets errs drop ...
            return long.Parse(fields[3], CultureInfo.InvariantCulture) + long.Parse(fields[11], CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"{device} not in /proc/net/dev of {netns}");
    }

    /// <summary>Drops on both veth ends, wherever the kernel counted them.</summary>
    public long VethDrops() =>
        DeviceDrops(Veth.SenderNamespace, Veth.SenderInterface) + DeviceDrops(Veth.ReceiverNamespace, Veth.ReceiverInterface);

    /// <summary>The hit counter of the installed rule equal to <paramref name="rule"/>.</summary>
    public ulong RuleHits(GuardRule rule) => Guard.Rules().Single(entry => entry.Rule == rule).Packets;

    public void Dispose()
    {
        Guard?.Dispose();
        Sender?.Dispose();
        Receiver?.Dispose();
        _bed.Dispose(); // detaches the guard, then removes the namespaces and the pins
    }

    /// <summary>Waits (polling) until <paramref name="condition"/> holds or <paramref name="timeout"/> passes.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline) return false;
            Thread.Sleep(5);
        }
        return true;
    }
}
