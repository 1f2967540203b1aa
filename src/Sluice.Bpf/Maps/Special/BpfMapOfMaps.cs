using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// An ARRAY_OF_MAPS or HASH_OF_MAPS (Linux 4.12): values are inner maps, given by fd on write and read back as map
/// ids. Every inner map must have the shape of the template the outer map was created with.
/// </summary>
public sealed class BpfMapOfMaps<TKey> : FdValueMap<TKey> where TKey : unmanaged
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    public BpfMapOfMaps(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, allowWideValue: false, BpfMapType.ArrayOfMaps, BpfMapType.HashOfMaps)
    {
    }

    /// <summary>
    /// Creates an outer map (ARRAY_OF_MAPS needs a <see cref="uint"/> key) whose inner maps look like
    /// <paramref name="innerTemplate"/>, owned by the view.
    /// </summary>
    public static unsafe BpfMapOfMaps<TKey> Create(string name, BpfMapType type, uint maxEntries, BpfMap innerTemplate) =>
        new(BpfMap.Create(
            new MapSpec { Name = name, Type = type, KeySize = (uint)sizeof(TKey), ValueSize = 4, MaxEntries = maxEntries },
            new MapCreateOptions { InnerMap = innerTemplate }), ownsMap: true);

    /// <summary>Stores <paramref name="inner"/> at <paramref name="key"/>.</summary>
    /// <exception cref="BpfException">EINVAL when <paramref name="inner"/> does not match the template's type, sizes or flags.</exception>
    public void Set(TKey key, BpfMap inner, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        ArgumentNullException.ThrowIfNull(inner);
        SetHandle(key, inner.Fd, flags);
    }

    /// <summary>The id of the inner map at <paramref name="key"/>; false when absent. Open it with <see cref="BpfMap.FromId"/>.</summary>
    public bool TryGetInnerMapId(TKey key, out uint mapId)
    {
        bool found = TryReadValue(key, out ulong id);
        mapId = (uint)id;
        return found;
    }
}
