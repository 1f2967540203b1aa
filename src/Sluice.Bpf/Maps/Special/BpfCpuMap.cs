using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>One CPUMAP entry as read back: the queue size and the id of its XDP program (0 if none).</summary>
public readonly record struct CpuMapEntry(uint QueueSize, uint ProgramId);

/// <summary>
/// A CPUMAP (Linux 4.15): XDP redirect to another CPU, which builds the skb there. Keys are CPU numbers
/// (max_entries at most the number of possible CPUs); values are struct bpf_cpumap_val: queue size and,
/// with 8-byte values (Linux 5.9), an XDP program to run on the target CPU.
/// </summary>
public sealed class BpfCpuMap : BpfMapView
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    public BpfCpuMap(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, BpfMapType.CpuMap)
    {
        CheckSizeIn(map, "key", map.KeySize, 4);
        CheckSizeIn(map, "value", map.ValueSize, 4, 8);
    }

    /// <summary>Creates a CPUMAP with one slot per possible CPU and 8-byte values, owned by the view.</summary>
    public static BpfCpuMap Create(string name, uint? maxEntries = null) =>
        new(BpfMap.Create(new MapSpec { Name = name, Type = BpfMapType.CpuMap, KeySize = 4, ValueSize = 8, MaxEntries = maxEntries ?? (uint)PossibleCpus.Count }), ownsMap: true);

    /// <summary>
    /// Enables redirect to <paramref name="cpu"/> with a queue of <paramref name="queueSize"/> frames; a queue size of
    /// 0 disables the CPU (the kernel treats it as a delete).
    /// </summary>
    /// <exception cref="BpfException">E2BIG for a CPU at or beyond max_entries; EOVERFLOW for an oversized queue.</exception>
    public unsafe void Set(uint cpu, uint queueSize, BpfFd? program = null, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        if (program is null)
        {
            var value = new FdPair(queueSize, -1);
            Map.UpdateOrThrow(&cpu, &value, (ulong)flags);
            return;
        }
        if (Map.ValueSize != 8)
            throw new InvalidOperationException($"map '{Map.Name}': a CPU program needs 8-byte values (struct bpf_cpumap_val); this map's are {Map.ValueSize}");
        HandleFd.Use(program, (this, cpu, queueSize, flags), static (fd, s) =>
        {
            var value = new FdPair(s.queueSize, fd);
            var key = s.cpu;
            s.Item1.Map.UpdateOrThrow(&key, &value, (ulong)s.flags);
            return 0;
        });
    }

    /// <summary>The entry for <paramref name="cpu"/>; false when redirect to it is disabled.</summary>
    public unsafe bool TryGet(uint cpu, out CpuMapEntry entry)
    {
        var value = default(FdPair);
        bool found = Map.LookupCore(&cpu, &value);
        entry = found ? new CpuMapEntry(value.First, Map.ValueSize == 8 ? (uint)value.Second : 0) : default;
        return found;
    }

    /// <summary>Disables redirect to <paramref name="cpu"/>; false when it was not set.</summary>
    public unsafe bool Delete(uint cpu) => Map.DeleteCore(&cpu);
}
