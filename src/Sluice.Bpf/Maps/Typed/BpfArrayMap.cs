using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// A typed view of an ARRAY map: keys are indexes 0..max_entries-1, every element always exists (zeroed at
/// creation), and elements cannot be deleted.
/// </summary>
public sealed class BpfArrayMap<T> : BpfTypedMap<uint, T> where T : unmanaged
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    /// <exception cref="ArgumentException">Not an ARRAY map, or the value size differs from <typeparamref name="T"/>.</exception>
    public BpfArrayMap(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, BpfMapType.Array)
    {
    }

    /// <summary>Creates a new ARRAY map sized for <typeparamref name="T"/>, owned by the view.</summary>
    public static unsafe BpfArrayMap<T> Create(string name, uint maxEntries, uint flags = 0) =>
        new(BpfMap.Create(new MapSpec { Name = name, Type = BpfMapType.Array, KeySize = 4, ValueSize = (uint)sizeof(T), MaxEntries = maxEntries, Flags = flags }), ownsMap: true);

    /// <summary>The element at <paramref name="index"/>.</summary>
    /// <exception cref="KeyNotFoundException"><paramref name="index"/> is not below max_entries.</exception>
    public T this[uint index]
    {
        get => Lookup(index);
        set => Update(index, value);
    }
}
