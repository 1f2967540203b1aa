using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>One DEVMAP/DEVMAP_HASH entry as read back: the interface, and the id of its XDP program (0 if none).</summary>
public readonly record struct DevMapEntry(uint IfIndex, uint ProgramId);

/// <summary>
/// Base of DEVMAP and DEVMAP_HASH, the targets of bpf_redirect_map in XDP: values are interface indexes, optionally
/// with an XDP program run on the egress device (struct bpf_devmap_val, 8-byte values, Linux 5.8).
/// </summary>
/// <remarks>Interface indexes are resolved in the network namespace of the process that updates the map.</remarks>
public abstract class BpfDevMapBase : BpfMapView
{
    /// <summary>Checks type and sizes (4-byte key; 4-byte ifindex or 8-byte bpf_devmap_val value).</summary>
    private protected BpfDevMapBase(BpfMap map, bool ownsMap, BpfMapType type)
        : base(map, ownsMap, type)
    {
        CheckSizeIn(map, "key", map.KeySize, 4);
        CheckSizeIn(map, "value", map.ValueSize, 4, 8);
    }

    /// <summary>Points <paramref name="key"/> at interface <paramref name="ifIndex"/>, optionally with an egress XDP program.</summary>
    /// <exception cref="InvalidOperationException">A program was given but the map's value is only 4 bytes.</exception>
    /// <exception cref="BpfException">EINVAL for an unknown interface or an unsuitable program (egress programs must be loaded with expected attach type BPF_XDP_DEVMAP).</exception>
    public unsafe void Set(uint key, uint ifIndex, BpfFd? program = null, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        if (program is null)
        {
            // -1 (no program) in the fd half, which 4-byte maps never read.
            var value = new FdPair(ifIndex, -1);
            Map.UpdateOrThrow(&key, &value, (ulong)flags);
            return;
        }
        if (Map.ValueSize != 8)
            throw new InvalidOperationException($"map '{Map.Name}': an egress program needs 8-byte values (struct bpf_devmap_val); this map's are {Map.ValueSize}");
        HandleFd.Use(program, (this, key, ifIndex, flags), static (fd, s) =>
        {
            var value = new FdPair(s.ifIndex, fd);
            var k = s.key;
            s.Item1.Map.UpdateOrThrow(&k, &value, (ulong)s.flags);
            return 0;
        });
    }

    /// <summary>The entry at <paramref name="key"/>; false when empty.</summary>
    public unsafe bool TryGet(uint key, out DevMapEntry entry)
    {
        var value = default(FdPair);
        bool found = Map.LookupCore(&key, &value);
        entry = found ? new DevMapEntry(value.First, Map.ValueSize == 8 ? (uint)value.Second : 0) : default;
        return found;
    }

    /// <summary>
    /// Deletes the entry at <paramref name="key"/>. DEVMAP_HASH returns false when it was absent; DEVMAP (an
    /// array) reports success for an empty slot too.
    /// </summary>
    public unsafe bool Delete(uint key) => Map.DeleteCore(&key);

    /// <summary>The occupied keys.</summary>
    public MapKeys<uint> Keys => new(Map);
}

/// <summary>A DEVMAP (Linux 4.14): redirect targets by slot index 0..max_entries-1.</summary>
public sealed class BpfDevMap : BpfDevMapBase
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    public BpfDevMap(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, BpfMapType.DevMap)
    {
    }

    /// <summary>Creates a DEVMAP with 8-byte bpf_devmap_val values, owned by the view.</summary>
    public static BpfDevMap Create(string name, uint maxEntries) =>
        new(BpfMap.Create(new MapSpec { Name = name, Type = BpfMapType.DevMap, KeySize = 4, ValueSize = 8, MaxEntries = maxEntries }), ownsMap: true);
}

/// <summary>A DEVMAP_HASH (Linux 5.4): redirect targets by any 32-bit key, typically the ifindex itself.</summary>
public sealed class BpfDevMapHash : BpfDevMapBase
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    public BpfDevMapHash(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, BpfMapType.DevMapHash)
    {
    }

    /// <summary>Creates a DEVMAP_HASH with 8-byte bpf_devmap_val values, owned by the view.</summary>
    public static BpfDevMapHash Create(string name, uint maxEntries) =>
        new(BpfMap.Create(new MapSpec { Name = name, Type = BpfMapType.DevMapHash, KeySize = 4, ValueSize = 8, MaxEntries = maxEntries }), ownsMap: true);
}
