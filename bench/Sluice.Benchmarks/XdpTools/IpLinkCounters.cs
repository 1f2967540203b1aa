using System.Text.Json;
using Sluice.Lab;

namespace Sluice.Benchmarks.XdpTools;

/// <summary>
/// An interface's packet counters exactly as <c>ip -s link</c> prints them (<c>ip -j -s link show DEV</c> run inside
/// the namespace: stats64), the reference the bench's own counts are checked against.
/// </summary>
public readonly record struct IpLinkCounters(ulong RxPackets, ulong TxPackets)
{
    public static IpLinkCounters Read(string namespaceName, string interfaceName)
    {
        string json = ShellCommand.Run("ip", "-n", namespaceName, "-j", "-s", "link", "show", "dev", interfaceName);
        using var document = JsonDocument.Parse(json);
        var stats = document.RootElement[0].GetProperty("stats64");
        return new IpLinkCounters(stats.GetProperty("rx").GetProperty("packets").GetUInt64(), stats.GetProperty("tx").GetProperty("packets").GetUInt64());
    }

    public IpLinkCounters Since(IpLinkCounters earlier) => new(RxPackets - earlier.RxPackets, TxPackets - earlier.TxPackets);
}
