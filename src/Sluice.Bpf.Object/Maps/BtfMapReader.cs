using Sluice.Bpf.Object.Elf;

namespace Sluice.Bpf.Object.Maps;

/// <summary>
/// Reads BTF-defined maps: each variable of the <c>.maps</c> DATASEC is a struct whose members encode the map
/// (<c>__uint(name, n)</c> is a pointer to an array of n elements, <c>__type(name, T)</c> a pointer to T,
/// <c>__array(values, T)</c> a zero-length array of pointers to T), and relocations in <c>.rel.maps</c> fill
/// <c>.values</c> slots with programs or maps.
/// </summary>
internal sealed class BtfMapReader(ElfFile elf, BtfSpec btf)
{
    private const int MaxNesting = 2;

    public const string SectionName = ".maps";

    /// <summary>The maps, plus each one's byte range in .maps (for ld_imm64 resolution).</summary>
    public List<(MapSpec Spec, ulong Offset, ulong Size, uint ValuesBitOffset)> Read(ElfSection section, Func<string, bool> isProgram)
    {
        var datasec = btf.FindType(SectionName, BtfKind.DataSection)
            ?? throw elf.Error($"section '{SectionName}' has no BTF DATASEC describing it");
        var maps = new List<(MapSpec, ulong, ulong, uint)>();
        foreach (var entry in datasec.Variables)
        {
            var variable = btf.TypeById(entry.TypeId);
            if (variable is null || variable.Kind != BtfKind.Variable)
                throw elf.Error($"'{SectionName}' DATASEC entry refers to type {entry.TypeId}, which is not a variable");
            var (spec, valuesBitOffset) = ParseDefinition(variable.Name, variable.ReferencedTypeId, 0);
            if ((ulong)entry.Offset + entry.Size > section.Size)
                throw elf.Error($"map '{variable.Name}' at offset {entry.Offset} + {entry.Size} is beyond '{SectionName}' ({section.Size} bytes)");
            maps.Add((spec, entry.Offset, entry.Size, valuesBitOffset));
        }
        FillSlots(section, maps, isProgram);
        return maps;
    }

    private (MapSpec Spec, uint ValuesBitOffset) ParseDefinition(string name, uint typeId, int nesting)
    {
        var definition = btf.SkipQualifiers(typeId);
        if (definition is null || definition.Kind != BtfKind.Struct)
            throw elf.Error($"map '{name}': definition is {btf.TypeName(typeId)}, expected a struct");
        var spec = new MapSpec { Name = name, Kind = MapSpecKind.Declared, KernelName = KernelMapName(name) };
        uint valuesBitOffset = uint.MaxValue;
        uint? keySize = null, valueSize = null;
        foreach (var member in definition.Members)
        {
            switch (member.Name)
            {
                case "type": spec.Type = (BpfMapType)Number(name, member); break;
                case "max_entries": spec.MaxEntries = Number(name, member); break;
                case "map_flags": spec.Flags = Number(name, member); break;
                case "numa_node": spec.NumaNode = Number(name, member); break;
                case "map_extra": spec.MapExtra = Number(name, member); break;
                case "key_size": keySize = Number(name, member); break;
                case "value_size": valueSize = Number(name, member); break;
                case "pinning":
                    uint pinning = Number(name, member);
                    if (pinning > 1) throw elf.Error($"map '{name}': pinning {pinning} is not supported (0 none, 1 by name)");
                    spec.Pinning = (PinningType)pinning;
                    break;
                case "key":
                    spec.BtfKeyTypeId = Pointee(name, member);
                    spec.KeySize = SizeOf(name, member.Name, spec.BtfKeyTypeId);
                    break;
                case "value":
                    spec.BtfValueTypeId = Pointee(name, member);
                    spec.ValueSize = SizeOf(name, member.Name, spec.BtfValueTypeId);
                    break;
                case "values":
                    valuesBitOffset = member.BitOffset;
                    spec.InnerMap = ParseValues(name, member, nesting);
                    break;
                default:
                    throw elf.Error($"map '{name}': unknown field '{member.Name}'");
            }
        }
        spec.KeySize = Reconcile(name, "key", spec.KeySize, spec.BtfKeyTypeId, keySize);
        spec.ValueSize = Reconcile(name, "value", spec.ValueSize, spec.BtfValueTypeId, valueSize);
        if (valuesBitOffset != uint.MaxValue)
        {
            // A prog-array or map-in-map value is a 4-byte program or map fd in the kernel.
            if (spec.ValueSize != 0 && spec.ValueSize != 4)
                throw elf.Error($"map '{name}': value size {spec.ValueSize} conflicts with 'values' (fds are 4 bytes)");
            spec.ValueSize = 4;
            if (spec.KeySize == 0) spec.KeySize = 4;
        }
        if (spec.Type is BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps && spec.InnerMap is null)
            throw elf.Error($"map '{name}': a map-in-map needs __array(values, ...) to describe its inner map");
        return (spec, valuesBitOffset);
    }

    private MapSpec? ParseValues(string name, BtfMember member, int nesting)
    {
        var array = btf.SkipQualifiers(member.TypeId);
        if (array is null || array.Kind != BtfKind.Array || array.Array!.Value.Count != 0)
            throw elf.Error($"map '{name}': 'values' must be __array(values, ...), found {btf.TypeName(member.TypeId)}");
        var pointer = btf.SkipQualifiers(array.Array.Value.ElementTypeId);
        if (pointer is null || pointer.Kind != BtfKind.Pointer)
            throw elf.Error($"map '{name}': 'values' elements must be pointers, found {btf.TypeName(array.Array.Value.ElementTypeId)}");
        var target = btf.SkipQualifiers(pointer.ReferencedTypeId);
        if (target?.Kind == BtfKind.FunctionProto) return null; // prog-array: values are programs
        if (target?.Kind != BtfKind.Struct)
            throw elf.Error($"map '{name}': 'values' must point at a map definition or a function, found {btf.TypeName(pointer.ReferencedTypeId)}");
        if (nesting >= MaxNesting) throw elf.Error($"map '{name}': maps nest deeper than {MaxNesting}");
        var (inner, _) = ParseDefinition(name + ".inner", pointer.ReferencedTypeId, nesting + 1);
        return inner;
    }

    private void FillSlots(ElfSection section, List<(MapSpec Spec, ulong Offset, ulong Size, uint ValuesBitOffset)> maps, Func<string, bool> isProgram)
    {
        foreach (var relocation in elf.RelocationsFor(section.Index))
        {
            var owner = maps.Find(m => relocation.Offset >= m.Offset && relocation.Offset < m.Offset + m.Size);
            if (owner.Spec is null)
                throw elf.Error($"relocation in '{SectionName}' at offset 0x{relocation.Offset:x} ('{relocation.Symbol.Name}') is outside every map");
            if (owner.ValuesBitOffset == uint.MaxValue || owner.ValuesBitOffset % 64 != 0)
                throw elf.Error($"map '{owner.Spec.Name}': relocation for '{relocation.Symbol.Name}' but the map has no 'values'");
            ulong valuesStart = owner.Offset + owner.ValuesBitOffset / 8;
            if (relocation.Offset < valuesStart || (relocation.Offset - valuesStart) % 8 != 0)
                throw elf.Error($"map '{owner.Spec.Name}': relocation at offset 0x{relocation.Offset:x} is not a 'values' slot");
            ulong slot = (relocation.Offset - valuesStart) / 8;
            bool wantsProgram = owner.Spec.Type == BpfMapType.ProgArray;
            string target = relocation.Symbol.Name;
            if (wantsProgram ? !isProgram(target) : relocation.Symbol.SectionIndex != section.Index)
                throw elf.Error($"map '{owner.Spec.Name}': slot {slot} refers to '{target}', which is not a {(wantsProgram ? "program" : "map")}");
            if (owner.Spec.MaxEntries != 0 && slot >= owner.Spec.MaxEntries)
                throw elf.Error($"map '{owner.Spec.Name}': slot {slot} is beyond max_entries {owner.Spec.MaxEntries}");
            owner.Spec.Contents.Add(new MapSlot((uint)slot, target));
        }
    }

    private uint Number(string map, BtfMember member)
    {
        var pointer = btf.SkipQualifiers(member.TypeId);
        var array = pointer?.Kind == BtfKind.Pointer ? btf.SkipQualifiers(pointer.ReferencedTypeId) : null;
        if (array?.Kind != BtfKind.Array)
            throw elf.Error($"map '{map}': field '{member.Name}' must be __uint({member.Name}, N), found {btf.TypeName(member.TypeId)}");
        return array.Array!.Value.Count;
    }

    private uint SizeOf(string map, string field, uint typeId) =>
        btf.TryGetSize(typeId, out uint size, out string? problem) ? size : throw elf.Error($"map '{map}': {field}: {problem}");

    private uint Pointee(string map, BtfMember member)
    {
        var pointer = btf.SkipQualifiers(member.TypeId);
        if (pointer?.Kind != BtfKind.Pointer)
            throw elf.Error($"map '{map}': field '{member.Name}' must be __type({member.Name}, T), found {btf.TypeName(member.TypeId)}");
        return pointer.ReferencedTypeId;
    }

    private uint Reconcile(string map, string what, uint fromType, uint typeId, uint? explicitSize)
    {
        if (explicitSize is not { } size) return fromType;
        if (typeId != 0 && size != fromType)
            throw elf.Error($"map '{map}': {what}_size {size} disagrees with the {what} type {btf.TypeName(typeId)} ({fromType} bytes)");
        return size;
    }

    /// <summary>The kernel keeps 15 characters of a map name (BPF_OBJ_NAME_LEN - 1).</summary>
    internal static string KernelMapName(string name) => name.Length <= 15 ? name : name[..15];
}
