using System.Globalization;

namespace Sluice.Bpf;

/// <summary>
/// An interface's packet counters as the kernel keeps them (what <c>ip -s link</c> prints): the device's own
/// statistics, which for veth include frames handled by XDP.
/// </summary>
/// <param name="RxPackets">Packets received.</param>
/// <param name="RxBytes">Bytes received.</param>
/// <param name="RxDropped">Received packets dropped by the device.</param>
/// <param name="TxPackets">Packets transmitted.</param>
/// <param name="TxBytes">Bytes transmitted.</param>
/// <param name="TxDropped">Packets the device dropped on transmit (for veth: XDP frames the peer could not take).</param>
public readonly record struct InterfaceCounters(
    ulong RxPackets, ulong RxBytes, ulong RxDropped, ulong TxPackets, ulong TxBytes, ulong TxDropped)
{
    /// <summary>Reads the counters of <paramref name="interfaceName"/> in <paramref name="netns"/> (null: the caller's namespace).</summary>
    /// <exception cref="BpfAttachException">No such interface there (<see cref="AttachFailure.InterfaceNotFound"/>).</exception>
    public static InterfaceCounters Read(string interfaceName, NetworkNamespace? netns = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        // /proc/thread-self/net is the reading thread's namespace (plain /proc/net would be the process's).
        string text = netns is null ? ReadHere() : netns.Run(ReadHere);
        return Parse(text, interfaceName) ?? throw new BpfAttachException(AttachFailure.InterfaceNotFound, Interop.Libc.ENODEV,
            $"interface '{interfaceName}' does not exist in network namespace {netns?.ToString() ?? "of this process"}");
    }

    private static string ReadHere() => File.ReadAllText("/proc/thread-self/net/dev");

    /// <summary>The counters of <paramref name="interfaceName"/> in /proc/net/dev text, or null when it is not listed.</summary>
    internal static InterfaceCounters? Parse(string procNetDev, string interfaceName)
    {
        foreach (var line in procNetDev.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || line[..colon].Trim() != interfaceName) continue;
            var f = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 12) return null;
            ulong Field(int i) => ulong.Parse(f[i], CultureInfo.InvariantCulture);
            // Receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets errs drop ...
            return new InterfaceCounters(Field(1), Field(0), Field(3), Field(9), Field(8), Field(11));
        }
        return null;
    }

    /// <summary>The change from <paramref name="before"/> to this reading.</summary>
    public InterfaceCounters Since(InterfaceCounters before) => new(
        RxPackets - before.RxPackets, RxBytes - before.RxBytes, RxDropped - before.RxDropped,
        TxPackets - before.TxPackets, TxBytes - before.TxBytes, TxDropped - before.TxDropped);
}
