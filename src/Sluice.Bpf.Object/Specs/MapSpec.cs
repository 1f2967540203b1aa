namespace Sluice.Bpf.Object;

/// <summary>What kind of map a spec describes, as far as the object is concerned.</summary>
public enum MapSpecKind
{
    /// <summary>A map declared in <c>.maps</c> (BTF-defined) or the legacy <c>maps</c> section.</summary>
    Declared,
    /// <summary>A global-data section (.data, .rodata, .bss, .data.*, .rodata.*, .kconfig) backed by a one-entry array.</summary>
    GlobalData,
}

/// <summary>
/// A map as the object describes it: everything needed to create it, nothing tied to a kernel.
/// Mutable so a caller can adjust sizes, flags or initial contents before load.
/// </summary>
public sealed class MapSpec
{
    /// <summary>Map name as the object names it (global data: the section name, e.g. ".rodata").</summary>
    public required string Name { get; set; }

    /// <summary>
    /// The name libbpf would give the kernel map (what bpftool shows), at most 15 characters. Declared maps: the
    /// name, truncated. Global data: libbpf's "&lt;object&gt;&lt;section&gt;" form, e.g. "globals.rodata" for .rodata of
    /// globals.bpf.o: the object name is cut so the section name keeps at least 7 characters; custom sections
    /// (".data.stats") get no object prefix; characters other than letters, digits, '_' and '.' become '_'.
    /// Null when the spec was not made by the reader (the loader then uses <see cref="Name"/>).
    /// </summary>
    public string? KernelName { get; set; }

    /// <summary>Map type.</summary>
    public BpfMapType Type { get; set; }

    /// <summary>Key size in bytes.</summary>
    public uint KeySize { get; set; }

    /// <summary>Value size in bytes.</summary>
    public uint ValueSize { get; set; }

    /// <summary>Maximum number of entries.</summary>
    public uint MaxEntries { get; set; }

    /// <summary>map_flags (BPF_F_*).</summary>
    public uint Flags { get; set; }

    /// <summary>map_extra (bloom filter hash count, arena address).</summary>
    public ulong MapExtra { get; set; }

    /// <summary>NUMA node, when <c>BPF_F_NUMA_NODE</c> is in <see cref="Flags"/>.</summary>
    public uint NumaNode { get; set; }

    /// <summary>Pinning mode.</summary>
    public PinningType Pinning { get; set; }

    /// <summary>Declared map or global data.</summary>
    public MapSpecKind Kind { get; set; }

    /// <summary>BTF type id of the key in the object's BTF, 0 when unknown.</summary>
    public uint BtfKeyTypeId { get; set; }

    /// <summary>BTF type id of the value in the object's BTF, 0 when unknown.</summary>
    public uint BtfValueTypeId { get; set; }

    /// <summary>For global data: the BTF DATASEC id, used as value type id (key type 0, as libbpf does).</summary>
    public uint BtfDatasecTypeId { get; set; }

    /// <summary>For map-in-map types: the inner map's shape.</summary>
    public MapSpec? InnerMap { get; set; }

    /// <summary>
    /// Initial value of the single entry of a global-data map (length = <see cref="ValueSize"/>;
    /// .bss is all zero). <see cref="ObjectSpec.SetGlobal"/> writes here.
    /// </summary>
    public byte[]? InitialValue { get; set; }

    /// <summary>Freeze after populating (.rodata and .rodata.*: read-only for programs' writers).</summary>
    public bool Freeze { get; set; }

    /// <summary>
    /// Initial contents of a prog-array or map-in-map (<c>.values = { [i] = &amp;x }</c>):
    /// slot index and the name of the program or map that goes there.
    /// </summary>
    public List<MapSlot> Contents { get; private set; } = [];

    /// <summary>The variables of a global-data section (name, offset, size), for <see cref="ObjectSpec.SetGlobal"/>.</summary>
    public List<GlobalVariable> Variables { get; private set; } = [];

    /// <summary>A copy whose collections and initial value are independent of this one.</summary>
    public MapSpec Clone()
    {
        var copy = (MapSpec)MemberwiseClone();
        copy.InitialValue = InitialValue?.ToArray();
        copy.InnerMap = InnerMap?.Clone();
        copy.Contents = [.. Contents];
        copy.Variables = [.. Variables];
        return copy;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name} {Type} key={KeySize} value={ValueSize} max={MaxEntries} flags=0x{Flags:x}";
}

/// <summary>One initial slot of a prog-array or map-in-map.</summary>
public sealed record MapSlot(uint Index, string TargetName);

/// <summary>A variable in a global-data section.</summary>
public sealed record GlobalVariable(string Name, uint Offset, uint Size, bool IsConstant);
