using System.Net;
using Sluice.Bpf.Object;
using Sluice.Tests;

namespace Sluice.Bpf.Tests.Links;

/// <summary>
/// The attach_xdp / attach_tc fixture loaded: a drop list of IPv4 sources, counters per program variant
/// (slot 2v = passed, 2v+1 = dropped), and two programs (variant a and b) sharing both maps.
/// </summary>
internal sealed class DropList : IDisposable
{
    private readonly Dictionary<string, BpfMap> _maps = [];

    private DropList(string fixture, string prefix)
    {
        var spec = ObjectReader.Read(Fixture.Path(fixture));
        try
        {
            foreach (var map in spec.Maps) _maps[map.Name] = BpfMap.Create(map);
            A = BpfProgram.Load(spec.Program(prefix + "_drop_a"), _maps);
            B = BpfProgram.Load(spec.Program(prefix + "_drop_b"), _maps);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The XDP variant of the fixture.</summary>
    internal static DropList Xdp() => new("attach_xdp", "xdp");

    /// <summary>The TC (SchedCls) variant of the fixture.</summary>
    internal static DropList Tc() => new("attach_tc", "tc");

    internal BpfProgram A { get; } = null!;

    internal BpfProgram B { get; } = null!;

    internal void DropFrom(string address)
    {
        byte[] key = IPAddress.Parse(address).GetAddressBytes();
        _maps["drop_sources"].Update(key, [1]);
    }

    /// <summary>(passed, dropped) as counted by variant <paramref name="variant"/> (0 = a, 1 = b).</summary>
    internal (ulong Passed, ulong Dropped) Counts(int variant) => (Read(variant * 2), Read(variant * 2 + 1));

    /// <summary>Every packet either variant handled.</summary>
    internal ulong Total => Read(0) + Read(1) + Read(2) + Read(3);

    private ulong Read(int slot)
    {
        var value = new byte[8];
        _maps["counters"].TryLookup(BitConverter.GetBytes(slot), value);
        return BitConverter.ToUInt64(value);
    }

    public void Dispose()
    {
        A?.Dispose();
        B?.Dispose();
        foreach (var map in _maps.Values) map.Dispose();
    }
}
