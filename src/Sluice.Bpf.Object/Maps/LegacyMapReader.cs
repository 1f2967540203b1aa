using System.Buffers.Binary;
using Sluice.Bpf.Object.Elf;

namespace Sluice.Bpf.Object.Maps;

/// <summary>
/// Reads maps from the legacy <c>maps</c> section: one definition per object symbol, its size given by the symbol.
/// The first five u32 are <c>struct bpf_map_def</c> (type, key_size, value_size, max_entries, map_flags). Longer
/// definitions follow iproute2's <c>struct bpf_elf_map</c>: id, pinning, inner_id, inner_idx. Pinning
/// PIN_GLOBAL_NS (2) is honoured as pin-by-name; an id is only a label; everything else that is not zero
/// (object-namespace pinning, map-in-map by id, bytes past the iproute2 layout) is refused by name, never ignored.
/// libbpf 1.x dropped the section; we read it for old objects.
/// </summary>
internal static class LegacyMapReader
{
    public const string SectionName = "maps";
    private const int DefinitionSize = 20;
    private const int Iproute2Size = 36;
    private const uint PinNone = 0, PinObjectNamespace = 1, PinGlobalNamespace = 2;

    public static List<(MapSpec Spec, ulong Offset, ulong Size)> Read(ElfFile elf, ElfSection section)
    {
        var data = elf.Data(section);
        var maps = new List<(MapSpec, ulong, ulong)>();
        foreach (var symbol in elf.Symbols)
        {
            if (symbol.SectionIndex != section.Index || symbol.IsSection || symbol.Name.Length == 0) continue;
            ulong size = Math.Max(symbol.Size, DefinitionSize);
            if (symbol.Value > (ulong)data.Length || (ulong)data.Length - symbol.Value < size)
                throw elf.Error($"legacy map '{symbol.Name}' at offset {symbol.Value} ({size} bytes) is beyond '{SectionName}' ({data.Length} bytes)");
            var definition = data.Slice((int)symbol.Value, (int)size);
            var fields = new uint[Iproute2Size / 4];
            for (int i = 0; i < fields.Length && i * 4 + 4 <= definition.Length; i++)
                fields[i] = BinaryPrimitives.ReadUInt32LittleEndian(definition[(i * 4)..]);
            uint Field(int index) => fields[index];
            var spec = new MapSpec
            {
                Name = symbol.Name,
                KernelName = BtfMapReader.KernelMapName(symbol.Name),
                Kind = MapSpecKind.Declared,
                Type = (BpfMapType)Field(0),
                KeySize = Field(1),
                ValueSize = Field(2),
                MaxEntries = Field(3),
                Flags = Field(4),
                Pinning = Pinning(elf, symbol.Name, Field(6)),
            };
            if (Field(7) != 0 || Field(8) != 0)
                throw elf.Error($"legacy map '{symbol.Name}': iproute2 map-in-map fields inner_id ({Field(7)}) and inner_idx ({Field(8)}) are not supported; declare the outer map in '.maps' with __array(values, ...)");
            if (definition.Length > Iproute2Size && !IsZero(definition.Slice(Iproute2Size)))
                throw elf.Error($"legacy map '{symbol.Name}': its definition is {definition.Length} bytes and has non-zero bytes past the {Iproute2Size} of iproute2's struct bpf_elf_map, which this reader does not know");
            maps.Add((spec, symbol.Value, size));
        }
        return maps;
    }

    // Not MemoryExtensions.ContainsAnyExcept: the generator compiles this file for netstandard2.0.
    private static bool IsZero(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
            if (b != 0) return false;
        return true;
    }

    private static PinningType Pinning(ElfFile elf, string name, uint pinning) => pinning switch
    {
        PinNone => PinningType.None,
        PinGlobalNamespace => PinningType.ByName,
        PinObjectNamespace => throw elf.Error($"legacy map '{name}': iproute2 pinning PIN_OBJECT_NS (1) pins under a directory named after the object's hash, which is not supported; use PIN_GLOBAL_NS (2) or LIBBPF_PIN_BY_NAME"),
        _ => throw elf.Error($"legacy map '{name}': unknown iproute2 pinning {pinning} (0 none, 2 global namespace)"),
    };
}
