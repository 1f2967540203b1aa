using Sluice.Bpf;
using Sluice.Programs.Forward;
using Sluice.Programs.XdpApps;
using Sluice.Tests;

namespace Sluice.Programs.Tests.Forward;

/// <summary>
/// Hosts a, b (and c) each joined by a veth pair to forwarder namespace f (ports pa, pb, pc). L2: one subnet,
/// 198.18.1.0/24 and fd00:1::/64 (a .1, b .2, c .3), the ports without addresses. Router: a in 198.18.1.0/24 /
/// fd00:1::/64, b in 198.18.2.0/24 / fd00:2::/64, f's ports .254 / ::fe, default routes through f. Pins go to a
/// private directory; dispose detaches the forwarder and deletes the namespaces.
/// </summary>
internal sealed class ForwardBed : IDisposable
{
    internal const string MacA = "02:00:00:00:0a:01", MacPortA = "02:00:00:00:0a:02";
    internal const string MacB = "02:00:00:00:0b:01", MacPortB = "02:00:00:00:0b:02";
    internal const string MacC = "02:00:00:00:0c:01", MacPortC = "02:00:00:00:0c:02";

    private readonly LabNetwork _network = new("sluice-fwd");
    private readonly TestPinDirectory _pins = new();

    internal ForwardBed(ForwardMode mode, bool threeHosts = false)
    {
        try
        {
            A = _network.AddNamespace("a");
            B = _network.AddNamespace("b");
            F = _network.AddNamespace("f");
            if (mode == ForwardMode.L2)
            {
                _network.Connect(new VethEnd(A, "h0", MacA, "198.18.1.1/24", "fd00:1::1/64"), new VethEnd(F, "pa", MacPortA));
                _network.Connect(new VethEnd(B, "h0", MacB, "198.18.1.2/24", "fd00:1::2/64"), new VethEnd(F, "pb", MacPortB));
                if (threeHosts)
                {
                    C = _network.AddNamespace("c");
                    _network.Connect(new VethEnd(C, "h0", MacC, "198.18.1.3/24", "fd00:1::3/64"), new VethEnd(F, "pc", MacPortC));
                }
            }
            else
            {
                _network.Connect(new VethEnd(A, "h0", MacA, "198.18.1.1/24", "fd00:1::1/64"), new VethEnd(F, "pa", MacPortA, "198.18.1.254/24", "fd00:1::fe/64"));
                _network.Connect(new VethEnd(B, "h0", MacB, "198.18.2.2/24", "fd00:2::2/64"), new VethEnd(F, "pb", MacPortB, "198.18.2.254/24", "fd00:2::fe/64"));
                A.Run("ip", "route", "add", "default", "via", "198.18.1.254");
                A.Run("ip", "-6", "route", "add", "default", "via", "fd00:1::fe");
                B.Run("ip", "route", "add", "default", "via", "198.18.2.254");
                B.Run("ip", "-6", "route", "add", "default", "via", "fd00:2::fe");
            }
            Place = new XdpAppPlace(_pins.File("forward"), F.Name);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    internal LabNamespace A { get; } = null!;
    internal LabNamespace B { get; } = null!;
    internal LabNamespace? C { get; }
    internal LabNamespace F { get; } = null!;
    internal XdpAppPlace Place { get; } = null!;

    /// <summary>Runs <paramref name="action"/> inside <paramref name="where"/> (sockets made there stay there).</summary>
    internal static T In<T>(LabNamespace where, Func<T> action)
    {
        using var netns = where.Open();
        return netns.Run(action);
    }

    /// <summary>A counter of /proc/net/netstat or /proc/net/snmp in namespace <paramref name="where"/> (e.g. "IpExt", "InNoRoutes").</summary>
    internal static long NetStat(LabNamespace where, string group, string name)
    {
        foreach (var file in new[] { "/proc/net/netstat", "/proc/net/snmp" })
        {
            var lines = where.Run("cat", file).Split('\n').Where(l => l.StartsWith(group + ":", StringComparison.Ordinal)).ToList();
            if (lines.Count < 2) continue;
            var names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int index = Array.IndexOf(names, name);
            if (index > 0) return long.Parse(values[index], System.Globalization.CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"no counter {group} {name}");
    }

    public void Dispose()
    {
        if (Place is not null && Directory.Exists(Place.NamespaceDirectory)) ForwardController.Detach(Place);
        _network.Dispose();
        _pins.Dispose();
    }
}
