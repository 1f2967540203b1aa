using System.Net;
using Sluice.Tests;

namespace Sluice.Bpf.Tests.Links;

/// <summary>
/// The attach_xdp / attach_tc fixture loaded: a drop list of IPv4 sources, counters per program variant
/// (slot 2v = passed, 2v+1 = dropped), and two programs (variant a and b) sharing both maps.
/// </summary>
internal sealed class DropList : IDisposable
{
    private readonly BpfCollection _collection;

    private DropList(string fixture, string prefix)
    {
        _collection = BpfCollection.Load(Fixture.Path(fixture));
        A = _collection.Program(prefix + "_drop_a");
        B = _collection.Program(prefix + "_drop_b");
    }

    /// <summary>The XDP variant of the fixture.</summary>
    internal static DropList Xdp() => new("attach_xdp", "xdp");

    /// <summary>The TC (SchedCls) variant of the fixture.</summary>
    internal static DropList Tc() => new("attach_tc", "tc");

    internal BpfProgram A { get; }

    internal BpfProgram B { get; }

    internal void DropFrom(string address)
    {
        byte[] key = IPAddress.Parse(address).GetAddressBytes();
        _collection.Map("drop_sources").Update(key, [1]);
    }

    /// <summary>(passed, dropped) as counted by variant <paramref name="variant"/> (0 = a, 1 = b).</summary>
    internal (ulong Passed, ulong Dropped) Counts(int variant) => (Read(variant * 2), Read(variant * 2 + 1));

    /// <summary>Every packet either variant handled.</summary>
    internal ulong Total => Read(0) + Read(1) + Read(2) + Read(3);

    private ulong Read(int slot)
    {
        var value = new byte[8];
        _collection.Map("counters").TryLookup(BitConverter.GetBytes(slot), value);
        return BitConverter.ToUInt64(value);
    }

    public void Dispose() => _collection.Dispose();
}
