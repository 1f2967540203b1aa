using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>A typed view of a PERCPU_ARRAY map (Linux 4.6): indexes 0..max_entries-1, one value per possible CPU each.</summary>
public sealed class BpfPerCpuArray<T> : BpfPerCpuMap<uint, T> where T : unmanaged
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    /// <exception cref="ArgumentException">Not a PERCPU_ARRAY, or the value size differs from <typeparamref name="T"/>.</exception>
    public BpfPerCpuArray(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, BpfMapType.PerCpuArray)
    {
    }

    /// <summary>Creates a new PERCPU_ARRAY map sized for <typeparamref name="T"/>, owned by the view.</summary>
    public static unsafe BpfPerCpuArray<T> Create(string name, uint maxEntries, uint flags = 0) =>
        new(BpfMap.Create(new MapSpec { Name = name, Type = BpfMapType.PerCpuArray, KeySize = 4, ValueSize = (uint)sizeof(T), MaxEntries = maxEntries, Flags = flags }), ownsMap: true);
}
