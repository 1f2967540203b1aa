using System.Buffers.Binary;
using Sluice.Bpf.Object.Elf;

namespace Sluice.Bpf.Object.Maps;

/// <summary>
/// Reads maps from the legacy <c>maps</c> section: one <c>struct bpf_map_def</c> (type, key_size, value_size,
/// max_entries, map_flags: five u32) per object symbol. libbpf 1.x dropped support; we read it for old objects.
/// </summary>
internal static class LegacyMapReader
{
    public const string SectionName = "maps";
    private const int DefinitionSize = 20;

    public static List<(MapSpec Spec, ulong Offset, ulong Size)> Read(ElfFile elf, ElfSection section)
    {
        var data = elf.Data(section);
        var maps = new List<(MapSpec, ulong, ulong)>();
        foreach (var symbol in elf.Symbols)
        {
            if (symbol.SectionIndex != section.Index || symbol.IsSection || symbol.Name.Length == 0) continue;
            if (symbol.Value > (ulong)data.Length || (ulong)data.Length - symbol.Value < DefinitionSize)
                throw elf.Error($"legacy map '{symbol.Name}' at offset {symbol.Value} is beyond '{SectionName}' ({data.Length} bytes)");
            var definition = data.Slice((int)symbol.Value, DefinitionSize);
            var spec = new MapSpec
            {
                Name = symbol.Name,
                KernelName = BtfMapReader.KernelMapName(symbol.Name),
                Kind = MapSpecKind.Declared,
                Type = (BpfMapType)BinaryPrimitives.ReadUInt32LittleEndian(definition),
                KeySize = BinaryPrimitives.ReadUInt32LittleEndian(definition[4..]),
                ValueSize = BinaryPrimitives.ReadUInt32LittleEndian(definition[8..]),
                MaxEntries = BinaryPrimitives.ReadUInt32LittleEndian(definition[12..]),
                Flags = BinaryPrimitives.ReadUInt32LittleEndian(definition[16..]),
            };
            maps.Add((spec, symbol.Value, Math.Max(symbol.Size, DefinitionSize)));
        }
        return maps;
    }
}
