using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>A typed view of a HASH or LRU_HASH map (LRU: Linux 4.10; evicts the least recently used entry when full).</summary>
public sealed class BpfHashMap<TKey, TValue> : BpfTypedMap<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    /// <exception cref="ArgumentException">Wrong map type, or key/value sizes differ from <typeparamref name="TKey"/>/<typeparamref name="TValue"/>.</exception>
    public BpfHashMap(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, BpfMapType.Hash, BpfMapType.LruHash)
    {
    }

    /// <summary>Creates a new HASH map sized for the types, owned by the view.</summary>
    public static unsafe BpfHashMap<TKey, TValue> Create(string name, uint maxEntries, uint flags = 0, BpfMapType type = BpfMapType.Hash) =>
        new(BpfMap.Create(new MapSpec { Name = name, Type = type, KeySize = (uint)sizeof(TKey), ValueSize = (uint)sizeof(TValue), MaxEntries = maxEntries, Flags = flags }), ownsMap: true);
}
