using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>A typed view of a PERCPU_HASH (Linux 4.6) or LRU_PERCPU_HASH (4.10) map: one value per possible CPU per key.</summary>
public sealed class BpfPerCpuHashMap<TKey, TValue> : BpfPerCpuMap<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    /// <exception cref="ArgumentException">Wrong map type or sizes.</exception>
    public BpfPerCpuHashMap(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, BpfMapType.PerCpuHash, BpfMapType.LruPerCpuHash)
    {
    }

    /// <summary>Creates a new PERCPU_HASH (or LRU_PERCPU_HASH) map sized for the types, owned by the view.</summary>
    public static unsafe BpfPerCpuHashMap<TKey, TValue> Create(string name, uint maxEntries, uint flags = 0, BpfMapType type = BpfMapType.PerCpuHash) =>
        new(BpfMap.Create(new MapSpec { Name = name, Type = type, KeySize = (uint)sizeof(TKey), ValueSize = (uint)sizeof(TValue), MaxEntries = maxEntries, Flags = flags }), ownsMap: true);
}
