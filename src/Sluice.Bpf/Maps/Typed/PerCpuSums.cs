using System.Buffers;
using System.Numerics;

namespace Sluice.Bpf;

/// <summary>Sums of per-CPU counters: what a program counted on every CPU, added up without allocating.</summary>
public static class PerCpuSums
{
    /// <summary>The sum over all CPUs of <paramref name="key"/>'s values, or null when the key is absent.</summary>
    public static TValue? Sum<TKey, TValue>(this BpfPerCpuMap<TKey, TValue> map, TKey key)
        where TKey : unmanaged
        where TValue : unmanaged, IAdditionOperators<TValue, TValue, TValue>, IAdditiveIdentity<TValue, TValue>
    {
        ArgumentNullException.ThrowIfNull(map);
        TValue[]? rented = null;
        Span<TValue> values = map.CpuCount <= 64 ? stackalloc TValue[map.CpuCount] : (rented = ArrayPool<TValue>.Shared.Rent(map.CpuCount));
        try
        {
            if (!map.TryLookup(key, values)) return null;
            TValue sum = TValue.AdditiveIdentity;
            foreach (var value in values[..map.CpuCount]) sum += value;
            return sum;
        }
        finally
        {
            if (rented is not null) ArrayPool<TValue>.Shared.Return(rented);
        }
    }
}
