using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// A BLOOM_FILTER map (Linux 5.16): a keyless set that answers "definitely not present" or "maybe present".
/// Elements cannot be removed.
/// </summary>
public sealed class BpfBloomFilter<T> : BpfMapView where T : unmanaged
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    public BpfBloomFilter(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, BpfMapType.BloomFilter)
    {
        CheckSizeIn(map, "key", map.KeySize, 0);
        CheckSize<T>(map, "value", map.ValueSize);
    }

    /// <summary>
    /// Creates a filter sized for <paramref name="maxEntries"/> elements using <paramref name="hashFunctions"/>
    /// hashes (1-15; 0 = the kernel's default of 5), owned by the view.
    /// </summary>
    public static unsafe BpfBloomFilter<T> Create(string name, uint maxEntries, int hashFunctions = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)hashFunctions, 15u, nameof(hashFunctions));
        return new(BpfMap.Create(new MapSpec
        {
            Name = name,
            Type = BpfMapType.BloomFilter,
            KeySize = 0,
            ValueSize = (uint)sizeof(T),
            MaxEntries = maxEntries,
            MapExtra = (ulong)hashFunctions,
        }), ownsMap: true);
    }

    /// <summary>Adds <paramref name="value"/>.</summary>
    public unsafe void Add(T value) => Map.UpdateOrThrow(null, &value, 0);

    /// <summary>False: <paramref name="value"/> was never added. True: it probably was (false positives are possible).</summary>
    public unsafe bool MayContain(T value) => Map.LookupCore(null, &value);
}
