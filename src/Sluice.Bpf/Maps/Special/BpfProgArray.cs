using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// A PROG_ARRAY (Linux 4.2): the jump table for bpf_tail_call. Programs go in by fd (any <see cref="BpfFd"/> of a
/// program, so this type does not depend on how the program was loaded) and read back as program ids.
/// </summary>
public sealed class BpfProgArray : FdValueMap<uint>
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    public BpfProgArray(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, allowWideValue: false, BpfMapType.ProgArray)
    {
    }

    /// <summary>Creates a PROG_ARRAY with <paramref name="maxEntries"/> slots, owned by the view.</summary>
    public static BpfProgArray Create(string name, uint maxEntries) =>
        new(BpfMap.Create(new MapSpec { Name = name, Type = BpfMapType.ProgArray, KeySize = 4, ValueSize = 4, MaxEntries = maxEntries }), ownsMap: true);

    /// <summary>Puts <paramref name="program"/> at <paramref name="index"/>.</summary>
    /// <exception cref="BpfException">EBADF/EINVAL when the fd is not a program, or its type differs from the programs already using the array.</exception>
    public void Set(uint index, BpfFd program, MapUpdateFlags flags = MapUpdateFlags.Any) => SetHandle(index, program, flags);

    /// <summary>The id of the program at <paramref name="index"/>; false when the slot is empty.</summary>
    public bool TryGetProgramId(uint index, out uint programId)
    {
        bool found = TryReadValue(index, out ulong id);
        programId = (uint)id;
        return found;
    }
}
