using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

// Getting hold of maps that already exist: by fd, by id, from a pin; and pinning, and checking that an existing map
// can stand in for a spec (LIBBPF_PIN_BY_NAME reuse).
public partial class BpfMap
{
    /// <summary>Wraps an existing map fd, taking ownership, with its properties read from the kernel (BPF_OBJ_GET_INFO_BY_FD).</summary>
    public static BpfMap FromFd(BpfFd fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var info = BpfMapInfo.FromFd(fd);
        return new BpfMap(fd, info.Name, info.Type, info.KeySize, info.ValueSize, info.MaxEntries, info.Flags);
    }

    /// <summary>Opens map <paramref name="id"/> (BPF_MAP_GET_FD_BY_ID, Linux 4.13; needs CAP_SYS_ADMIN).</summary>
    /// <exception cref="KeyNotFoundException">No map has that id (any more).</exception>
    public static BpfMap FromId(uint id, PinAccess access = PinAccess.ReadWrite)
    {
        var fd = ObjectInfo.TryOpenById(BpfCommand.MapGetFdById, id, (uint)access)
            ?? throw new KeyNotFoundException($"no BPF map with id {id}");
        try
        {
            return FromFd(fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Opens the map pinned at <paramref name="path"/> and reads its properties.</summary>
    /// <exception cref="FileNotFoundException">Nothing is pinned there.</exception>
    /// <exception cref="InvalidOperationException">The pinned object is not a map.</exception>
    public static BpfMap OpenPinned(string path, PinAccess access = PinAccess.ReadWrite)
    {
        var fd = BpfPin.Open(path, access);
        try
        {
            return FromFd(fd);
        }
        catch (BpfException e) when (e.Errno == Libc.EINVAL)
        {
            fd.Dispose();
            throw new InvalidOperationException($"'{path}' is pinned but is not a map", e);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Pins this map at <paramref name="path"/>; see <see cref="BpfPin.Pin"/>.</summary>
    public void Pin(string path) => BpfPin.Pin(Fd, path);

    /// <summary>The kernel's current view of this map (id, BTF ids, frozen state, ...).</summary>
    public BpfMapInfo GetInfo() => BpfMapInfo.FromFd(Fd);

    /// <summary>
    /// Checks that this (typically pinned) map can be used where <paramref name="spec"/> is expected, as libbpf does
    /// before reusing a LIBBPF_PIN_BY_NAME map: same type, key size, value size, max entries, flags and map_extra.
    /// </summary>
    /// <exception cref="BpfMapIncompatibleException">Lists every difference.</exception>
    public void CheckCompatible(MapSpec spec)
    {
        const uint RdonlyProg = 0x80; // BPF_F_RDONLY_PROG
        ArgumentNullException.ThrowIfNull(spec);
        var differences = new List<string>();
        if (Type != spec.Type) differences.Add($"type: map is {Type}, spec wants {spec.Type}");
        if (KeySize != spec.KeySize) differences.Add($"key size: map has {KeySize}, spec wants {spec.KeySize}");
        if (ValueSize != spec.ValueSize) differences.Add($"value size: map has {ValueSize}, spec wants {spec.ValueSize}");
        if (MaxEntries != spec.MaxEntries) differences.Add($"max entries: map has {MaxEntries}, spec wants {spec.MaxEntries}");
        // The kernel adds BPF_F_RDONLY_PROG to every DEVMAP and DEVMAP_HASH it creates (programs get a read-only view
        // of the entries), so a map made from this very spec reads back with that flag (libbpf ignores it too).
        uint flags = Type is BpfMapType.DevMap or BpfMapType.DevMapHash && (spec.Flags & RdonlyProg) == 0 ? Flags & ~RdonlyProg : Flags;
        if (flags != spec.Flags) differences.Add($"flags: map has 0x{Flags:x}, spec wants 0x{spec.Flags:x}");
        if (spec.MapExtra != 0)
        {
            ulong extra = GetInfo().MapExtra;
            if (extra != spec.MapExtra) differences.Add($"map_extra: map has 0x{extra:x}, spec wants 0x{spec.MapExtra:x}");
        }
        if (differences.Count > 0) throw new BpfMapIncompatibleException(Name, spec.Name, differences);
    }
}
